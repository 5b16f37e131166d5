package cli

import (
	"os"
	"strings"
)

// VetMode reports whether go vet invoked portlint as a -vettool: go vet
// first asks "-V=full" and "-flags", then passes one *.cfg file per package.
func VetMode(args []string) bool {
	if len(args) == 0 {
		return false
	}
	a := args[len(args)-1]
	if strings.HasPrefix(args[0], "-V=") || args[0] == "-flags" {
		return true
	}
	return strings.HasSuffix(a, ".cfg") && fileExists(a)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// RunVet runs the analyzer in unitchecker mode. It is replaced when the
// analyzer is wired in.
var RunVet = func() { os.Exit(ExitInternal) }
