package lsp

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/goanalysis"
)

// A goPackage is a Go package with a file open in the editor.
type goPackage struct {
	dir    string
	gen    int // bumped by every event that calls for a new analysis
	timer  *time.Timer
	queued bool
	cancel context.CancelFunc // of the analysis running, if any

	result    *goResult       // the latest analysis, published
	attempt   *goResult       // the latest run, analyzed or not
	failed    int             // the gen of the latest run that failed, if it is the latest
	published map[string]bool // URIs this package published diagnostics for
	updated   chan struct{}   // closed when attempt changes

	// verify checks again, as a first run would, a result some of whose
	// dependencies were type-checked from source; quiet is the gen of that
	// run, which publishes only what changed.
	verify *time.Timer
	quiet  int
	last   map[string]PublishDiagnosticsParams // the latest publication, by URI
}

// A goResult is one analysis of a package.
type goResult struct {
	files    map[string]*snapshot
	findings map[string][]finding.Finding // by file
	uses     map[string][]*check.Use      // by file
	proj     *project
	analyzed bool
	errors   []string
	// fromSource tells that saved dependencies were type-checked from
	// source, not read from the export data go list made
	fromSource bool
}

// scheduleGo analyzes the package in dir after delay; an analysis of it
// that is running is cancelled, and a pending one is put off.
func (s *Server) scheduleGo(dir string, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pkgs[dir]
	if p == nil {
		p = &goPackage{dir: dir, published: map[string]bool{}, updated: make(chan struct{})}
		s.pkgs[dir] = p
	}
	p.gen++
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
		s.stats.goCanceled++
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if p.verify != nil {
		p.verify.Stop()
		p.verify = nil
	}
	if delay <= 0 {
		s.enqueueLocked(p)
		return
	}
	gen := p.gen
	p.timer = time.AfterFunc(delay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.pkgs[dir] == p && p.gen == gen {
			p.timer = nil
			s.enqueueLocked(p)
		}
	})
}

// scheduleVerify checks the package again after VerifyDelay, with go list,
// unless another run is scheduled first; that run publishes only the
// diagnostics that changed.
func (s *Server) scheduleVerify(p *goPackage, gen int) {
	p.verify = time.AfterFunc(s.opts.VerifyDelay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.pkgs[p.dir] != p || p.gen != gen {
			return
		}
		s.loader.markStale(p.dir)
		p.verify = nil
		p.gen++
		p.quiet = p.gen
		s.enqueueLocked(p)
	})
}

// scheduleGoIfOpen schedules the package only if one of its files is open.
func (s *Server) scheduleGoIfOpen(dir string, delay time.Duration) {
	if s.dirOpen(dir) {
		s.scheduleGo(dir, delay)
	}
}

func (s *Server) enqueueLocked(p *goPackage) {
	if p.queued {
		return
	}
	p.queued = true
	s.goQueue = append(s.goQueue, p.dir)
	select {
	case s.goWake <- struct{}{}:
	default:
	}
}

// dirOpen reports whether a Go file of dir is open.
func (s *Server) dirOpen(dir string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.docs {
		if d.kind == kindGo && filepath.Dir(d.path) == dir {
			return true
		}
	}
	return false
}

// dropGo forgets a package none of whose files is open, and clears its
// diagnostics.
func (s *Server) dropGo(dir string) {
	s.mu.Lock()
	p := s.pkgs[dir]
	if p == nil {
		s.mu.Unlock()
		return
	}
	delete(s.pkgs, dir)
	p.gen++
	if p.cancel != nil {
		p.cancel()
	}
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.verify != nil {
		p.verify.Stop()
	}
	var uris []string
	for u := range p.published {
		uris = append(uris, u)
	}
	s.mu.Unlock()
	s.loader.forget(dir)
	for _, u := range uris {
		s.publish(PublishDiagnosticsParams{URI: u}, nil)
	}
}

// goWorker analyzes queued packages one at a time, so that analyses do not
// compete for the machine with each other or with the editor.
func (s *Server) goWorker() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.goWake:
		}
		for {
			s.mu.Lock()
			if len(s.goQueue) == 0 {
				s.mu.Unlock()
				break
			}
			dir := s.goQueue[0]
			s.goQueue = s.goQueue[1:]
			p := s.pkgs[dir]
			if p == nil || s.pkgs[dir] != p {
				s.mu.Unlock()
				continue
			}
			p.queued = false
			gen := p.gen
			ctx, cancel := context.WithCancel(s.ctx)
			p.cancel = cancel
			s.stats.goRuns++
			s.mu.Unlock()

			start := time.Now()
			res, err := s.runGo(ctx, dir)
			if err == nil && res.analyzed {
				n := 0
				for _, fs := range res.findings {
					n += len(fs)
				}
				s.logf("%s: analyzed in %v, %d findings", dir, time.Since(start).Round(time.Millisecond), n)
			}
			// Diagnostics are made before s.mu is taken: placing a related
			// position reads the file it points into, which takes s.mu.
			var diags map[string][]Diagnostic
			if err == nil && res.analyzed {
				diags = map[string][]Diagnostic{}
				for path, snap := range res.files {
					diags[path] = s.findingDiagnostics(res.findings[path], snap.text, res.proj.reg, res.proj.severity)
				}
			}

			s.mu.Lock()
			current := s.pkgs[dir] == p && p.gen == gen && ctx.Err() == nil
			if p.cancel != nil && gen == p.gen {
				p.cancel = nil
			}
			cancel()
			if !current {
				s.mu.Unlock()
				continue
			}
			if err != nil {
				p.failed = gen
				close(p.updated)
				p.updated = make(chan struct{})
				s.mu.Unlock()
				s.logf("%s: %v", dir, err)
				continue
			}
			p.attempt = res
			close(p.updated)
			p.updated = make(chan struct{})
			if !res.analyzed {
				// Broken code: gopls reports it; the last findings stay.
				s.mu.Unlock()
				if len(res.errors) > 0 {
					s.logf("%s: not analyzed: %s", dir, strings.Join(res.errors, "; "))
				}
				continue
			}
			p.result = res
			s.stats.goPublished++
			if res.fromSource {
				s.scheduleVerify(p, gen)
			}
			quiet := p.quiet == gen
			if quiet {
				s.stats.goVerified++
			}
			if p.last == nil {
				p.last = map[string]PublishDiagnosticsParams{}
			}
			var pubs []PublishDiagnosticsParams
			seen := map[string]bool{}
			for path, snap := range res.files {
				uri := pathURI(path)
				seen[uri] = true
				pp := PublishDiagnosticsParams{URI: uri, Diagnostics: diags[path]}
				if snap.open {
					v := snap.version
					pp.Version = &v
				}
				if quiet && reflect.DeepEqual(pp, p.last[uri]) {
					continue
				}
				if len(pp.Diagnostics) > 0 || p.published[uri] || snap.open {
					pubs = append(pubs, pp)
					p.last[uri] = pp
				}
			}
			for uri := range p.published {
				if !seen[uri] {
					pubs = append(pubs, PublishDiagnosticsParams{URI: uri})
					delete(p.last, uri)
				}
			}
			p.published = seen
			s.mu.Unlock()
			for _, pp := range pubs {
				s.publish(pp, func() bool { return s.pkgs[dir] == p && p.gen == gen })
			}
		}
	}
}

// runGo analyzes the package in dir.
func (s *Server) runGo(ctx context.Context, dir string) (res *goResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
		}
	}()
	proj, err := s.project(dir)
	if err != nil {
		return nil, err
	}
	gc, err := s.loader.check(ctx, dir, serverSource{s})
	if err != nil {
		return nil, err
	}
	res = &goResult{files: gc.files, proj: proj, errors: gc.errors, fromSource: gc.fromSource, findings: map[string][]finding.Finding{}, uses: map[string][]*check.Use{}}
	if gc.pkg == nil {
		return res, nil
	}
	if s.opts.beforeAnalyze != nil {
		s.opts.beforeAnalyze(ctx, dir)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := analyzer.NewWithOptions(analyzer.Options{Registry: proj.reg, Enabled: proj.enabled})
	ar, err := goanalysis.Run(a, []*packages.Package{gc.pkg})
	if err != nil {
		return nil, err
	}
	if len(ar.Errors) > 0 {
		res.errors = append(res.errors, ar.Errors...)
		return res, nil
	}
	for _, f := range ar.Findings {
		res.findings[f.Pos.File] = append(res.findings[f.Pos.File], f)
	}
	for _, u := range ar.Uses {
		res.uses[u.Pos.File] = append(res.uses[u.Pos.File], u)
	}
	res.analyzed = true
	return res, nil
}

// serverSource gives the loader the editor's buffers.
type serverSource struct{ s *Server }

func (src serverSource) read(path string) ([]byte, int, bool, error) { return src.s.read(path) }

func (src serverSource) overlays(dir string) map[string][]byte {
	src.s.mu.Lock()
	defer src.s.mu.Unlock()
	out := map[string][]byte{}
	for path, d := range src.s.docs {
		if (d.kind == kindGo || d.kind == kindGoTest) && filepath.Dir(path) != dir {
			out[path] = d.data
		}
	}
	return out
}

// goResultFor returns the latest run of the package holding path that saw
// the document's current version, waiting for a pending run if need be.
func (s *Server) goResultFor(ctx context.Context, path string) (*goResult, *snapshot) {
	dir := filepath.Dir(path)
	timeout := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		d, p := s.docs[path], s.pkgs[dir]
		if d == nil || p == nil {
			s.mu.Unlock()
			return nil, nil
		}
		if p.attempt != nil {
			if snap := p.attempt.files[path]; snap != nil && snap.version == d.version {
				res := p.attempt
				s.mu.Unlock()
				return res, snap
			}
		}
		if p.failed == p.gen {
			s.mu.Unlock()
			return nil, nil // the package cannot be loaded; the log says why
		}
		ch := p.updated
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, nil
		case <-timeout:
			return nil, nil
		}
	}
}
