// Package cli is a stub of github.com/urfave/cli/v2 for analyzer fixtures.
package cli

type Flag interface{}

type IntFlag struct {
	Name    string
	Usage   string
	Value   int
	EnvVars []string
}

type StringFlag struct {
	Name    string
	Usage   string
	Value   string
	EnvVars []string
}

type App struct {
	Flags []Flag
}
