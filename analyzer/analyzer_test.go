package analyzer_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

func flagship(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := portlint.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestFlagship runs the fixtures written against the engine's plan, in one
// load so that they share type-checking.
func TestFlagship(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)),
		"listen", "dial", "defaults", "resolve", "checks", "unattributed", "attrfile",
		"example.com/engine/cmd/webserver", "example.com/tools/polycube", "ignore", "negatives", "ports", "filter", "mesh.example/constonce/...", "mesh.example/recall", "mesh.example/storage/...")
}

// TestFlagshipPrefiltered: a driver that prefiltered the packages (the
// analyzer's fast path skipped) gets the same diagnostics on the same
// fixtures, the negatives included.
func TestFlagshipPrefiltered(t *testing.T) {
	a := analyzer.NewWithOptions(analyzer.Options{Registry: flagship(t), Prefiltered: true})
	analysistest.Run(t, analysistest.TestData(), a,
		"listen", "dial", "defaults", "resolve", "checks", "unattributed", "attrfile",
		"example.com/engine/cmd/webserver", "example.com/tools/polycube", "ignore", "negatives", "ports", "filter", "mesh.example/constonce/...", "mesh.example/recall", "mesh.example/storage/...")
}

// TestFixes applies the retired-port fixes and compares with .golden files:
// a literal, a string, a struct tag, and a named constant fixed once at its
// declaration.
func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.New(flagship(t)), "fix")
}

// TestDiscoveredRegistry runs the flag-configured Analyzer, which finds the
// registry.yaml beside the package: a plan that reassigns a retired port.
func TestDiscoveredRegistry(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "reassign")
}

// TestRelatedInRegistry: a finding's related position points at the
// registry entry, at the right byte even after non-ASCII text on its line.
func TestRelatedInRegistry(t *testing.T) {
	reg, err := registry.Parse("plan.yaml", []byte("version: 1\n# «旧» plan\ngroups: {g: {pool: \"[1000, 2000)\"}}\nranges:\n  - {name: r, group: g, span: \"[1000, 1100)\"}\ncomponents:\n  - {name: äa旧, group: g, ranges: [r], ports: [{port: 1001}]}\n  - {name: b, group: g, ranges: [r], ports: [{port: 1002}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	results := analysistest.Run(t, analysistest.TestData(), analyzer.New(reg), "related")
	var found bool
	for _, r := range results {
		for _, d := range r.Diagnostics {
			for _, rel := range d.Related {
				p := r.Pass.Fset.Position(rel.Pos)
				line := strings.Split(string(reg.Data), "\n")[p.Line-1]
				if p.Filename == "plan.yaml" && strings.HasPrefix(line[p.Column-1:], "1001") {
					found = true
				}
			}
		}
	}
	if !found {
		t.Error("no related position at the registry's port 1001")
	}
}

// TestTestPackages: a package under a directory named for tests (test/,
// testutil/, fake/, mocks/, e2e/) is test code, checked only with -test.
func TestTestPackages(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)), "testpkgs/...")
	var rec errRecorder // the fixture has no want for it: analysistest reports it as unexpected
	analysistest.Run(&rec, analysistest.TestData(), analyzer.NewWithOptions(analyzer.Options{Registry: flagship(t), Tests: true}), "testpkgs/pkg/test/echo")
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "port 7070 is outside every pool") {
		t.Errorf("with Tests set, want the test helper's port 7070 checked; got %q", rec.errs)
	}
}

type errRecorder struct{ errs []string }

func (r *errRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestConfigure: the registry's "types" patterns give values written into
// a configuration type, a package-level constant and a function's body to
// the configured component, with role configure, whichever component's
// code writes them.
func TestConfigure(t *testing.T) {
	reg, err := registry.Parse("plan.yaml", []byte(`version: 1
groups:
  pod: {pool: "[15000, 15100)"}
  istiod: {pool: "[15000, 15100)"}
ranges:
  - {name: pod.proxy, group: pod, span: "[15000, 15100)"}
  - {name: istiod.control, group: istiod, span: "[15000, 15100)"}
components:
  - name: sidecar
    group: pod
    ranges: [pod.proxy]
    types: ["*/bootstrap.Config", "mesh.example/configure/model.HBone*", "mesh.example/configure/model.DNSCapturePort", "*/configure/core.buildDNS*"]
    ports: [{port: 15000}, {port: 15008}, {port: 15053}]
  - name: istiod
    group: istiod
    ranges: [istiod.control]
    packages: ["mesh.example/configure/..."]
    ports: [{port: 15010}, {port: 15012}]
`))
	if err != nil {
		t.Fatal(err)
	}
	results := analysistest.Run(t, analysistest.TestData(), analyzer.New(reg), "mesh.example/configure/...")
	roles := map[string]int{}
	for _, r := range results {
		res, _ := r.Result.(*analyzer.Result)
		if res == nil {
			continue
		}
		for _, u := range res.Uses {
			if u.Role == check.Configure {
				roles[u.Component+" "+u.Via]++
			}
		}
	}
	if roles["sidecar type"] < 5 {
		t.Errorf("configure uses by component and via: %v; want at least 5 of the sidecar through types", roles)
	}
}

// TestRecallUses: sets and maps of ports under a port name, and a suffix
// test on an address, are in the inventory, the last as a match.
func TestRecallUses(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)), "mesh.example/recall")
	got := map[string]bool{}
	for _, r := range results {
		if res, ok := r.Result.(*analyzer.Result); ok {
			for _, u := range res.Uses {
				got[fmt.Sprintf("%d %s", u.Port, u.Role)] = true
			}
		}
	}
	for _, want := range []string{"20200 default", "20214 default", "20201 default", "20215 default", "20216 match"} {
		if !got[want] {
			t.Errorf("no use %q in %v", want, got)
		}
	}
	if got["3 default"] || got["5 default"] {
		t.Errorf("a set of counts became ports: %v", got)
	}
}

// TestAddressLists: URL lists, NAME=URL lists and flags holding them are
// one use per address; strings where one element is no address are none;
// a directive written as text (a Corefile line) has its address, prose
// has none.
func TestAddressLists(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)), "mesh.example/lists")
	got := map[int]bool{}
	for _, r := range results {
		if res, ok := r.Result.(*analyzer.Result); ok {
			for _, u := range res.Uses {
				got[u.Port] = true
			}
		}
	}
	for _, p := range []int{20200, 20201, 20202, 20203, 20204, 20205, 20206, 20207, 20213, 20214, 20215, 20221, 20222} {
		if !got[p] {
			t.Errorf("no use of %d in %v", p, got)
		}
	}
	for _, p := range []int{20208, 20209, 20210, 20211, 20212, 20218, 20219, 20220, 20223} {
		if got[p] {
			t.Errorf("%d is no address of a list: %v", p, got)
		}
	}
}

// TestPointerPorts: ptr.To(int32(N)) under a port name is the port; under
// a name that says nothing of ports it is none. So are a conversion to a
// type named for a port (not an enum of choices), a --port=%d flag and
// the Number of a type named for a port (ServiceBackendPort).
func TestPointerPorts(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)), "mesh.example/ptrs")
	got := map[int]bool{}
	for _, r := range results {
		if res, ok := r.Result.(*analyzer.Result); ok {
			for _, u := range res.Uses {
				got[u.Port] = true
			}
		}
	}
	for _, p := range []int{20200, 20214, 20201, 20218, 20220, 20222} {
		if !got[p] {
			t.Errorf("no use of %d in %v", p, got)
		}
	}
	for _, p := range []int{20215, 20216, 20217, 20219, 20221, 20223} {
		if got[p] {
			t.Errorf("%d is no port: %v", p, got)
		}
	}
}

// TestLocalConstUses: a port constant used in its own package is checked
// once, at its declaration, and each use is in the inventory at its own
// line (a Ref use, not checked).
func TestLocalConstUses(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)), "mesh.example/constonce/local")
	refs := map[int]int{} // line -> port of a Ref use
	decl := 0
	for _, r := range results {
		if res, ok := r.Result.(*analyzer.Result); ok {
			for _, u := range res.Uses {
				switch {
				case u.Ref:
					refs[u.Pos.Line] = u.Port
				case u.Port == 28953:
					decl = u.Pos.Line
				}
				if u.Port == 28954 {
					t.Errorf("maxRetries is no port: %+v", u)
				}
			}
		}
	}
	if decl != 8 {
		t.Errorf("the declaration's use is at line %d, want 8", decl)
	}
	if refs[17] != 28953 || refs[19] != 28953 || len(refs) != 2 {
		t.Errorf("Ref uses by line: %v, want 17 and 19", refs)
	}
}
