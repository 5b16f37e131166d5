package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// rawClient talks to a server in bytes, to send what no well-behaved
// client would.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	done chan error
	log  *bytes.Buffer
}

func startRaw(t *testing.T) *rawClient {
	a, b := net.Pipe()
	c := &rawClient{t: t, conn: b, r: bufio.NewReader(b), done: make(chan error, 1), log: &bytes.Buffer{}}
	srv := newServer(Options{Log: &lockedWriter{w: c.log}})
	go func() { c.done <- srv.serve(context.Background(), a) }()
	t.Cleanup(func() {
		b.Close()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop when the stream closed")
		}
	})
	return c
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (c *rawClient) send(s string) {
	c.t.Helper()
	go func() { io.WriteString(c.conn, s) }()
}

func frame(body string) string {
	return "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// next reads one response.
func (c *rawClient) next() map[string]any {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	n := -1
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading a response: %v", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.r, body); err != nil {
		c.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		c.t.Fatalf("response %s: %v", body, err)
	}
	return m
}

func errCode(m map[string]any) float64 {
	e, _ := m["error"].(map[string]any)
	code, _ := e["code"].(float64)
	return code
}

// alive sends a request the server must answer with its id (before
// initialize, with -32002), proving that it still reads.
func (c *rawClient) alive(id int) {
	c.t.Helper()
	c.send(frame(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{}}`, id)))
	m := c.next()
	if m["id"] != float64(id) || errCode(m) != -32002 {
		c.t.Fatalf("the server no longer answers: %v\nlog:\n%s", m, c.log)
	}
}

// TestMalformedMessages: every message the server cannot decode is
// answered with a JSON-RPC error and a log line, and the session goes on.
func TestMalformedMessages(t *testing.T) {
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	for i, tc := range []struct {
		name, raw string
		code      float64
	}{
		{"invalid JSON", frame(`{"jsonrpc":"2.0","id":1,"method":`), -32700},
		{"deep nesting", frame(deep), -32700},
		{"object id", frame(`{"jsonrpc":"2.0","id":{"a":1},"method":"initialize"}`), -32600},
		{"not a message", frame(`[1,2,3]`), -32600},
		{"empty object", frame(`{}`), -32600},
		{"no Content-Length", "Content-Type: x\r\n\r\n", -32600},
		{"bad Content-Length", "Content-Length: -5\r\n\r\n", -32600},
		// the body runs into the next message, which is lost with it
		{"body shorter than its length", "Content-Length: 200\r\n\r\n{\"a\":1}" + frame(`{"jsonrpc":"2.0","id":77,"method":"x","params":{"pad":"`+strings.Repeat("p", 120)+`"}}`), -32700},
		{"body longer than its length", "Content-Length: 5\r\n\r\n{\"jsonrpc\":\"2.0\"}", -32700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startRaw(t)
			c.send(tc.raw)
			m := c.next()
			if errCode(m) != tc.code || m["id"] != nil {
				t.Errorf("response %v, want error %v with a null id", m, tc.code)
			}
			c.alive(100 + i)
			if !strings.Contains(c.log.String(), "portlint lsp:") {
				t.Errorf("nothing logged")
			}
		})
	}
}

// TestHugeMessage: a 50 MB message is discarded unread and answered;
// memory stays bounded.
func TestHugeMessage(t *testing.T) {
	c := startRaw(t)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const size = 50 << 20
	go func() {
		fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n", size)
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for i := 0; i < size>>20; i++ {
			c.conn.Write(chunk)
		}
	}()
	m := c.next()
	if errCode(m) != -32600 || !strings.Contains(fmt.Sprint(m["error"]), "over the limit") {
		t.Errorf("response %v", m)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	// the client's own 1 MiB chunk, the pipe and the test's buffers aside
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("reading a discarded 50 MB message allocated %d MiB", grew>>20)
	}
	c.alive(1)
}

// TestOddRequests: unknown methods, edits to documents never opened and
// positions out of range are errors or log lines, and the session goes on.
func TestOddRequests(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	if err := c.conn.Call(context.Background(), "textDocument/frobnicate", struct{}{}, nil); err == nil || !strings.Contains(err.Error(), "method not supported") {
		t.Errorf("an unknown method: %v", err)
	}
	c.notify("workspace/frobnicate", struct{}{})
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.uri("never/opened.go"), "version": 2},
		"contentChanges": []map[string]any{{"text": "package x"}},
	})
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": c.uri("never/opened.go")}})
	text := c.open(agentGo)
	c.waitCount(agentGo, 1)
	// an edit whose range lies past the end of the document
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.uri(agentGo), "version": 50},
		"contentChanges": []map[string]any{{"range": Range{Start: Position{Line: 9999, Character: 3}, End: Position{Line: 10000, Character: 0}}, "text": "x"}},
	})
	for _, p := range []Position{{Line: 9999, Character: 0}, {Line: 0, Character: 99999}, {Line: -1, Character: -1}} {
		var h *Hover
		err := c.conn.Call(context.Background(), "textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: c.uri(agentGo)}, Position: p}, &h)
		if err == nil && h != nil {
			t.Errorf("hover at %+v = %+v", p, h)
		}
	}
	var as []CodeAction
	_ = c.conn.Call(context.Background(), "textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: c.uri(agentGo)}, Range: Range{Start: Position{Line: 5000}, End: Position{Line: 1}}}, &as)
	// still serving: the document is as it was, its port still hovers
	if h := c.hover(agentGo, find(t, text, "8099", 0)); h == nil {
		t.Error("no hover after the odd requests")
	}
}

// FuzzFrameStream feeds the message reader arbitrary bytes: it never
// panics, returns every frame that decodes, and ends at the end of input.
func FuzzFrameStream(f *testing.F) {
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`)))
	f.Add([]byte("Content-Length: 5\r\n\r\n{\"a\":Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 99999999999\r\n\r\n"))
	f.Add([]byte("garbage\nContent-Length: 2\n\n[]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &frameStream{r: bufio.NewReader(bytes.NewReader(data)), w: io.Discard, closer: io.NopCloser(nil), log: func(string, ...any) {}}
		for i := 0; ; i++ {
			var v json.RawMessage
			if err := s.ReadObject(&v); err != nil {
				return
			}
			if !json.Valid(v) {
				t.Fatalf("frame %d: %q is not JSON", i, v)
			}
			if i > len(data) {
				t.Fatal("more frames than bytes")
			}
		}
	})
}
