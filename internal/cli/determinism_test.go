package cli

import (
	"path/filepath"
	"testing"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// TestDeterministicOutput: every output format prints the same bytes run
// after run, on every processor or on one (GOMAXPROCS=1), with the result
// cache off, filling or replaying.
func TestDeterministicOutput(t *testing.T) {
	dir := lsptest.CopyDir(t, filepath.Join("..", "..", "examples", "engine"))
	cache := filepath.Join(t.TempDir(), "cache")
	for _, args := range [][]string{
		{"./..."},
		{"-json", "./..."},
		{"-sarif", "./..."},
		{"-unused", "-c", "1", "./..."},
		{"ports", "-json", "./..."},
		{"ports", "./..."},
	} {
		var first measured
		for i, env := range [][]string{
			{"PORTLINT_CACHE=off"},
			{"PORTLINT_CACHE=off", "GOMAXPROCS=1"},
			{"PORTLINT_CACHE=" + cache},
			{"PORTLINT_CACHE=" + cache, "GOMAXPROCS=1"},
			{"PORTLINT_CACHE=off"},
		} {
			m := runMeasured(t, dir, env, args...)
			if i == 0 {
				if m.stdout == "" {
					t.Fatalf("%v printed nothing", args)
				}
				first = m
				continue
			}
			if m.stdout != first.stdout || m.stderr != first.stderr || m.code != first.code {
				t.Errorf("%v with %v: status %d and\n%s%s\nthe first run: status %d and\n%s%s", args, env, m.code, m.stdout, m.stderr, first.code, first.stdout, first.stderr)
			}
		}
	}
}
