package lsp

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
)

// A testClient drives a server in the same process over a pipe, as an
// editor would over stdio.
type testClient struct {
	t       testing.TB
	dir     string
	srv     *Server
	timeout time.Duration // of a wait for diagnostics (default 60 s)
	conn    *jsonrpc2.Conn
	done    chan error

	mu       sync.Mutex
	versions map[string]int
	texts    map[string]string
	diags    map[string][]PublishDiagnosticsParams // every publication, by URI
	messages []ShowMessageParams
	requests []string // methods the server called
	changed  chan struct{}
}

// startClient starts a server on dir and initializes it.
func startClient(t testing.TB, dir string, opts Options) *testClient {
	t.Helper()
	return startClientWith(t, dir, opts, ClientCapabilities{})
}

// startClientWith starts a server for a client with the capabilities.
func startClientWith(t testing.TB, dir string, opts Options, caps ClientCapabilities) *testClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, b := net.Pipe()
	c := &testClient{
		t: t, dir: dir, done: make(chan error, 1),
		versions: map[string]int{}, texts: map[string]string{},
		diags: map[string][]PublishDiagnosticsParams{}, changed: make(chan struct{}),
	}
	c.srv = newServer(opts)
	go func() { c.done <- c.srv.serve(ctx, a) }()
	c.conn = jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(b, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(c.handle))
	t.Cleanup(func() {
		defer cancel()
		defer c.conn.Close()
		sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
		defer scancel()
		_ = c.conn.Call(sctx, "shutdown", nil, nil) // the test may have shut it down
		_ = c.conn.Notify(sctx, "exit", nil)
		select {
		case err := <-c.done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("the server did not stop")
		}
	})
	var res InitializeResult
	if err := c.conn.Call(ctx, "initialize", InitializeParams{RootURI: pathURI(dir), Capabilities: caps}, &res); err != nil {
		t.Fatal(err)
	}
	if err := c.conn.Notify(ctx, "initialized", struct{}{}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *testClient) handle(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
	if !req.Notif {
		c.mu.Lock()
		c.requests = append(c.requests, req.Method)
		c.mu.Unlock()
	}
	switch req.Method {
	case "textDocument/publishDiagnostics":
		var p PublishDiagnosticsParams
		if err := json.Unmarshal(*req.Params, &p); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.diags[p.URI] = append(c.diags[p.URI], p)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	case "window/showMessage", "window/logMessage":
		var p ShowMessageParams
		if err := json.Unmarshal(*req.Params, &p); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.messages = append(c.messages, p)
		c.mu.Unlock()
	}
	return nil, nil
}

func (c *testClient) path(rel string) string { return filepath.Join(c.dir, filepath.FromSlash(rel)) }

func (c *testClient) uri(rel string) string { return pathURI(c.path(rel)) }

func (c *testClient) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatal(err)
	}
}

func (c *testClient) call(method string, params, result any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.conn.Call(ctx, method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// open opens a file of the fixture with its content on disk.
func (c *testClient) open(rel string) string {
	c.t.Helper()
	data, err := os.ReadFile(c.path(rel))
	if err != nil {
		c.t.Fatal(err)
	}
	lang := map[string]string{".go": "go", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}[filepath.Ext(rel)]
	c.mu.Lock()
	c.versions[rel] = 1
	c.texts[rel] = string(data)
	c.mu.Unlock()
	c.notify("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: c.uri(rel), LanguageID: lang, Version: 1, Text: string(data)}})
	return string(data)
}

// replace sends the whole new text of a document; it returns the version.
func (c *testClient) replace(rel, text string) int {
	c.t.Helper()
	c.mu.Lock()
	c.versions[rel]++
	v := c.versions[rel]
	c.texts[rel] = text
	c.mu.Unlock()
	c.notify("textDocument/didChange", DidChangeTextDocumentParams{
		TextDocument:   VersionedTextDocumentIdentifier{URI: c.uri(rel), Version: v},
		ContentChanges: []TextDocumentContentChangeEvent{{Text: text}},
	})
	return v
}

// edit sends one incremental change; it returns the version.
func (c *testClient) edit(rel string, r Range, newText string) int {
	c.t.Helper()
	c.mu.Lock()
	c.versions[rel]++
	v := c.versions[rel]
	c.mu.Unlock()
	c.notify("textDocument/didChange", DidChangeTextDocumentParams{
		TextDocument:   VersionedTextDocumentIdentifier{URI: c.uri(rel), Version: v},
		ContentChanges: []TextDocumentContentChangeEvent{{Range: &r, Text: newText}},
	})
	return v
}

// save writes the document's text to disk and tells the server.
func (c *testClient) save(rel string) {
	c.t.Helper()
	c.mu.Lock()
	text := c.texts[rel]
	c.mu.Unlock()
	if err := os.WriteFile(c.path(rel), []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.notify("textDocument/didSave", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: c.uri(rel)}})
}

// waitDiags waits for a publication for the file that satisfies ok, and
// returns it.
func (c *testClient) waitDiags(rel string, ok func(PublishDiagnosticsParams) bool) PublishDiagnosticsParams {
	c.t.Helper()
	uri := c.uri(rel)
	timeout := c.timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	deadline := time.After(timeout)
	seen := 0
	for {
		c.mu.Lock()
		ps := c.diags[uri]
		ch := c.changed
		c.mu.Unlock()
		for ; seen < len(ps); seen++ {
			if ok(ps[seen]) {
				return ps[seen]
			}
		}
		select {
		case <-ch:
		case <-deadline:
			var last any = "none"
			if len(ps) > 0 {
				last = ps[len(ps)-1]
			}
			c.t.Fatalf("%s: no matching diagnostics; last published: %+v", rel, last)
		}
	}
}

// waitCount waits for a publication of n diagnostics for the file.
func (c *testClient) waitCount(rel string, n int) []Diagnostic {
	c.t.Helper()
	return c.waitDiags(rel, func(p PublishDiagnosticsParams) bool { return len(p.Diagnostics) == n }).Diagnostics
}

// published returns every publication for the file so far.
func (c *testClient) published(rel string) []PublishDiagnosticsParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]PublishDiagnosticsParams(nil), c.diags[c.uri(rel)]...)
}

func (c *testClient) hover(rel string, pos Position) *Hover {
	c.t.Helper()
	var h *Hover
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: c.uri(rel)}, Position: pos}, &h)
	return h
}

func (c *testClient) codeActions(rel string, r Range, only ...string) []CodeAction {
	c.t.Helper()
	var as []CodeAction
	c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: c.uri(rel)}, Range: r, Context: CodeActionContext{Only: only}}, &as)
	return as
}

func (c *testClient) complete(rel string, pos Position) []CompletionItem {
	c.t.Helper()
	var l CompletionList
	c.call("textDocument/completion", CompletionParams{TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: c.uri(rel)}, Position: pos}}, &l)
	return l.Items
}

func (c *testClient) stats() stats {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return c.srv.stats
}

// find returns the UTF-16 position of the n-th (0-based) occurrence of
// sub in text, counted independently of the server's conversion.
func find(t testing.TB, text, sub string, n int) Position {
	t.Helper()
	off := -1
	for i := 0; i <= n; i++ {
		j := strings.Index(text[off+1:], sub)
		if j < 0 {
			t.Fatalf("%q: occurrence %d not found", sub, n)
		}
		off += 1 + j
	}
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndex(text[:off], "\n") + 1
	units := 0
	for _, r := range text[start:off] {
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
	}
	return Position{Line: line, Character: units}
}

// span returns the range of sub's n-th occurrence.
func span(t testing.TB, text, sub string, n int) Range {
	t.Helper()
	p := find(t, text, sub, n)
	end := p
	for _, r := range sub {
		if r >= 0x10000 {
			end.Character += 2
		} else {
			end.Character++
		}
	}
	return Range{Start: p, End: end}
}

// offsetOf converts a UTF-16 position to a byte offset, independently of
// the server's conversion.
func offsetOf(text string, p Position) int {
	lines := strings.SplitAfter(text, "\n")
	off := 0
	for i := 0; i < p.Line && i < len(lines); i++ {
		off += len(lines[i])
	}
	if p.Line >= len(lines) {
		return len(text)
	}
	units := 0
	for i, r := range lines[p.Line] {
		if units >= p.Character || r == '\n' {
			return off + i
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
	}
	return off + len(lines[p.Line])
}

// applyEdits applies text edits with UTF-16 ranges, last first.
func applyEdits(t testing.TB, text string, edits []TextEdit) string {
	t.Helper()
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		s, en := offsetOf(text, e.Range.Start), offsetOf(text, e.Range.End)
		text = text[:s] + e.NewText + text[en:]
	}
	return text
}
