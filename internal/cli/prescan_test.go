package cli

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"
)

// TestPrescanSame: over the analyzer's fixtures as a module, every named
// package read with the prescan's per-file results decides, hashes and
// reports errors as when its files are read after go list.
func TestPrescanSame(t *testing.T) {
	dir := fixtureModule(t)
	for _, tests := range []bool{false, true} {
		pre := startPrescan(dir, []string{"./..."}, tests, true)
		if pre == nil {
			t.Fatal("no prescan for ./...")
		}
		pkgs, err := packages.Load(&packages.Config{Dir: dir, Mode: graphMode, Tests: tests}, "./...")
		pre.finish()
		if err != nil {
			t.Fatal(err)
		}
		used := 0
		for _, p := range pkgs {
			for _, f := range p.GoFiles {
				if pre.lookup(f) != nil {
					used++
				}
			}
			a, b := readPkg(p, true, nil), readPkg(p, true, pre)
			if a.broken != b.broken || len(a.sums) != len(b.sums) || a.scan.Cgo() != b.scan.Cgo() || a.scan.Files() != b.scan.Files() {
				t.Errorf("%s: broken %v/%v, sums %d/%d, cgo %v/%v, files %d/%d", p.ID, a.broken, b.broken, len(a.sums), len(b.sums),
					a.scan.Cgo(), b.scan.Cgo(), a.scan.Files(), b.scan.Files())
				continue
			}
			for i := range a.sums {
				if a.sums[i] != b.sums[i] {
					t.Errorf("%s: file %d hashes differently", p.ID, i)
				}
			}
			pa, pb := map[string]bool{}, map[string]bool{}
			a.scan.Params(pa)
			b.scan.Params(pb)
			if x, y := strings.Join(slices.Sorted(maps.Keys(pa)), ","), strings.Join(slices.Sorted(maps.Keys(pb)), ","); x != y {
				t.Errorf("%s: port-parameter functions %s, with the prescan %s", p.ID, x, y)
			}
			for _, params := range []map[string]bool{nil, {"startServer": true}, {"Serve": true, "Listen": true}} {
				if x, y := a.scan.MayHaveUses(params), b.scan.MayHaveUses(params); x != y {
					t.Errorf("%s with %v: may hold a use %v, with the prescan %v", p.ID, params, x, y)
				}
			}
		}
		if used == 0 {
			t.Fatalf("tests %v: no file's prescan was used", tests)
		}
	}
}

// TestPrescanChanged: a file changed after the prescan read it (its size,
// or only its modification time) is read again; an unchanged one is not;
// patterns that are not directories start no prescan.
func TestPrescanChanged(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"go.mod":        "module example.com/m\n\ngo 1.26\n",
		"a.go":          "package m\n\nfunc a() {}\n",
		"b.go":          "package m\n\nfunc b() {}\n",
		"c.go":          "package m\n\nfunc c() {}\n",
		"sub/go.mod":    "module example.com/m/sub\n\ngo 1.26\n",
		"sub/s.go":      "package sub\n",
		"testdata/t.go": "package t\n",
		"x_test.go":     "package m\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	pre := startPrescan(dir, []string{"./..."}, false, false)
	pre.wait()
	pre.finish()
	path := func(n string) string { return filepath.Join(dir, filepath.FromSlash(n)) }
	for _, n := range []string{"a.go", "b.go", "c.go"} {
		if pre.lookup(path(n)) == nil {
			t.Errorf("%s: not prescanned", n)
		}
	}
	for _, n := range []string{"sub/s.go", "testdata/t.go", "x_test.go"} {
		if pre.lookup(path(n)) != nil {
			t.Errorf("%s: prescanned, but ./... does not name it (without -test)", n)
		}
	}
	if err := os.WriteFile(path("a.go"), []byte("package m\n\nfunc a(port int) {}\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path("b.go"), later, later); err != nil {
		t.Fatal(err)
	}
	if pre.lookup(path("a.go")) != nil || pre.lookup(path("b.go")) != nil {
		t.Error("a file changed after the prescan is taken from it")
	}
	if pre.lookup(path("c.go")) == nil {
		t.Error("an unchanged file is not taken from the prescan")
	}
	for _, pats := range [][]string{{"example.com/m/..."}, {"./...", "std"}, {"./a/.../b"}} {
		if startPrescan(dir, pats, false, false) != nil {
			t.Errorf("%v: a prescan started", pats)
		}
	}
}
