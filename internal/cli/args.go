package cli

import (
	"io"
	"strings"
)

// hoistCommand lets flags come before a subcommand: "portlint -registry R
// ports ./..." runs "ports -registry R ./...", and "portlint -v registry
// check" runs "registry check -v". The leading flags are read as the lint
// command defines them (which take a value); the subcommand then parses
// them, and one it does not define is its usage error, never a package
// named like the command.
func hoistCommand(args []string) []string {
	fs := lintFlagSet(&Env{Stderr: io.Discard}, &lintFlags{})
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			i++
			continue
		}
		i++
		if f := fs.Lookup(name); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			i++ // the flag's value
		}
	}
	if i == 0 || i >= len(args) {
		return args
	}
	c := commands[args[i]]
	if c == nil || c.name == "lint" {
		return args
	}
	head := []string{args[i]}
	rest := args[i+1:]
	if c.name == "registry" && len(rest) > 0 && registrySubcommands[rest[0]] != nil {
		head, rest = append(head, rest[0]), rest[1:]
	}
	out := append(append(head, args[:i]...), rest...)
	return out
}
