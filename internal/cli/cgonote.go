package cli

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// cgoDropped names the Go files of the listed packages that the build
// leaves out only because cgo is off (CGO_ENABLED=0, or no C compiler): a
// file that imports "C" and that the same build with cgo on would
// compile. Their ports go unchecked, and the run says so; files left out
// for their GOOS, GOARCH or tags are not the run's business.
func cgoDropped(dir string, pkgs []*packages.Package, tags string) []string {
	var candidates []string
	for _, p := range pkgs {
		for _, f := range p.IgnoredFiles {
			if strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, "_test.go") {
				candidates = append(candidates, f)
			}
		}
	}
	if len(candidates) == 0 {
		return nil // the common case: no go env call
	}
	ctx := build.Default
	if out, err := goEnvValues(dir, "CGO_ENABLED", "GOOS", "GOARCH"); err == nil && len(out) == 3 {
		if out[0] == "1" {
			return nil // cgo is on: whatever was left out, it was not for cgo
		}
		ctx.GOOS, ctx.GOARCH = out[1], out[2]
	}
	ctx.CgoEnabled = true
	if tags != "" {
		ctx.BuildTags = strings.FieldsFunc(tags, func(r rune) bool { return r == ',' || r == ' ' })
	}
	var notes []string
	fset := token.NewFileSet()
	for _, f := range candidates {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil || !importsC(af.Imports) {
			continue
		}
		if ok, err := ctx.MatchFile(filepath.Dir(f), filepath.Base(f)); err != nil || !ok {
			continue // left out for another reason too
		}
		notes = append(notes, f+": not checked: it imports \"C\" and cgo is off (CGO_ENABLED=0 or no C compiler); run with CGO_ENABLED=1 to check it")
	}
	return notes
}

func importsC(specs []*ast.ImportSpec) bool {
	for _, s := range specs {
		if s.Path != nil && s.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// goEnvValues returns the values of the named go env variables, one per name.
func goEnvValues(dir string, names ...string) ([]string, error) {
	cmd := exec.Command("go", append([]string{"env"}, names...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n"), nil
}
