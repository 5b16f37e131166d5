package analyzer_test

import (
	"fmt"
	"maps"
	"reflect"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/portlint/portlint/analyzer"
)

// TestInfoMaps: with only the maps analyzer.NewInfo records (what the
// command's and the language server's type checks fill), the analyzer
// reports the same diagnostics and lists the same uses as with every map
// go/packages fills. It fails when the analyzer starts reading a map
// NewInfo leaves out.
func TestInfoMaps(t *testing.T) {
	reg := flagship(t)
	full := analyzer.New(reg)
	inner := analyzer.New(reg)
	reduced := &analysis.Analyzer{
		Name:       full.Name,
		Doc:        full.Doc,
		URL:        full.URL,
		ResultType: full.ResultType,
		Run: func(pass *analysis.Pass) (any, error) {
			in := analyzer.NewInfo()
			maps.Copy(in.Types, pass.TypesInfo.Types)
			maps.Copy(in.Defs, pass.TypesInfo.Defs)
			maps.Copy(in.Uses, pass.TypesInfo.Uses)
			maps.Copy(in.FileVersions, pass.TypesInfo.FileVersions)
			p := *pass
			p.TypesInfo = in
			return inner.Run(&p)
		},
	}
	pkgs := []string{"listen", "dial", "defaults", "resolve", "checks", "unattributed", "attrfile",
		"example.com/engine/cmd/webserver", "example.com/tools/polycube", "ignore", "negatives", "ports", "filter",
		"mesh.example/constonce/...", "mesh.example/recall", "mesh.example/storage/..."}
	want := summarize(t, analysistest.Run(t, analysistest.TestData(), full, pkgs...))
	got := summarize(t, analysistest.Run(t, analysistest.TestData(), reduced, pkgs...))
	if len(want) == 0 {
		t.Fatal("the fixtures gave no diagnostics and no uses")
	}
	for pkg, w := range want {
		if g := got[pkg]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s: with NewInfo's maps:\n%v\nwith every map:\n%v", pkg, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d packages analyzed with NewInfo's maps, %d with every map", len(got), len(want))
	}
}

// summarize renders each package's diagnostics and uses as text.
func summarize(t *testing.T, results []*analysistest.Result) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Pass.Pkg.Path(), r.Err)
		}
		var lines []string
		for _, d := range r.Diagnostics {
			lines = append(lines, fmt.Sprintf("%s: [%s] %s", r.Pass.Fset.Position(d.Pos), d.Category, d.Message))
		}
		res, _ := r.Result.(*analyzer.Result)
		if res == nil {
			t.Fatalf("%s: no result", r.Pass.Pkg.Path())
		}
		for _, u := range res.Uses {
			lines = append(lines, fmt.Sprintf("use %+v", *u))
		}
		out[r.Pass.Pkg.Path()] = lines
	}
	return out
}
