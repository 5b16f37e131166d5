package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

func init() {
	register(&command{name: "help", summary: "print help: the commands, the exit statuses, a check's documentation", run: runHelp})
}

// ExitStatusDoc documents the exit statuses, once, for help and README.
const ExitStatusDoc = `Exit status:
  0  no findings (and, with -json, -sarif (without -o) or -diff, whatever
     was found: the consumer reads the findings from the output)
  1  portlint itself failed
  2  bad flags, or input portlint cannot check in full: a registry or config
     with errors, a path that does not exist, patterns that match nothing, a
     package that does not type-check, a directory it cannot read, a
     manifest that is not YAML, over a size limit, or read only in part (an
     alias bomb, a template it cannot parse); in every output format (the
     rest is still checked and printed)
  3  findings were printed as text (with -o too: -o writes the -json or
     -sarif output to a file and the findings as text to stdout)`

func runHelp(_ context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		writeOverview(env.Stdout)
		return nil
	}
	name := args[0]
	if c := check.Lookup(name); c != nil {
		writeCheck(env.Stdout, c)
		return nil
	}
	if r := registry.LookupRule(name); r != nil {
		fmt.Fprintf(env.Stdout, "registry rule %s (%s)\n\n%s\n", r.Name, r.Severity, r.Doc)
		return nil
	}
	if c := commands[name]; c != nil && name != "help" {
		return c.run(context.Background(), env, []string{"-h"})
	}
	return usageError("portlint help: no check, registry rule or command named %q; the checks are %s", name, strings.Join(check.Names(), ", "))
}

func writeOverview(w io.Writer) {
	fmt.Fprintf(w, "portlint checks network ports in Go code and deployment manifests against a port plan.\n\n")
	fmt.Fprintf(w, "Usage:\n  %s\n\nCommands:\n", strings.Split(lintUsage, "\n")[0])
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nChecks (portlint help CHECK for details):\n")
	for _, c := range check.Checks {
		off := ""
		if c.Off {
			off = " (off by default)"
		}
		fmt.Fprintf(w, "  %-14s %s%s\n", c.Name, c.Title, off)
	}
	fmt.Fprintf(w, "\nSuppress a finding with a comment on its line or the line above:\n  //portlint:ignore CHECK[,CHECK] reason      (Go)\n  # portlint:ignore CHECK[,CHECK] reason       (YAML)\n")
	fmt.Fprintf(w, "\nAs a vet tool: go vet -vettool=$(command -v portlint) ./...\n")
	fmt.Fprintf(w, "\nResults of unchanged Go packages are replayed from a cache: $PORTLINT_CACHE,\nelse portlint/ under the user cache directory. With PORTLINT_CACHE=off or\n-no-cache, every package is analyzed again.\n\n%s\n", ExitStatusDoc)
}

func writeCheck(w io.Writer, c *check.Check) {
	fmt.Fprintf(w, "%s: %s\n\nSeverity: %s", c.Name, c.Title, c.Severity)
	if c.Tree {
		fmt.Fprint(w, "; needs the whole tree (portlint command only)")
	}
	if c.Off {
		fmt.Fprint(w, "; off by default")
	}
	fmt.Fprintf(w, "\n\n%s\n\nExample:\n  %s [%s]\n", c.Doc, c.Example, c.Name)
}
