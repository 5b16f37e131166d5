package cli

import (
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/portlint/portlint/analyzer"
)

// VetMode reports whether go vet invoked portlint as a -vettool: go vet
// first asks "-V=full" and "-flags", then passes one *.cfg file per package
// (after any analyzer flags the user gave go vet).
func VetMode(args []string) bool {
	if len(args) == 0 {
		return false
	}
	if strings.HasPrefix(args[0], "-V=") || args[0] == "-V" || args[0] == "-flags" {
		return true
	}
	last := args[len(args)-1]
	return strings.HasSuffix(last, ".cfg") && fileExists(last)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// RunVet runs the analyzer as go vet's unitchecker: one package per
// invocation, with the registry found from the package's directory (or
// -registry). It does not return.
func RunVet() { unitchecker.Main(analyzer.Analyzer) }
