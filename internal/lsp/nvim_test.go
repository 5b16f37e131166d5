package lsp_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// TestNeovim runs portlint lsp under a real editor: Neovim opens a Go file
// and a manifest of the fixture module, waits for their diagnostics,
// applies the fix of a retired port in each and sees the finding go, and
// hovers over ports.
func TestNeovim(t *testing.T) {
	if testing.Short() {
		t.Skip("builds portlint and runs Neovim")
	}
	nvim := lsptest.Neovim(t)
	bin := filepath.Join(t.TempDir(), "portlint")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/portlint/portlint/cmd/portlint").CombinedOutput(); err != nil {
		t.Fatalf("building portlint: %v\n%s", err, out)
	}
	root := lsptest.CopyDir(t, filepath.Join("testdata", "fixture"))
	const (
		agent = "cmd/agent/main.go"
		api   = "cmd/agent/api/main.go"
		ds    = "deploy/agent/daemonset.yaml"
	)
	agentLine, agentText := lsptest.Line(t, filepath.Join(root, agent), `":8099"`)
	dsLine, dsText := lsptest.Line(t, filepath.Join(root, ds), "containerPort: 8099")
	resLine, _ := lsptest.Line(t, filepath.Join(root, ds), "containerPort: 15001")
	portLine, _ := lsptest.Line(t, filepath.Join(root, api), `":20000"`)

	res := lsptest.Run(t, nvim, lsptest.Config{
		Cmd:  []string{bin, "lsp"},
		Root: root,
		Steps: []lsptest.Step{
			{Op: "open", File: agent},
			{Op: "wait", File: agent, Count: 1, Source: "portlint"},
			{Op: "open", File: ds},
			{Op: "wait", File: ds, Count: 2, Source: "portlint"},
			{Op: "hover", File: ds, Line: resLine, Text: "15001"},
			{Op: "open", File: api},
			{Op: "wait", File: api, Count: 0, Source: "portlint"},
			{Op: "hover", File: api, Line: portLine, Text: "20000"},
			{Op: "action", File: agent, Line: agentLine, Text: "8099", Title: "Replace 8099 with 20000"},
			{Op: "wait", File: agent, Count: 0, Source: "portlint"},
			{Op: "action", File: ds, Line: dsLine, Text: "8099", Title: "Replace 8099 with 20000"},
			{Op: "wait", File: ds, Count: 1, Source: "portlint"},
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

	// Neovim converted the server's UTF-16 columns to bytes of the buffer:
	// they must land on the digits, after «旧» 🚀.
	d := res[1].Diagnostics[0]
	col := strings.Index(agentText, "8099")
	if d.Message != "port 8099 is retired: agent moved to 20000\nhint: use 20000, the port that replaced it" || d.Lnum != agentLine || d.Col != col || d.EndCol != col+4 {
		t.Errorf("Go diagnostic = %+v, want line %d bytes %d-%d", d, agentLine, col, col+4)
	}
	var raw []struct {
		Range struct {
			Start struct{ Line, Character int }
		}
	}
	if err := json.Unmarshal(mustJSON(t, res[1].Raw), &raw); err != nil || len(raw) != 1 {
		t.Fatalf("raw diagnostics %s: %v", mustJSON(t, res[1].Raw), err)
	}
	if want := len(utf16.Encode([]rune(agentText[:col]))); raw[0].Range.Start.Character != want || want == col {
		t.Errorf("the server sent character %d, want %d UTF-16 units (%d bytes)", raw[0].Range.Start.Character, want, col)
	}

	msgs := map[string]lsptest.Diagnostic{}
	for _, d := range res[3].Diagnostics {
		msgs[d.Message] = d
	}
	ret, ok := msgs["port 8099 is retired: agent moved to 20000\nhint: use 20000, the port that replaced it"]
	col = strings.Index(dsText, "8099")
	if !ok || ret.Lnum != dsLine || ret.Col != col || ret.EndCol != col+4 {
		t.Errorf("manifest diagnostics = %+v, want the retired port at line %d bytes %d-%d", res[3].Diagnostics, dsLine, col, col+4)
	}
	if _, ok := msgs["port 15001 is reserved by the platform (Istio Envoy outbound)\nhint: use 20002, the next free port of engine.install, and register it for agent"]; !ok {
		t.Errorf("manifest diagnostics = %+v, want the reserved port", res[3].Diagnostics)
	}

	if h := res[4].Hover; !strings.Contains(h, "**reserved** by the platform: Istio Envoy outbound") {
		t.Errorf("hover on 15001:\n%s", h)
	}
	if h := res[7].Hover; !strings.Contains(h, "owner: **agent** `20000`") || !strings.Contains(h, "free nearby in engine.install: 20002, 20003") {
		t.Errorf("hover on 20000:\n%s", h)
	}

	wantFixed := func(file string, lines []string) {
		t.Helper()
		orig, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(string(orig), "8099", "20000", 1)
		if got := strings.Join(lines, "\n") + "\n"; got != want {
			t.Errorf("%s after the code action:\n%s\nwant:\n%s", file, got, want)
		}
	}
	wantFixed(agent, res[8].Lines)
	wantFixed(ds, res[10].Lines)
	if rest := res[11].Diagnostics; len(rest) != 1 || rest[0].Message != "port 15001 is reserved by the platform (Istio Envoy outbound)\nhint: use 20002, the next free port of engine.install, and register it for agent" {
		t.Errorf("manifest after the fix: %+v", rest)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
