// Package cli implements the portlint command. Run takes every stream and
// the working directory as arguments so that tests drive the whole command
// in-process; cmd/portlint only maps the returned error to an exit status.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Exit statuses, as go vet and govulncheck use them.
const (
	ExitClean    = 0 // nothing found
	ExitInternal = 1 // portlint itself failed
	ExitUsage    = 2 // bad flags, or input portlint cannot read (registry, YAML, config)
	ExitFindings = 3 // findings were reported
)

// An ExitError carries an exit status and an optional message for stderr.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Msg
}

// ExitCode returns the process exit status.
func (e *ExitError) ExitCode() int { return e.Code }

// errFindings is returned when findings were printed.
var errFindings = &ExitError{Code: ExitFindings}

func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Msg: fmt.Sprintf(format, args...)}
}

func inputError(err error) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: ExitUsage, Msg: err.Error()}
}

// Env is what a run sees of the world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Dir            string // working directory; "" means the process's
}

func (e *Env) dir() (string, error) {
	if e.Dir != "" {
		return e.Dir, nil
	}
	return os.Getwd()
}

// A command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands is filled by each subcommand's file in init, keeping this file
// free of the subcommands' imports.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Run runs portlint with the given arguments (without the program name).
func Run(ctx context.Context, env *Env, args []string) error {
	// -C dir, as the go command has it: run as if started in dir.
	if len(args) > 0 && (args[0] == "-C" || args[0] == "--C" || strings.HasPrefix(args[0], "-C=") || strings.HasPrefix(args[0], "--C=")) {
		dir := strings.TrimPrefix(strings.TrimLeft(args[0], "-"), "C=")
		rest := args[1:]
		if args[0] == "-C" || args[0] == "--C" {
			if len(rest) == 0 {
				return usageError("portlint: -C needs a directory")
			}
			dir, rest = rest[0], rest[1:]
		}
		base, err := env.dir()
		if err != nil {
			return err
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(base, dir)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usageError("portlint: -C %s: not a directory", dir)
		}
		e := *env
		e.Dir = dir
		env, args = &e, rest
	}
	args = hoistCommand(args)
	if len(args) > 0 {
		if c := commands[args[0]]; c != nil {
			return c.run(ctx, env, args[1:])
		}
	}
	lint := commands["lint"]
	if lint == nil {
		return usageError("portlint: no lint command built in")
	}
	return lint.run(ctx, env, args)
}

// Version returns the module version portlint was built as.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/portlint/portlint" {
				return d.Version
			}
		}
		if v := bi.Main.Version; v != "" && bi.Main.Path == "github.com/portlint/portlint" {
			return v
		}
	}
	return "(devel)"
}

func init() {
	register(&command{name: "version", summary: "print portlint's version", run: func(_ context.Context, env *Env, _ []string) error {
		fmt.Fprintf(env.Stdout, "portlint %s\n", Version())
		return nil
	}})
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags anywhere among the arguments (not only before the
// first positional one) and returns the positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &ExitError{Code: ExitClean}
			}
			return nil, &ExitError{Code: ExitUsage}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// stringsFlag is a repeatable or comma-separated string flag.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*s = append(*s, x)
		}
	}
	return nil
}
