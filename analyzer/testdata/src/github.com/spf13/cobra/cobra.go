// Package cobra is a stub of github.com/spf13/cobra for analyzer fixtures.
package cobra

import "github.com/spf13/pflag"

type Command struct {
	Use string
}

func (c *Command) Flags() *pflag.FlagSet           { return nil }
func (c *Command) PersistentFlags() *pflag.FlagSet { return nil }
