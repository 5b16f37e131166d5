package plugin

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/portlint/portlint/check"
)

// TestConfigChecks starts from .portlint.yaml's checks, as the portlint
// command does, and lets the settings override them.
func TestConfigChecks(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"go.mod":         "module example.com/mod\n",
		".portlint.yaml": "checks:\n  disable: [retired, bind]\n  enable: [unused]\n",
	})
	p, err := newPlugin(Settings{Enable: []string{"bind"}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{check.Retired: false, check.BindCheck: true, check.Conflict: true} {
		if got := p.opts.Enabled[name]; got != want {
			t.Errorf("check %s enabled = %v, want %v", name, got, want)
		}
	}
}

// TestRegistryRelativeToModuleRoot resolves a relative registry against
// the module root even when golangci-lint runs in a subdirectory.
func TestRegistryRelativeToModuleRoot(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"go.mod":           "module example.com/mod\n",
		"plans/ports.yaml": plan,
		"cmd/api/main.go":  "package main\n",
	})
	p, err := newPlugin(Settings{Registry: "plans/ports.yaml"}, filepath.Join(dir, "cmd", "api"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "plans", "ports.yaml"); p.opts.RegistryPath != want {
		t.Errorf("RegistryPath = %s, want %s", p.opts.RegistryPath, want)
	}
}

// TestAllFirst applies "all" before the checks named, as the portlint
// command does.
func TestAllFirst(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"go.mod": "module example.com/mod\n"})
	for _, tc := range []struct {
		s    Settings
		want []string
	}{
		{Settings{Disable: []string{"all"}, Enable: []string{"bind"}}, []string{check.BindCheck}},
		{Settings{Enable: []string{"all"}, Disable: []string{"unregistered,duplicate,unused"}},
			[]string{check.Conflict, check.ForeignRange, check.Retired, check.BindCheck, check.Reserved, check.ProbePort, check.TargetPort, check.Drift, check.Directive}},
	} {
		p, err := newPlugin(tc.s, dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range check.Checks {
			if p.opts.Enabled[c.Name] {
				got = append(got, c.Name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v: enabled %v, want %v", tc.s, got, tc.want)
		}
	}
}
