package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
)

// TestLSPCommand runs "portlint lsp -registry FILE" in-process on pipes,
// as an editor runs it on stdio: the server answers initialize, checks an
// opened manifest against the registry the flag names (relative to -C),
// and exits cleanly after shutdown and exit.
func TestLSPCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("plan.yaml", `version: 1
groups:
  web: {pool: "[7000, 8000)"}
ranges:
  - {name: web.apps, group: web, span: "[7000, 7100)"}
components:
  - name: web
    group: web
    ranges: [web.apps]
    manifests: ["compose.yaml"]
    ports:
      - {port: 7001, was: 8001}
`)
	// "8001:8001" names the retired port twice; one finding on the line fixes both
	const compose = "services:\n  web:\n    ports: [\"8001:8001\"]\n"
	write("compose.yaml", compose)

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, &Env{Stdin: inR, Stdout: outW, Stderr: &stderr, Dir: t.TempDir()}, []string{"-C", dir, "lsp", "-registry", "plan.yaml"})
		outW.Close()
	}()

	diags := make(chan json.RawMessage, 10)
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(struct {
		io.Reader
		io.WriteCloser
	}{outR, inW}, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		if req.Method == "textDocument/publishDiagnostics" {
			diags <- *req.Params
		}
		return nil, nil
	}))
	defer conn.Close()

	var init struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
			HoverProvider    bool   `json:"hoverProvider"`
		} `json:"capabilities"`
		ServerInfo struct{ Name string } `json:"serverInfo"`
	}
	if err := conn.Call(ctx, "initialize", map[string]any{"rootUri": "file://" + dir, "capabilities": map[string]any{}}, &init); err != nil {
		t.Fatal(err)
	}
	if init.ServerInfo.Name != "portlint" || init.Capabilities.PositionEncoding != "utf-16" || !init.Capabilities.HoverProvider {
		t.Errorf("initialize = %+v", init)
	}
	if err := conn.Notify(ctx, "initialized", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	uri := "file://" + filepath.Join(dir, "compose.yaml")
	if err := conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": 1, "text": compose}}); err != nil {
		t.Fatal(err)
	}
	select {
	case raw := <-diags:
		var p struct {
			URI         string
			Diagnostics []struct{ Message, Code string }
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if p.URI != uri || len(p.Diagnostics) != 1 || !strings.Contains(p.Diagnostics[0].Message, "port 8001 is retired: web moved to 7001") {
			t.Errorf("diagnostics = %s", raw)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no diagnostics; stderr: %s", stderr.String())
	}
	if err := conn.Call(ctx, "shutdown", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Notify(ctx, "exit", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("portlint lsp: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("portlint lsp did not exit")
	}
}

func TestLSPCommandUsage(t *testing.T) {
	var stderr bytes.Buffer
	err := Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr}, []string{"lsp", "extra"})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitUsage {
		t.Errorf("portlint lsp extra: %v, want exit status %d", err, ExitUsage)
	}
}
