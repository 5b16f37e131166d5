package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portlint/portlint/internal/config"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParse(t *testing.T) {
	c, err := config.Parse("p/.portlint.yaml", []byte(`registry: ops/registry.yaml
include: ["deploy/**"]
exclude: legacy/**
checks:
  enable: [unused]
  disable: [unregistered, bind]
severity:
  unregistered: error
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Registry != "ops/registry.yaml" || c.Dir != "p" || strings.Join(c.Include, ",") != "deploy/**" ||
		strings.Join(c.Exclude, ",") != "legacy/**" || strings.Join(c.Enable, ",") != "unused" ||
		strings.Join(c.Disable, ",") != "unregistered,bind" || c.Severity["unregistered"] != "error" {
		t.Errorf("got %+v", c)
	}
	if c, err := config.Parse("e.yaml", nil); err != nil || c == nil {
		t.Errorf("an empty config is valid: %v", err)
	}
}

// TestParseErrors: every problem is reported, each with file:line:col.
func TestParseErrors(t *testing.T) {
	_, err := config.Parse(".portlint.yaml", []byte(`reigstry: x.yaml
checks:
  enable: [unsued]
  disabled: [bind]
severity:
  bind: fatal
  nosuch: error
`))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		`.portlint.yaml:1:1: unknown key "reigstry"`,
		`.portlint.yaml:3:12: checks.enable: unknown check "unsued"`,
		`.portlint.yaml:4:3: unknown key "disabled" in checks`,
		`.portlint.yaml:6:9: severity.bind: "fatal" is not error, warning or note`,
		`.portlint.yaml:7:3: severity: unknown check "nosuch"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := config.Parse("bad.yaml", []byte("registry: [unclosed")); err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:1:1: not valid YAML") {
		t.Errorf("got %v", err)
	}
	if _, err := config.Parse("list.yaml", []byte("- a\n- b\n")); err == nil || !strings.Contains(err.Error(), "list.yaml:1:1: the config must be a mapping") {
		t.Errorf("got %v", err)
	}
}

// TestResolveRegistry: flag, then config, then the nearest registry.yaml up
// to the module root, then the embedded plan.
func TestResolveRegistry(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "registry.yaml"), "version: 1\ngroups: {g: {pool: \"[1, 10)\"}}\n")
	write(t, filepath.Join(root, "go.mod"), "module example.com/outer\n")
	mod := filepath.Join(root, "inner")
	write(t, filepath.Join(mod, "go.mod"), "module example.com/inner\n")
	sub := filepath.Join(mod, "cmd", "x")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}

	if src := config.ResolveRegistry(sub, "", nil); src.How != config.FromEmbedded {
		t.Errorf("inside a nested module the outer registry must not be found: %+v", src)
	}
	if src := config.ResolveRegistry(root, "", nil); src.How != config.FromFound || src.Path != filepath.Join(root, "registry.yaml") {
		t.Errorf("got %+v", src)
	}
	write(t, filepath.Join(mod, "plan", "registry.yaml"), "version: 1\ngroups: {g: {pool: \"[1, 10)\"}}\n")
	write(t, filepath.Join(mod, ".portlint.yaml"), "registry: plan/registry.yaml\n")
	p := config.Find(sub)
	if p != filepath.Join(mod, ".portlint.yaml") {
		t.Fatalf("Find = %q", p)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if src := config.ResolveRegistry(sub, "", cfg); src.How != config.FromConfig || src.Path != filepath.Join(mod, "plan", "registry.yaml") {
		t.Errorf("got %+v", src)
	}
	if src := config.ResolveRegistry(sub, "other.yaml", cfg); src.How != config.FromFlag || src.Path != filepath.Join(sub, "other.yaml") {
		t.Errorf("the flag wins: %+v", src)
	}
	if src := config.ResolveRegistry(sub, "", nil); src.String() != "the embedded default registry" {
		t.Errorf("got %q", src)
	}
	// -registry builtin names the embedded plan over everything found,
	// and says so; ./builtin is a file.
	if src := config.ResolveRegistry(root, "builtin", cfg); src.How != config.FromBuiltin || !src.Embedded() || src.Path != "" {
		t.Errorf("builtin: %+v", src)
	}
	if src := config.ResolveRegistry(root, "./builtin", nil); src.How != config.FromFlag || src.Path != filepath.Join(root, "builtin") {
		t.Errorf("./builtin is a file: %+v", src)
	}
	if reg, err := config.LoadRegistry(config.Source{How: config.FromBuiltin}); err != nil || len(reg.Components) == 0 {
		t.Errorf("builtin loads the embedded plan: %v", err)
	}
}

// TestLoadRegistryCache: an unchanged file is read once; an edited one is
// read again.
func TestLoadRegistryCache(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "registry.yaml")
	write(t, path, "version: 1\ngroups: {g: {pool: \"[1000, 2000)\"}}\n")
	src := config.Source{Path: path, How: config.FromFlag}
	a, err := config.LoadRegistry(src)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := config.LoadRegistry(src)
	if a != b {
		t.Error("an unchanged registry was parsed twice")
	}
	write(t, path, "version: 1\ngroups: {g: {pool: \"[3000, 4000)\"}}\n")
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	c, err := config.LoadRegistry(src)
	if err != nil {
		t.Fatal(err)
	}
	if c == a || c.Group("g").Pool.Lo != 3000 {
		t.Errorf("the edit was not read: pool %v", c.Group("g").Pool)
	}
	if _, err := config.LoadRegistry(config.Source{Path: filepath.Join(dir, "missing.yaml"), How: config.FromFlag}); err == nil {
		t.Error("a missing registry must fail")
	}
	def, err := config.LoadRegistry(config.Source{How: config.FromEmbedded})
	if err != nil || def.Component("webserver") == nil {
		t.Errorf("embedded: %v", err)
	}
}

// TestRoot stops discovery at a module, at a repository, or, with neither
// above, at the starting directory.
func TestRoot(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"mod/a/b", "repo/.git", "repo/x/y", "bare/c"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "mod", "go.mod"), []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ start, root, repo string }{
		{"mod/a/b", "mod", "mod"},
		{"repo/x/y", "repo", "repo"},
		{"bare/c", "bare/c", "bare/c"},
	} {
		if got := config.Root(filepath.Join(dir, tc.start)); got != filepath.Join(dir, tc.root) {
			t.Errorf("Root(%s) = %s, want %s", tc.start, got, tc.root)
		}
		if got := config.RepoRoot(filepath.Join(dir, tc.start)); got != filepath.Join(dir, tc.repo) {
			t.Errorf("RepoRoot(%s) = %s, want %s", tc.start, got, tc.repo)
		}
	}
}

// TestContained accepts files inside the repository and refuses paths and
// links that lead out of it.
func TestContained(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(repo, "ops"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"outside.yaml", "repo/ops/plan.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "outside.yaml"), filepath.Join(repo, "out.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ops/plan.yaml", filepath.Join(repo, "in.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"ops/plan.yaml", true},
		{"in.yaml", true},
		{"not-yet.yaml", true},
		{"ops/../ops/plan.yaml", true},
		{"../outside.yaml", false},
		{"ops/../../outside.yaml", false},
		{"out.yaml", false},
		{"/etc/passwd", false},
	} {
		p := tc.path
		if !filepath.IsAbs(p) {
			p = filepath.Join(repo, p)
		}
		err := config.Contained(repo, p)
		if (err == nil) != tc.ok {
			t.Errorf("Contained(%s) = %v, want ok=%v", tc.path, err, tc.ok)
		}
		var oe *config.OutsideError
		if err != nil && !errors.As(err, &oe) {
			t.Errorf("Contained(%s) = %T, want an *OutsideError", tc.path, err)
		}
	}
}
