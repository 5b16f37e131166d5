package plugin

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// write creates the files of a tree below dir.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// plan is a small valid registry.
const plan = `version: 1
groups:
  g: {pool: "[1000, 2000)"}
ranges:
  - {name: a, group: g, span: "[1000, 1100)"}
components:
  - {name: api, group: g, ranges: [a], ports: [{port: 1001}]}
`

// TestDigestFollowsRegistries changes, one at a time, each file a run
// without a registry setting can read, and files it cannot: the name of
// the digest analyzer changes exactly for the former.
func TestDigestFollowsRegistries(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "mod")
	write(t, dir, map[string]string{
		"registry.yaml":                  plan + "# above the module\n",
		"mod/go.mod":                     "module example.com/mod\n",
		"mod/registry.yaml":              plan,
		"mod/svc/registry.yaml":          plan + "# the service's own\n",
		"mod/cfg/.portlint.yaml":         "registry: ../plans/cfg.yaml\n",
		"mod/plans/cfg.yaml":             plan + "# named by cfg/.portlint.yaml\n",
		"mod/svc/testdata/registry.yaml": plan + "# a fixture\n",
		"mod/.hidden/registry.yaml":      plan + "# hidden\n",
		"mod/plans/other.yaml":           plan + "# named by nothing\n",
		"mod/svc/main.go":                "package main\n",
	})
	name := func() string {
		t.Helper()
		d, err := fingerprint(root, filepath.Join(root, "svc"), "")
		if err != nil {
			t.Fatal(err)
		}
		return d.name()
	}
	before := name()
	if !token.IsIdentifier(before) || !strings.HasPrefix(before, "portlint_plan_") {
		t.Fatalf("name %q is not an identifier starting portlint_plan_", before)
	}
	if again := name(); again != before {
		t.Fatalf("the name changed with nothing edited: %s, then %s", before, again)
	}
	for _, tc := range []struct {
		file    string
		changes bool
	}{
		{"mod/registry.yaml", true},
		{"mod/svc/registry.yaml", true},
		{"mod/cfg/.portlint.yaml", true},
		{"mod/plans/cfg.yaml", true},
		{"mod/svc/testdata/registry.yaml", false},
		{"mod/.hidden/registry.yaml", false},
		{"mod/plans/other.yaml", false},
		{"mod/svc/main.go", false},
		{"mod/new/registry.yaml", true}, // created
	} {
		p := filepath.Join(dir, tc.file)
		old, _ := os.ReadFile(p)
		write(t, dir, map[string]string{tc.file: string(old) + "# edited\n"})
		after := name()
		if changed := after != before; changed != tc.changes {
			t.Errorf("editing %s: name changed = %v, want %v", tc.file, changed, tc.changes)
		}
		before = after
	}
}

// TestDigestExplicit digests the registry the setting names and
// .portlint.yaml, not the registries the run no longer searches for.
func TestDigestExplicit(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"go.mod":        "module example.com/mod\n",
		"registry.yaml": plan,
		"plan.yaml":     plan,
	})
	explicit := filepath.Join(dir, "plan.yaml")
	name := func() string {
		d, err := fingerprint(dir, dir, explicit)
		if err != nil {
			t.Fatal(err)
		}
		return d.name()
	}
	before := name()
	write(t, dir, map[string]string{"registry.yaml": plan + "# edited\n"})
	if name() != before {
		t.Errorf("editing a registry the run does not read changed the name")
	}
	write(t, dir, map[string]string{"plan.yaml": plan + "# edited\n"})
	after := name()
	if after == before {
		t.Errorf("editing the registry setting's file left the name as it was")
	}
	write(t, dir, map[string]string{".portlint.yaml": "checks: {disable: [bind]}\n"})
	if name() == after {
		t.Errorf("creating .portlint.yaml, whose checks the plugin reads, left the name as it was")
	}
}

// TestDigestSharedAcrossCheckouts gives two copies of one tree the same
// name, so that a restored golangci-lint cache serves another checkout.
func TestDigestSharedAcrossCheckouts(t *testing.T) {
	var names []string
	for range 2 {
		dir := t.TempDir()
		write(t, dir, map[string]string{"go.mod": "module example.com/mod\n", "registry.yaml": plan})
		d, err := fingerprint(dir, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, d.name())
	}
	if names[0] != names[1] {
		t.Errorf("two checkouts of one tree: %s and %s", names[0], names[1])
	}
}

// TestDigestWarns runs the digest analyzer on a package whose registry
// the digest does not cover: it warns once, naming the file.
func TestDigestWarns(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"mod/go.mod":              "module example.com/mod\n",
		"mod/registry.yaml":       plan,
		"mod/a/a.go":              "package a\n",
		"elsewhere/registry.yaml": plan,
		"elsewhere/.git/HEAD":     "ref: refs/heads/main\n", // a repository: discovery stops at its root
		"elsewhere/b/b.go":        "package b\n",
	})
	root := filepath.Join(dir, "mod")
	d, err := fingerprint(root, root, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	d.warnTo = &buf
	run := func(file string) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(dir, file), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.run(&analysis.Pass{Fset: fset, Files: []*ast.File{f}}); err != nil {
			t.Fatal(err)
		}
	}
	run("mod/a/a.go")
	if buf.Len() != 0 {
		t.Fatalf("warned about a covered registry: %s", buf.String())
	}
	run("elsewhere/b/b.go")
	run("elsewhere/b/b.go")
	want := filepath.Join(dir, "elsewhere", "registry.yaml") + " was not found when golangci-lint started"
	if got := buf.String(); strings.Count(got, "WARN [portlint]") != 1 || !strings.Contains(got, want) {
		t.Errorf("warnings:\n%s\nwant one saying %q", got, want)
	}
}
