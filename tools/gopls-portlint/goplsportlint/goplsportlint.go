// Package goplsportlint adapts portlint's analyzer to gopls, for a gopls
// built with it compiled in (see ../build.sh). gopls loads no analyzers at
// run time, so the build adds Analyzer to gopls's list and folds CacheKey
// into gopls's analysis cache key.
package goplsportlint

import (
	"fmt"
	"os"

	"golang.org/x/tools/go/analysis"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/internal/config"
)

// Analyzer is portlint's analyzer as gopls runs it. The registry is found
// per package, as go vet finds it. Related information that points into
// no file on disk (the embedded default plan) is dropped: gopls turns every
// related position into a location in a file it can open, and would drop
// the diagnostic instead.
var Analyzer = onDisk(analyzer.Analyzer)

func onDisk(a *analysis.Analyzer) *analysis.Analyzer {
	w := &analysis.Analyzer{
		Name:             a.Name,
		Doc:              a.Doc,
		URL:              a.URL,
		Requires:         a.Requires,
		ResultType:       a.ResultType,
		FactTypes:        a.FactTypes,
		RunDespiteErrors: a.RunDespiteErrors,
	}
	w.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Analyzer = a
		p.Report = func(d analysis.Diagnostic) {
			var keep []analysis.RelatedInformation
			for _, r := range d.Related {
				if _, err := os.Stat(pass.Fset.Position(r.Pos).Filename); err == nil {
					keep = append(keep, r)
				}
			}
			d.Related = keep
			pass.Report(d)
		}
		return a.Run(&p)
	}
	return w
}

// CacheKey returns what decides the analysis of a package in dir besides
// its Go files: the registry the analyzer reads there, with its size and
// modification time. gopls caches analysis results by the package's
// content; with the key folded in, an edited plan is analyzed afresh.
func CacheKey(dir string) string {
	var cfg *config.Config
	if p := config.Find(dir); p != "" {
		c, err := config.Load(p)
		if err != nil {
			return "config error: " + err.Error()
		}
		cfg = c
	}
	src := config.ResolveRegistry(dir, "", cfg)
	if src.Path == "" {
		return src.String()
	}
	st, err := os.Stat(src.Path)
	if err != nil {
		return src.Path + ": " + err.Error()
	}
	return fmt.Sprintf("%s %d %d", src.Path, st.Size(), st.ModTime().UnixNano())
}
