// Package lsp is portlint's language server. It runs beside gopls and
// shows port findings where they are typed: in Go files (the package is
// analyzed again after an edit, with the dependencies' types kept between
// runs), in deployment manifests (on every change) and in registry.yaml
// itself (load errors and the plan's own problems; an edit of the plan
// re-checks every open document that uses it). It offers the fixes of
// retired ports as code actions, describes the plan's view of a port on
// hover, and completes group, plane, range and component names in the
// registry.
//
// Positions are exchanged in UTF-16 code units, as the protocol requires;
// portlint's findings count bytes, and the server converts with the text
// each finding was computed from.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"

	"github.com/portlint/portlint/internal/safefile"
)

// Options configure a server.
type Options struct {
	// RegistryPath, when set, is the registry every document is checked
	// against; otherwise each document finds its own as the command does.
	RegistryPath string
	// Env is the environment of the go command; nil means the process's.
	Env []string
	// GoDelay is how long the server waits after a change of a Go file
	// before it analyzes the package again (default 250ms). Opening and
	// saving a file analyze at once.
	GoDelay time.Duration
	// VerifyDelay is how long the server waits, after it published the
	// diagnostics of a package whose saved dependencies it type-checked
	// from source, before it checks the package as a first run would
	// (with go list) and publishes again if that differs (default 2s).
	VerifyDelay time.Duration
	// RegistryDelay is how long the server waits after an edit of the
	// registry before it re-checks the documents that use it (default
	// 300ms).
	RegistryDelay time.Duration
	// Version is reported to the client.
	Version string
	// Log receives the server's log; nil discards it.
	Log io.Writer

	// beforeAnalyze, in tests, runs before a package's analysis.
	beforeAnalyze func(ctx context.Context, dir string)
}

// Serve runs the server on a stream until the client sends exit, the
// stream ends, or ctx is done.
func Serve(ctx context.Context, stream io.ReadWriteCloser, opts Options) error {
	return newServer(opts).serve(ctx, stream)
}

func (s *Server) serve(ctx context.Context, stream io.ReadWriteCloser) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	conn := jsonrpc2.NewConn(ctx, newFrameStream(stream, s.logf), s,
		jsonrpc2.SetLogger(s.logger()))
	s.setConn(conn)
	go s.goWorker()
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		conn.Close()
	}
	cancel()
	s.mu.Lock()
	exitedCleanly := s.shutdown
	s.mu.Unlock()
	if !exitedCleanly && ctx.Err() == nil {
		return errors.New("the client closed the connection without shutdown")
	}
	return nil
}

// A Server holds the documents the editor has open and what was last
// computed for them.
type Server struct {
	opts   Options
	ctx    context.Context
	loader *goLoader

	connMu sync.Mutex
	conn   *jsonrpc2.Conn
	pubMu  sync.Mutex // orders publications

	mu          sync.Mutex
	initialized bool
	shutdown    bool
	roots       []string
	watch       bool
	docs        map[string]*document     // open documents by path
	pkgs        map[string]*goPackage    // Go packages with open files, by directory
	registries  map[string]*registryView // registries as open buffers hold them, by path
	requests    map[string]context.CancelFunc
	goQueue     []string
	goWake      chan struct{}
	diskErrs    map[string]string // registries on disk that failed to load, published
	stats       stats
	wiring      wiringCache // the project's manifests on disk, for the wiring checks
}

// stats count what the server did, for tests.
type stats struct {
	goRuns      int // package analyses started
	goCanceled  int // analyses abandoned because a newer edit arrived
	goPublished int // analyses whose diagnostics were published
	goVerified  int // verifying runs (with go list) that analyzed the package, after a result from saved dependencies' sources
}

func newServer(opts Options) *Server {
	if opts.GoDelay == 0 {
		opts.GoDelay = 250 * time.Millisecond
	}
	if opts.VerifyDelay == 0 {
		opts.VerifyDelay = 2 * time.Second
	}
	if opts.RegistryDelay == 0 {
		opts.RegistryDelay = 300 * time.Millisecond
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	if opts.RegistryPath != "" {
		if p, err := filepath.Abs(opts.RegistryPath); err == nil {
			opts.RegistryPath = p
		}
	}
	return &Server{
		opts:       opts,
		ctx:        context.Background(),
		loader:     newGoLoader(opts.Env),
		docs:       map[string]*document{},
		pkgs:       map[string]*goPackage{},
		registries: map[string]*registryView{},
		requests:   map[string]context.CancelFunc{},
		goWake:     make(chan struct{}, 1),
		diskErrs:   map[string]string{},
	}
}

// docKind says how a document is checked.
type docKind int

const (
	kindOther docKind = iota
	kindGo
	kindGoTest
	kindManifest
	kindRegistry
	kindConfig
)

// A document is a file the editor has open.
type document struct {
	path    string
	uri     string
	kind    docKind
	version int
	data    []byte
	open    bool

	// manifests and registries: the latest check, and its state
	gen     int
	running bool
	result  *yamlResult
}

func (s *Server) setConn(c *jsonrpc2.Conn) {
	s.connMu.Lock()
	s.conn = c
	s.connMu.Unlock()
}

func (s *Server) notify(method string, params any) {
	s.connMu.Lock()
	c := s.conn
	s.connMu.Unlock()
	if c == nil {
		return
	}
	if err := c.Notify(s.ctx, method, params); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.logf("sending %s: %v", method, err)
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, "portlint lsp: "+format+"\n", args...)
	}
}

type logWriter struct{ s *Server }

func (w logWriter) Printf(format string, args ...any) { w.s.logf(strings.TrimSpace(format), args...) }

func (s *Server) logger() jsonrpc2.Logger { return logWriter{s} }

// showMessage tells the user something once per distinct message.
func (s *Server) showMessage(typ int, msg string) {
	s.notify("window/showMessage", ShowMessageParams{Type: typ, Message: msg})
}

// Handle implements jsonrpc2.Handler. Notifications are handled in the
// order they arrive, before the next message is read, so that edits apply
// in sequence; requests that compute an answer run concurrently and can be
// cancelled with $/cancelRequest.
func (s *Server) Handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) {
	defer s.recoverRequest(ctx, conn, req)
	var params json.RawMessage
	if req.Params != nil {
		params = *req.Params
	}
	switch req.Method {
	case "initialize":
		var p InitializeParams
		if err := json.Unmarshal(params, &p); err != nil {
			replyError(ctx, conn, req, jsonrpc2.CodeInvalidParams, err.Error())
			return
		}
		reply(ctx, conn, req, s.initialize(&p))
		return
	case "initialized":
		s.registerWatchers(conn)
		return
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		reply(ctx, conn, req, nil)
		return
	case "exit":
		conn.Close()
		return
	case "$/cancelRequest":
		var p CancelParams
		if json.Unmarshal(params, &p) == nil {
			s.mu.Lock()
			if cancel := s.requests[string(p.ID)]; cancel != nil {
				cancel()
			}
			s.mu.Unlock()
		}
		return
	}
	s.mu.Lock()
	ready := s.initialized && !s.shutdown
	s.mu.Unlock()
	if !ready {
		if !req.Notif {
			replyError(ctx, conn, req, -32002, "the server is not initialized, or is shutting down")
		}
		return
	}
	if req.Notif {
		if err := s.notification(req.Method, params); err != nil {
			s.logf("%s: %v", req.Method, err)
		}
		return
	}
	var handler func(context.Context, json.RawMessage) (any, error)
	switch req.Method {
	case "textDocument/hover":
		handler = s.hover
	case "textDocument/codeAction":
		handler = s.codeAction
	case "textDocument/completion":
		handler = s.completion
	default:
		replyError(ctx, conn, req, jsonrpc2.CodeMethodNotFound, "method not supported: "+req.Method)
		return
	}
	id, _ := json.Marshal(req.ID)
	rctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.requests[string(id)] = cancel
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.requests, string(id))
			s.mu.Unlock()
			cancel()
		}()
		defer s.recoverRequest(ctx, conn, req)
		res, err := handler(rctx, params)
		switch {
		case rctx.Err() != nil && ctx.Err() == nil:
			replyError(ctx, conn, req, -32800, "request cancelled")
		case err != nil:
			replyError(ctx, conn, req, jsonrpc2.CodeInternalError, err.Error())
		default:
			reply(ctx, conn, req, res)
		}
	}()
}

// recoverRequest turns a panic while handling req into a log line and,
// for a request, an internal error: one bad message never ends the session.
func (s *Server) recoverRequest(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) {
	r := recover()
	if r == nil {
		return
	}
	s.logf("%s: internal error: %v\n%s", req.Method, r, debug.Stack())
	if !req.Notif {
		replyError(ctx, conn, req, jsonrpc2.CodeInternalError, fmt.Sprintf("internal error: %v", r))
	}
}

func reply(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request, res any) {
	if err := conn.Reply(ctx, req.ID, res); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		conn.Close()
	}
}

func replyError(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request, code int64, msg string) {
	if err := conn.ReplyWithError(ctx, req.ID, &jsonrpc2.Error{Code: code, Message: msg}); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		conn.Close()
	}
}

func (s *Server) initialize(p *InitializeParams) *InitializeResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initialized = true
	for _, f := range p.WorkspaceFolders {
		if path, err := uriPath(f.URI); err == nil {
			s.roots = append(s.roots, path)
		}
	}
	if len(s.roots) == 0 && p.RootURI != "" {
		if path, err := uriPath(p.RootURI); err == nil {
			s.roots = append(s.roots, path)
		}
	}
	s.watch = p.Capabilities.Workspace.DidChangeWatchedFiles.DynamicRegistration
	return &InitializeResult{
		Capabilities: ServerCapabilities{
			PositionEncoding: "utf-16",
			TextDocumentSync: TextDocumentSync{OpenClose: true, Change: 2, Save: SaveOptions{}},
			HoverProvider:    true,
			CodeActionProvider: CodeActionOptions{
				CodeActionKinds: []string{QuickFix, sourceFixAllP},
			},
			CompletionProvider: CompletionOptionsSpec{TriggerCharacters: []string{" ", "[", ","}},
		},
		ServerInfo: ServerInfo{Name: "portlint", Version: s.opts.Version},
	}
}

// registerWatchers asks a client that can watch files to report changes of
// the plan, the configuration and the module files made outside the editor.
func (s *Server) registerWatchers(conn *jsonrpc2.Conn) {
	s.mu.Lock()
	watch := s.watch
	s.mu.Unlock()
	if !watch {
		return
	}
	params := RegistrationParams{Registrations: []Registration{{
		ID:     "portlint-watch",
		Method: "workspace/didChangeWatchedFiles",
		RegisterOptions: DidChangeWatchedFilesRegistrationOptions{Watchers: []FileSystemWatcher{
			{GlobPattern: "**/registry.yaml"},
			{GlobPattern: "**/.portlint.yaml"},
			{GlobPattern: "**/go.mod"},
			{GlobPattern: "**/go.work"},
		}},
	}}}
	go func() {
		if err := conn.Call(s.ctx, "client/registerCapability", params, nil); err != nil {
			s.logf("registering file watchers: %v", err)
		}
	}()
}

// notification applies a document notification.
func (s *Server) notification(method string, params json.RawMessage) error {
	switch method {
	case "textDocument/didOpen":
		var p DidOpenTextDocumentParams
		if err := json.Unmarshal(params, &p); err != nil {
			return err
		}
		path, err := uriPath(p.TextDocument.URI)
		if err != nil {
			return err
		}
		s.mu.Lock()
		d := &document{path: path, uri: p.TextDocument.URI, version: p.TextDocument.Version, data: []byte(p.TextDocument.Text), open: true}
		d.kind = s.kindOf(path)
		s.docs[path] = d
		s.mu.Unlock()
		s.changed(d, true, false)
	case "textDocument/didChange":
		var p DidChangeTextDocumentParams
		if err := json.Unmarshal(params, &p); err != nil {
			return err
		}
		path, err := uriPath(p.TextDocument.URI)
		if err != nil {
			return err
		}
		s.mu.Lock()
		d := s.docs[path]
		if d == nil {
			s.mu.Unlock()
			return fmt.Errorf("change of %s, which is not open", path)
		}
		data, err := applyChanges(d.data, p.ContentChanges)
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("%s: %v", path, err)
		}
		d.data, d.version = data, p.TextDocument.Version
		s.mu.Unlock()
		s.changed(d, false, false)
	case "textDocument/didSave":
		var p DidSaveTextDocumentParams
		if err := json.Unmarshal(params, &p); err != nil {
			return err
		}
		path, err := uriPath(p.TextDocument.URI)
		if err != nil {
			return err
		}
		s.mu.Lock()
		d := s.docs[path]
		if d != nil && p.Text != nil {
			d.data = []byte(*p.Text)
		}
		s.mu.Unlock()
		if d != nil {
			s.changed(d, false, true)
		} else {
			s.fileChanged(path)
		}
	case "textDocument/didClose":
		var p DidCloseTextDocumentParams
		if err := json.Unmarshal(params, &p); err != nil {
			return err
		}
		path, err := uriPath(p.TextDocument.URI)
		if err != nil {
			return err
		}
		s.closed(path)
	case "workspace/didChangeWatchedFiles":
		var p DidChangeWatchedFilesParams
		if err := json.Unmarshal(params, &p); err != nil {
			return err
		}
		for _, c := range p.Changes {
			if path, err := uriPath(c.URI); err == nil {
				s.mu.Lock()
				open := s.docs[path] != nil
				s.mu.Unlock()
				if !open {
					s.fileChanged(path)
				}
			}
		}
	}
	return nil
}

// kindOf decides how a file is checked. s.mu is held.
func (s *Server) kindOf(path string) docKind {
	base := filepath.Base(path)
	switch {
	case strings.HasSuffix(base, "_test.go"):
		return kindGoTest
	case strings.HasSuffix(base, ".go"):
		return kindGo
	case base == ".portlint.yaml":
		return kindConfig
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".yaml", ".yml", ".json":
	default:
		return kindOther
	}
	if base == "registry.yaml" || path == s.opts.RegistryPath || resolveSource(filepath.Dir(path), s.opts.RegistryPath).Path == path {
		return kindRegistry
	}
	return kindManifest
}

// changed schedules the checks an edit, an open or a save calls for.
func (s *Server) changed(d *document, opened, saved bool) {
	switch d.kind {
	case kindGo:
		delay := s.opts.GoDelay
		if opened || saved {
			delay = 0
		}
		dir := filepath.Dir(d.path)
		s.scheduleGo(dir, delay)
		if saved {
			for _, dep := range s.loader.invalidate(dir) {
				s.scheduleGoIfOpen(dep, 0)
			}
		}
	case kindManifest:
		s.checkYAML(d)
	case kindRegistry:
		s.checkYAML(d)
	case kindConfig:
		if saved {
			s.recheckAll(0)
		}
	}
	if saved && (filepath.Base(d.path) == "go.mod" || filepath.Base(d.path) == "go.work") {
		s.loader.invalidateAll()
		s.recheckAll(0)
	}
}

// fileChanged handles a change on disk of a file the editor does not show.
func (s *Server) fileChanged(path string) {
	switch filepath.Base(path) {
	case "go.mod", "go.work", "go.sum":
		s.loader.invalidateAll()
		s.recheckAll(0)
	case ".portlint.yaml":
		s.recheckAll(0)
	default:
		s.mu.Lock()
		reg := s.kindOf(path) == kindRegistry
		s.mu.Unlock()
		if reg {
			s.registryChanged(path)
		}
	}
}

// closed forgets a document; its diagnostics are cleared unless the
// package it belongs to is still shown.
func (s *Server) closed(path string) {
	s.mu.Lock()
	d := s.docs[path]
	if d == nil {
		s.mu.Unlock()
		return
	}
	d.open = false
	delete(s.docs, path)
	s.mu.Unlock()
	switch d.kind {
	case kindGo:
		dir := filepath.Dir(path)
		if s.dirOpen(dir) {
			s.scheduleGo(dir, 0) // the buffer's content is gone: the disk's counts
		} else {
			s.dropGo(dir)
		}
	case kindManifest:
		s.publish(PublishDiagnosticsParams{URI: d.uri, Diagnostics: []Diagnostic{}}, nil)
	case kindRegistry:
		s.mu.Lock()
		delete(s.registries, path)
		s.mu.Unlock()
		s.publish(PublishDiagnosticsParams{URI: d.uri, Diagnostics: []Diagnostic{}}, nil)
		s.registryChanged(path)
	}
}

// publish sends diagnostics unless current reports that a newer result
// has superseded them.
func (s *Server) publish(p PublishDiagnosticsParams, current func() bool) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if current != nil {
		s.mu.Lock()
		ok := current()
		s.mu.Unlock()
		if !ok {
			return
		}
	}
	if p.Diagnostics == nil {
		p.Diagnostics = []Diagnostic{}
	}
	s.notify("textDocument/publishDiagnostics", p)
}

// read returns a file's content: the open buffer's, or the disk's.
func (s *Server) read(path string) ([]byte, int, bool, error) {
	s.mu.Lock()
	d := s.docs[path]
	s.mu.Unlock()
	if d != nil {
		return d.data, d.version, true, nil
	}
	data, err := safefile.Read(path, safefile.MaxSource)
	return data, 0, false, err
}

// doc returns an open document's content, version and kind.
func (s *Server) doc(path string) (data []byte, version int, kind docKind, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[path]
	if d == nil {
		return nil, 0, kindOther, false
	}
	return d.data, d.version, d.kind, true
}

// uriPath converts a file URI to a path.
func uriPath(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("%s: not a file URI", uri)
	}
	return filepath.Clean(filepath.FromSlash(u.Path)), nil
}

// pathURI converts a path to a file URI.
func pathURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
