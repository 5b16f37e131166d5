package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/bench/synth"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// goRun is the outcome of one runGo, as sorted JSON lines to compare.
type goRun struct {
	findings, uses []string
}

// runGoOpts runs runGo with o and an analyzer for reg and o.tests.
func runGoOpts(t *testing.T, reg *registry.Registry, o goOptions) goRun {
	t.Helper()
	patterns, prefilter := o.patterns, o.prefilter
	o.analyzer = analyzer.NewWithOptions(analyzer.Options{Registry: reg, Enabled: check.DefaultSet(), Tests: o.tests, Prefiltered: o.prefilter})
	res, err := runGo(context.Background(), o)
	if err != nil {
		t.Fatalf("runGo %v (prefilter %v): %v", patterns, prefilter, err)
	}
	if len(res.errors) > 0 {
		t.Fatalf("runGo %v (prefilter %v): errors:\n%s", patterns, prefilter, strings.Join(res.errors, "\n"))
	}
	var out goRun
	for _, f := range res.findings {
		b, _ := json.Marshal(f)
		out.findings = append(out.findings, string(b))
	}
	for _, u := range res.uses {
		b, _ := json.Marshal(u)
		out.uses = append(out.uses, string(b))
	}
	sort.Strings(out.findings)
	sort.Strings(out.uses)
	return out
}

// samePrefiltered checks that the syntax prefilter changes nothing: the
// same findings and the same inventory with and without it. It returns
// how many findings and uses there were.
func samePrefiltered(t *testing.T, dir string, reg *registry.Registry, patterns ...string) (findings, uses int) {
	t.Helper()
	return samePrefilteredOpts(t, reg, goOptions{dir: dir, patterns: patterns})
}

// samePrefilteredOpts is samePrefiltered with the options o (its prefilter
// and analyzer are set here).
func samePrefilteredOpts(t *testing.T, reg *registry.Registry, o goOptions) (findings, uses int) {
	t.Helper()
	patterns := o.patterns
	o.prefilter = true
	with := runGoOpts(t, reg, o)
	o.prefilter = false
	without := runGoOpts(t, reg, o)
	diff := func(what string, a, b []string) {
		in := map[string]int{}
		for _, x := range a {
			in[x]++
		}
		for _, x := range b {
			in[x]--
		}
		for x, n := range in {
			switch {
			case n < 0:
				t.Errorf("%v: the prefilter drops a %s: %s", patterns, what, x)
			case n > 0:
				t.Errorf("%v: the prefilter adds a %s: %s", patterns, what, x)
			}
		}
	}
	diff("finding", with.findings, without.findings)
	diff("use", with.uses, without.uses)
	return len(without.findings), len(without.uses)
}

// fixtureModule copies the analyzer's GOPATH-style fixtures into a module:
// the fixture packages in the main module, each stand-in third-party
// package (a first path element with a dot, but not example.com) a module
// of its own, required and replaced by directory.
func fixtureModule(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "analyzer", "testdata", "src")
	dst := t.TempDir()
	type mod struct {
		path    string
		imports map[string]bool
	}
	var mods []*mod
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(out), 0o777); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o666)
	})
	if err != nil {
		t.Fatal(err)
	}
	// the stand-in modules: directories with .go files under a dotted
	// first element
	fset := token.NewFileSet()
	err = filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		rel = filepath.ToSlash(rel)
		first, _, _ := strings.Cut(rel, "/")
		if !strings.Contains(first, ".") || first == "example.com" {
			return nil
		}
		gos, _ := filepath.Glob(filepath.Join(p, "*.go"))
		if len(gos) == 0 {
			return nil
		}
		m := &mod{path: rel, imports: map[string]bool{}}
		for _, g := range gos {
			f, err := parser.ParseFile(fset, g, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				m.imports[path] = true
			}
		}
		mods = append(mods, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	version := func(path string) string {
		if i := strings.LastIndex(path, "/v"); i >= 0 {
			if n, err := strconv.Atoi(path[i+2:]); err == nil && n >= 2 {
				return fmt.Sprintf("v%d.0.0", n)
			}
		}
		return "v0.0.0"
	}
	var root strings.Builder
	root.WriteString("module fixtures\n\ngo 1.26\n\n")
	for _, m := range mods {
		fmt.Fprintf(&root, "require %s %s\n", m.path, version(m.path))
		fmt.Fprintf(&root, "replace %s => ./%s\n", m.path, m.path)
		var gm strings.Builder
		fmt.Fprintf(&gm, "module %s\n\ngo 1.26\n", m.path)
		for _, o := range mods {
			if m.imports[o.path] {
				fmt.Fprintf(&gm, "\nrequire %s %s\n", o.path, version(o.path))
			}
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.FromSlash(m.path), "go.mod"), []byte(gm.String()), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(root.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	return dst
}

func flagshipRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := portlint.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestPrefilterFixtures runs the analyzer's fixtures with and without the
// prefilter, as a whole and package by package (where a call of another
// package's function whose parameter says port is the only clue).
func TestPrefilterFixtures(t *testing.T) {
	dir := fixtureModule(t)
	reg := flagshipRegistry(t)
	f, u := samePrefiltered(t, dir, reg, "./...")
	if f < 50 || u < 100 {
		t.Errorf("the fixtures gave %d findings and %d uses; expected the analyzer's fixtures to give many", f, u)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.Contains(e.Name(), ".") {
			samePrefiltered(t, dir, reg, "./"+e.Name()+"/...")
		}
	}
	samePrefiltered(t, dir, reg, "./example.com/...")
}

// TestPrefilterGenerated runs a generated module with and without the
// prefilter, whole and by parts.
func TestPrefilterGenerated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "synth")
	if err := synth.Write(dir, synth.Options{Packages: 120, Manifests: 10, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f, u := samePrefiltered(t, dir, reg, "./...")
	if f == 0 || u < 20 {
		t.Errorf("the generated module gave %d findings and %d uses", f, u)
	}
	samePrefiltered(t, dir, reg, "./cmd/...")
	samePrefiltered(t, dir, reg, "./lib/...")
}

// TestPrefilterCalls covers packages whose only clue is a call of another
// package's function whose parameter says port: plain, generic with one
// and with two explicit type arguments, and a method; named as a whole and
// apart from the package that declares the function.
func TestPrefilterCalls(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/calls\n\ngo 1.26\n",
		"srv/srv.go": `// Package srv starts servers.
package srv

import (
	"net"
	"strconv"
)

// Serve listens on port.
func Serve(port int) error {
	_, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	return err
}

// ServeT listens on port.
func ServeT[T any](port int, _ T) error { return Serve(port) }

// ServeU listens on port.
func ServeU[T, U any](port int) error { return Serve(port) }

// A Server listens.
type Server struct{}

// Open listens on port.
func (Server) Open(port int) error { return Serve(port) }
`,
		"cmd/plain/main.go":    "package main\n\nimport \"example.com/calls/srv\"\n\nfunc main() { srv.Serve(8001) }\n",
		"cmd/generic/main.go":  "package main\n\nimport \"example.com/calls/srv\"\n\nfunc main() { srv.ServeT[int](8002, 0) }\n",
		"cmd/generic2/main.go": "package main\n\nimport \"example.com/calls/srv\"\n\nfunc main() { srv.ServeU[int, string](8003) }\n",
		"cmd/method/main.go":   "package main\n\nimport \"example.com/calls/srv\"\n\nfunc main() { srv.Server{}.Open(8004) }\n",
		// a method of a package the caller reaches without importing it
		"mk/mk.go":             "// Package mk makes servers.\npackage mk\n\nimport \"example.com/calls/srv\"\n\n// New returns a server.\nfunc New() srv.Server { return srv.Server{} }\n",
		"cmd/indirect/main.go": "package main\n\nimport \"example.com/calls/mk\"\n\nfunc main() { mk.New().Open(8005) }\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	reg := flagshipRegistry(t)
	for _, c := range []struct {
		patterns []string
		calls    int
	}{
		{[]string{"./..."}, 5},
		{[]string{"./cmd/..."}, 5},
		{[]string{"./cmd/plain"}, 1},
		{[]string{"./cmd/generic", "./cmd/generic2"}, 2},
		{[]string{"./cmd/method"}, 1},
		{[]string{"./cmd/indirect"}, 1},
	} {
		if f, _ := samePrefiltered(t, dir, reg, c.patterns...); f != c.calls {
			t.Errorf("%v: %d findings without the prefilter, want one per call (%d)", c.patterns, f, c.calls)
		}
	}
}

// TestPrefilterTests runs a module with -test, with and without the
// prefilter: test variants and an external test package whose package
// under test has no use of its own are loaded through that package.
func TestPrefilterTests(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"go.mod":      "module example.com/tests\n\ngo 1.26\n",
		"a/a.go":      "// Package a has no port.\npackage a\n\n// A is one.\nconst A = 1\n",
		"a/a_test.go": "package a\n\nimport (\n\t\"net\"\n\t\"testing\"\n)\n\nfunc TestA(t *testing.T) { net.Listen(\"tcp\", \":8081\") }\n",
		"b/b.go":      "// Package b has no port.\npackage b\n\n// B is one.\nconst B = 1\n",
		"b/x_test.go": "package b_test\n\nimport (\n\t\"net\"\n\t\"testing\"\n\n\t\"example.com/tests/b\"\n)\n\nfunc TestB(t *testing.T) { _ = b.B; net.Listen(\"tcp\", \":8082\") }\n",
		"c/c.go":      "// Package c listens.\npackage c\n\nimport \"net\"\n\n// C listens.\nfunc C() { net.Listen(\"tcp\", \":8083\") }\n",
		"c/c_test.go": "package c\n\nimport \"testing\"\n\nfunc TestC(t *testing.T) { C() }\n",
	})
	reg := flagshipRegistry(t)
	if f, _ := samePrefilteredOpts(t, reg, goOptions{dir: dir, patterns: []string{"./..."}, tests: true}); f < 3 {
		t.Errorf("-test: %d findings without the prefilter, want one per listener (3)", f)
	}
}

// TestKeptList: PORTLINT_KEPT=file writes the import paths of the packages
// the prefilter keeps for the typed load, one per line.
func TestKeptList(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"go.mod":   "module example.com/kept\n\ngo 1.26\n",
		"a/a.go":   "// Package a has no port.\npackage a\n\n// A is one.\nconst A = 1\n",
		"c/c.go":   "// Package c listens.\npackage c\n\nimport \"net\"\n\n// C listens.\nfunc C() { net.Listen(\"tcp\", \":8083\") }\n",
		"d/d.go":   "// Package d calls c.\npackage d\n\nimport \"example.com/kept/c\"\n\n// D listens through c.\nfunc D() { c.C() }\n",
		"e/e.go":   "// Package e names an address.\npackage e\n\n// ListenAddr is where it listens.\nvar ListenAddr string\n",
		"f/doc.go": "// Package f is empty.\npackage f\n",
	})
	kept := filepath.Join(t.TempDir(), "kept")
	t.Setenv("PORTLINT_KEPT", kept)
	runGoOpts(t, flagshipRegistry(t), goOptions{dir: dir, patterns: []string{"./..."}, prefilter: true})
	b, err := os.ReadFile(kept)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "example.com/kept/c\nexample.com/kept/e\n"; got != want {
		t.Errorf("PORTLINT_KEPT wrote %q, want %q", got, want)
	}
}

// writeFiles writes files (slash-separated names) into a new temporary
// directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
