package lsp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/internal/safefile"
	"github.com/portlint/portlint/registry"
)

// A project is what a document is checked with: the configuration, the
// registry and the checks, found from the document's directory as the
// command finds them from its working directory.
type project struct {
	root     string // manifest globs are relative to it
	cfg      *config.Config
	src      config.Source
	reg      *registry.Registry
	enabled  check.Set
	severity map[string]check.Severity
}

// resolveSource finds the registry of a directory. A configuration that
// does not load is left out here; project reports it.
func resolveSource(dir, flag string) config.Source {
	var cfg *config.Config
	if flag == "" {
		if p := config.Find(dir); p != "" {
			cfg, _ = config.Load(p)
		}
	}
	return config.ResolveRegistry(dir, flag, cfg)
}

// project resolves the project of a directory. A registry the editor has
// open is read from its buffer (the last content that loaded); others from
// disk.
func (s *Server) project(dir string) (*project, error) {
	p := &project{enabled: check.DefaultSet(), severity: map[string]check.Severity{}}
	if s.opts.RegistryPath == "" {
		if path := config.Find(dir); path != "" {
			cfg, err := config.Load(path)
			if err != nil {
				return nil, err
			}
			p.cfg = cfg
		}
	}
	p.src = config.ResolveRegistry(dir, s.opts.RegistryPath, p.cfg)
	if p.cfg != nil {
		p.enabled.Apply(p.cfg.Enable, true)
		p.enabled.Apply(p.cfg.Disable, false)
		for k, v := range p.cfg.Severity {
			p.severity[k] = check.Severity(v)
		}
	}
	p.root = s.projectRoot(dir, p.cfg)
	s.mu.Lock()
	view := s.registries[p.src.Path]
	s.mu.Unlock()
	if view != nil && view.good != nil {
		p.reg = view.good
		return p, nil
	}
	reg, err := config.LoadRegistry(p.src)
	s.noteDiskRegistry(p.src.Path, err)
	if err != nil {
		return nil, err
	}
	p.reg = reg
	return p, nil
}

// projectRoot is where manifest globs are relative to: the directory of
// .portlint.yaml, else the Go module root, else the workspace folder that
// holds dir, else dir.
func (s *Server) projectRoot(dir string, cfg *config.Config) string {
	if cfg != nil {
		return cfg.Dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.roots {
		if dir == r || strings.HasPrefix(dir, r+string(filepath.Separator)) {
			return r
		}
	}
	return dir
}

// included reports whether a manifest is checked, as the command decides
// when it discovers manifests under the project root: not below vendor/,
// testdata/, node_modules/ or a hidden directory, not matched (itself or a
// directory above it) by an exclude glob, and matched by an include glob
// when there are any.
func (p *project) included(path string) bool {
	rel := p.rel(path)
	if rel == "" {
		return true // outside the project: opened on purpose
	}
	parts := strings.Split(rel, "/")
	for _, dir := range parts[:len(parts)-1] {
		if dir == "vendor" || dir == "testdata" || dir == "node_modules" || strings.HasPrefix(dir, ".") {
			return false
		}
	}
	if p.cfg == nil {
		return true
	}
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		abs := filepath.ToSlash(filepath.Join(p.root, filepath.FromSlash(sub)))
		for _, g := range p.cfg.Exclude {
			g = strings.TrimPrefix(filepath.ToSlash(g), "./")
			if globMatch(g, sub) || globMatch(g, abs) || !strings.Contains(g, "/") && globMatch(g, parts[i]) {
				return false
			}
		}
	}
	if len(p.cfg.Include) == 0 {
		return true
	}
	for _, g := range p.cfg.Include {
		if globMatch(g, rel) {
			return true
		}
	}
	return false
}

func globMatch(glob, name string) bool {
	ok, _ := doublestar.Match(glob, name)
	return ok
}

// rel returns the slash-separated path of a file relative to the root.
func (p *project) rel(path string) string {
	rel, err := filepath.Rel(p.root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel)
}

// noteDiskRegistry publishes the load errors of a registry on disk that no
// editor shows, so that the reason nothing is checked is visible at the
// registry; and clears them once it loads.
func (s *Server) noteDiskRegistry(path string, err error) {
	if path == "" {
		return
	}
	s.mu.Lock()
	_, open := s.docs[path]
	prev, had := s.diskErrs[path]
	s.mu.Unlock()
	if open {
		return
	}
	var list registry.ErrorList
	if err == nil || !errors.As(err, &list) {
		if had {
			s.mu.Lock()
			delete(s.diskErrs, path)
			s.mu.Unlock()
			s.publish(PublishDiagnosticsParams{URI: pathURI(path)}, nil)
		}
		if err != nil {
			s.showOnce(path, err.Error())
		}
		return
	}
	if had && prev == err.Error() {
		return
	}
	s.mu.Lock()
	s.diskErrs[path] = err.Error()
	s.mu.Unlock()
	data, rerr := safefile.Read(path, safefile.MaxRegistry)
	if rerr != nil {
		return
	}
	t := newText(data)
	var diags []Diagnostic
	for _, d := range list {
		diags = append(diags, registryDiagnostic(nil, d, t))
	}
	s.publish(PublishDiagnosticsParams{URI: pathURI(path), Diagnostics: diags}, nil)
}

// showOnce shows a message once per key and text.
func (s *Server) showOnce(key, msg string) {
	s.mu.Lock()
	if s.diskErrs["\x00"+key] == msg {
		s.mu.Unlock()
		return
	}
	s.diskErrs["\x00"+key] = msg
	s.mu.Unlock()
	s.showMessage(2, "portlint: "+msg)
}
