package analyzer

import (
	"go/ast"
	"path"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// attribution says which component each file of a package belongs to.
type attribution struct {
	pkg    *registry.Component
	pkgVia string
	files  map[*ast.File]*registry.Component
	bad    []badDirective // portlint:component directives that name no component
}

type badDirective struct {
	c   *ast.Comment
	msg string
}

func (a *attribution) of(f *ast.File) (*registry.Component, string) {
	if c := a.files[f]; c != nil {
		return c, "directive"
	}
	return a.pkg, a.pkgVia
}

// attribute applies, in order: a //portlint:component directive (in a
// package doc comment for the package, anywhere else in a file for that
// file), the registry's import-path patterns, and a main package's binary
// name matched against component names and aliases.
func attribute(pass *analysis.Pass, files []*ast.File, reg *registry.Registry) *attribution {
	a := &attribution{files: map[*ast.File]*registry.Component{}}
	for _, f := range files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				text, ok := lineComment(c)
				if !ok {
					continue
				}
				name, ok, err := check.ParseComponent(text)
				if !ok {
					continue
				}
				if err != nil {
					a.bad = append(a.bad, badDirective{c, err.Error()})
					continue
				}
				comp := reg.Component(name)
				if comp == nil {
					a.bad = append(a.bad, badDirective{c, "portlint:component names " + quote(name) + ", which is not a component of the registry" + suggestComponent(reg, name)})
					continue
				}
				if cg == f.Doc {
					if a.pkg == nil {
						a.pkg, a.pkgVia = comp, "directive"
					}
				} else {
					a.files[f] = comp
				}
			}
		}
	}
	if a.pkg != nil {
		return a
	}
	if c := reg.MatchPackage(pass.Pkg.Path()); c != nil {
		a.pkg, a.pkgVia = c, "package"
		return a
	}
	if pass.Pkg.Name() == "main" {
		bin := path.Base(pass.Pkg.Path())
		if len(bin) > 1 && bin[0] == 'v' && strings.Trim(bin[1:], "0123456789") == "" {
			bin = path.Base(path.Dir(pass.Pkg.Path()))
		}
		if c := reg.Component(bin); c != nil {
			a.pkg, a.pkgVia = c, "binary"
		}
	}
	return a
}

func quote(s string) string { return `"` + s + `"` }

func suggestComponent(reg *registry.Registry, name string) string {
	best, bestD := "", 4
	for _, c := range reg.Components {
		if d := distance(strings.ToLower(name), strings.ToLower(c.Name)); d < bestD {
			best, bestD = c.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + quote(best) + "?"
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// lineComment returns the text of a directive comment up to a nested "//"
// (a comment on the comment). Like //go: and //nolint directives, a
// portlint directive has no space after the slashes; "// portlint:ignore"
// is prose about one, and /* */ comments are never directives.
func lineComment(c *ast.Comment) (string, bool) {
	if !strings.HasPrefix(c.Text, "//") || strings.HasPrefix(c.Text, "// ") || strings.HasPrefix(c.Text, "//\t") {
		return "", false
	}
	text := c.Text[2:]
	if i := strings.Index(text, "//"); i >= 0 {
		text = text[:i]
	}
	return text, true
}
