package goplsportlint_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// TestGoplsInNeovim builds gopls with portlint compiled in (../build.sh,
// cached after the first build) and runs it under Neovim on the language
// server's fixture module: portlint's finding appears among gopls's
// diagnostics, its quick fix applies, and after the plan changes on disk
// a new gopls session does not serve the old verdict from its cache.
func TestGoplsInNeovim(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gopls")
	}
	nvim := lsptest.Neovim(t)
	build := exec.Command("bash", filepath.Join("..", "build.sh"))
	build.Stderr = os.Stderr
	out, err := build.Output()
	if err != nil {
		t.Fatalf("build.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	gopls := lines[len(lines)-1]

	root := lsptest.CopyDir(t, filepath.Join("..", "..", "..", "internal", "lsp", "testdata", "fixture"))
	const (
		agent = "cmd/agent/main.go"
		dam   = "cmd/data_dam/main.go"
	)
	line, text := lsptest.Line(t, filepath.Join(root, agent), `":8099"`)
	env := []string{"GOPLSCACHE=" + t.TempDir()} // shared by both sessions

	res := lsptest.Run(t, nvim, lsptest.Config{
		Cmd:  []string{gopls},
		Root: root,
		Env:  env,
		Steps: []lsptest.Step{
			// data_dam first: gopls writes its analysis to its cache
			// while the rest of the session runs
			{Op: "open", File: dam},
			{Op: "wait", File: dam, Count: 2, Source: "portlint"},
			{Op: "open", File: agent},
			{Op: "wait", File: agent, Count: 1, Source: "portlint"},
			{Op: "action", File: agent, Line: line, Text: "8099", Title: "Replace 8099 with 20000"},
			{Op: "wait", File: agent, Count: 0, Source: "portlint"},
			{Op: "hover", File: agent, Line: line, Text: "ListenAndServe"},
		},
	})
	for i, r := range res {
		if !r.OK {
			t.Errorf("step %d (%s %s) failed: %+v", i, r.Op, r.File, r)
		}
	}
	if t.Failed() {
		return
	}
	d := res[3].Diagnostics[0]
	col := strings.Index(text, "8099")
	if d.Message != "port 8099 is retired: agent moved to 20000 [retired]" || d.Lnum != line || d.Col != col || d.EndCol != col+4 {
		t.Errorf("gopls diagnostic = %+v, want the retired port at line %d bytes %d-%d", d, line, col, col+4)
	}
	orig, err := os.ReadFile(filepath.Join(root, agent))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(res[4].Lines, "\n")+"\n", strings.Replace(string(orig), "8099", "20000", 1); got != want {
		t.Errorf("after gopls's quick fix:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(res[6].Hover, "ListenAndServe") {
		t.Errorf("gopls hover: %q", res[6].Hover)
	}

	// The plan lets data_dam bind its control port on every address: a new
	// session on the unchanged file must analyze it afresh rather than
	// answer from gopls's cache, and keep only the conflict.
	regPath := filepath.Join(root, "registry.yaml")
	reg, err := os.ReadFile(regPath)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(reg), "{port: 28952, bind: localhost, purpose: local control}", "{port: 28952, purpose: local control}", 1)
	if edited == string(reg) {
		t.Fatal("the fixture's registry changed; update the test")
	}
	if err := os.WriteFile(regPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	res = lsptest.Run(t, nvim, lsptest.Config{
		Cmd:   []string{gopls},
		Root:  root,
		Env:   env,
		Steps: []lsptest.Step{{Op: "open", File: dam}, {Op: "wait", File: dam, Count: 1, Source: "portlint"}},
	})
	if ds := res[1].Diagnostics; !res[1].OK || len(ds) != 1 || ds[0].Message != "port 20200 belongs to webserver (SE-M), not data_dam [conflict]" {
		t.Errorf("after the plan changed, gopls reports %+v", ds)
	}
}
