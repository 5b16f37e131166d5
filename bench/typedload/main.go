// Command typedload is the floor of portlint's benchmarks: it only loads
// the packages the patterns name with syntax and types (what any
// go/analysis driver must do at least: go list -deps -export, then parse
// and type-check every named package, its imports from export data) and
// prints how many loaded, and how many had errors.
//
//	cd MODULE && go run github.com/portlint/portlint/bench/typedload ./...
package main

import (
	"flag"
	"fmt"
	"os"

	"golang.org/x/tools/go/packages"
)

func main() {
	tests := flag.Bool("test", false, "load test packages too")
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	cfg := &packages.Config{Mode: packages.LoadSyntax | packages.NeedModule, Tests: *tests}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "typedload:", err)
		os.Exit(1)
	}
	broken := 0
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			broken++
		}
	}
	fmt.Printf("%d packages loaded with types, %d with errors\n", len(pkgs), broken)
}
