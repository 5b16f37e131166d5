// Package lsptest drives a real editor, Neovim, as the client of a
// language server in end-to-end tests: portlint's own server and a gopls
// built with portlint's analyzer.
//
// Neovim 0.7 (Debian's) has no vim.lsp.start; the script starts the server
// with vim.lsp.start_client, attaches buffers with vim.lsp.buf_attach_client
// and runs headless: nvim --headless --clean -c 'luafile script' </dev/null,
// under a timeout. Steps wait for a count of diagnostics (not for the first
// publication), apply code actions with Neovim's own workspace-edit code,
// and ask for hovers; the results come back as JSON.
package lsptest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Neovim returns the path of nvim. Without it the test is skipped, except
// under CI=true, where it fails.
func Neovim(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("nvim")
	if err == nil {
		return p
	}
	const msg = "nvim not found: the editor test needs Neovim 0.7 or later (apt-get install -y neovim)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// A Step is one thing the editor does.
type Step struct {
	// Op is "open" (edit File and attach the server), "wait" (until File
	// has Count diagnostics from Source), "action" (apply the code action
	// titled Title at the first occurrence of Text on Line of File),
	// "hover" (at Text on Line of File), or "edit" (replace the first
	// occurrence of Text on Line by NewText, as typing would).
	Op      string `json:"op"`
	File    string `json:"file"`
	Count   int    `json:"count"`
	Source  string `json:"source,omitempty"`
	Line    int    `json:"line"` // 0-based
	Text    string `json:"text,omitempty"`
	NewText string `json:"new_text,omitempty"`
	Title   string `json:"title,omitempty"`
	// TimeoutMS bounds a wait (default 60 s).
	TimeoutMS int `json:"timeout_ms,omitempty"`
}

// A Diagnostic is one as Neovim holds it: lines 0-based, columns in bytes
// of the buffer's text, converted by Neovim from the server's positions.
type Diagnostic struct {
	Lnum    int    `json:"lnum"`
	Col     int    `json:"col"`
	EndLnum int    `json:"end_lnum"`
	EndCol  int    `json:"end_col"`
	Message string `json:"message"`
	Source  string `json:"source"`
	Code    any    `json:"code"`
}

// A Result is what a step saw.
type Result struct {
	Op          string            `json:"op"`
	File        string            `json:"file"`
	OK          bool              `json:"ok"`
	Diagnostics []Diagnostic      `json:"diagnostics"`
	Raw         []json.RawMessage `json:"raw"`   // the server's last publication for the file
	Lines       []string          `json:"lines"` // the buffer after an action or edit
	Titles      []string          `json:"titles"`
	Hover       string            `json:"hover"`
}

// Config says what to run.
type Config struct {
	Cmd   []string // the language server's command line
	Root  string   // the workspace root
	Steps []Step
	// Env is added to the environment of nvim and the server.
	Env []string
	// Timeout bounds the whole session (default 5 minutes).
	Timeout time.Duration
}

//go:embed harness.lua
var script string

// Run runs Neovim headless through the steps and returns a result per step.
func Run(t testing.TB, nvim string, cfg Config) []Result {
	t.Helper()
	tmp := t.TempDir()
	spec := map[string]any{"cmd": cfg.Cmd, "root": cfg.Root, "steps": cfg.Steps, "output": filepath.Join(tmp, "out.json")}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(tmp, "spec.json")
	scriptPath := filepath.Join(tmp, "harness.lua")
	if err := os.WriteFile(specPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scriptPath, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	cmd := exec.Command("timeout", fmt.Sprint(int(timeout.Seconds())), nvim, "--headless", "--clean", "-c", "luafile "+scriptPath)
	cmd.Dir = cfg.Root
	cmd.Env = append(os.Environ(), "PORTLINT_NVIM_SPEC="+specPath, "XDG_STATE_HOME="+tmp, "XDG_DATA_HOME="+tmp)
	if !hasEnv(cfg.Env, "XDG_CACHE_HOME") {
		cmd.Env = append(cmd.Env, "XDG_CACHE_HOME="+tmp)
	}
	// Neovim's log goes to XDG_CACHE_HOME; the go command's build cache
	// stays where it is, or every run would compile the standard library.
	if !hasEnv(cfg.Env, "GOCACHE") {
		if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
			cmd.Env = append(cmd.Env, "GOCACHE="+strings.TrimSpace(string(out)))
		}
	}
	cmd.Env = append(cmd.Env, cfg.Env...)
	out, err := cmd.CombinedOutput()
	raw, rerr := os.ReadFile(filepath.Join(tmp, "out.json"))
	if rerr != nil {
		t.Fatalf("nvim wrote no results (%v): %v\n%s%s", err, rerr, out, lspLog(cmd.Env))
	}
	var res struct {
		Results []Result `json:"results"`
		Error   string   `json:"error"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("nvim results: %v\n%s", err, raw)
	}
	if res.Error != "" {
		t.Fatalf("nvim: %s\nresults so far: %s\n%s%s", res.Error, raw, out, lspLog(cmd.Env))
	}
	return res.Results
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// lspLog returns the tail of Neovim's LSP log, for failures.
func lspLog(env []string) string {
	var cache string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_CACHE_HOME="); ok {
			cache = v
		}
	}
	data, err := os.ReadFile(filepath.Join(cache, "nvim", "lsp.log"))
	if err != nil {
		return ""
	}
	if len(data) > 8000 {
		data = data[len(data)-8000:]
	}
	return "\nlsp.log:\n" + string(data)
}

// CopyDir copies a directory tree, such as a fixture module, to a new
// temporary directory and returns it.
func CopyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// Line returns the 0-based number of the first line of the file holding
// text, and the line.
func Line(t testing.TB, file, text string) (int, string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			return i, l
		}
	}
	t.Fatalf("%s: no line holds %q", file, text)
	return 0, ""
}
