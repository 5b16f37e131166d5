package lsp

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/manifest"
	"github.com/portlint/portlint/registry"
)

// A yamlResult is the latest check of a manifest or a registry buffer.
type yamlResult struct {
	snap     *snapshot
	findings []finding.Finding  // manifests
	uses     []*check.Use       // manifests
	reg      *registry.Registry // the registry checked against, or the one parsed
	diags    []Diagnostic
}

// A registryView is a registry as the editor's buffer holds it.
type registryView struct {
	good *registry.Registry // the latest content that loaded
}

// checkYAML checks a manifest or a registry buffer. Only the latest
// content is checked: an edit that arrives during a check makes the
// running check start over with it once it ends.
func (s *Server) checkYAML(d *document) {
	s.mu.Lock()
	d.gen++
	if d.running {
		s.mu.Unlock()
		return
	}
	d.running = true
	s.mu.Unlock()
	go func() {
		for {
			s.mu.Lock()
			if !d.open {
				d.running = false
				s.mu.Unlock()
				return
			}
			gen, data, version := d.gen, d.data, d.version
			s.mu.Unlock()

			snap := &snapshot{text: newText(data), version: version, open: true}
			var res *yamlResult
			var loaded *registry.Registry
			if d.kind == kindRegistry {
				res, loaded = s.checkRegistry(d.path, snap)
			} else {
				res = s.checkManifest(d.path, snap)
			}

			s.mu.Lock()
			if d.gen != gen || !d.open {
				if !d.open {
					d.running = false
					s.mu.Unlock()
					return
				}
				s.mu.Unlock()
				continue
			}
			d.result = res
			d.running = false
			var prev []byte
			if loaded != nil {
				if old := s.registries[d.path]; old != nil && old.good != nil {
					prev = old.good.Data
				} else {
					prev, _ = os.ReadFile(d.path)
				}
				s.registries[d.path] = &registryView{good: loaded}
			}
			s.mu.Unlock()
			v := version
			s.publish(PublishDiagnosticsParams{URI: d.uri, Version: &v, Diagnostics: res.diags}, func() bool {
				return d.open && d.gen == gen
			})
			if loaded != nil && !bytes.Equal(prev, loaded.Data) {
				s.registryChanged(d.path)
			}
			return
		}
	}()
}

// checkManifest scans a manifest and checks its ports.
func (s *Server) checkManifest(path string, snap *snapshot) *yamlResult {
	res := &yamlResult{snap: snap, diags: []Diagnostic{}}
	proj, err := s.project(filepath.Dir(path))
	if err != nil {
		s.logf("%s: %v", path, err)
		return res
	}
	res.reg = proj.reg
	if !proj.included(path) {
		return res
	}
	if rf := s.renderedChart(path, snap.text.data, proj); rf != nil {
		// a chart's template or values file: its rendered chart's findings here (charts.go)
		for _, u := range rf.Uses {
			if u.Pos.File == path {
				res.uses = append(res.uses, u)
			}
		}
		for _, fd := range append(manifest.Check(rf, &check.Checker{Reg: proj.reg, Enabled: proj.enabled}), s.wiringFindings(path, rf, proj)...) {
			if fd.Pos.File == path {
				res.findings = append(res.findings, fd)
			}
		}
		res.diags = append(res.diags, s.findingDiagnostics(res.findings, snap.text, proj.reg, proj.severity)...)
		return res
	}
	f, err := manifest.Scan(path, snap.text.data, manifest.Options{Registry: proj.reg, Rel: proj.rel(path)})
	var merr *manifest.Error
	if errors.As(err, &merr) {
		res.diags = append(res.diags, Diagnostic{
			Range:    snap.text.rangeOf(merr.Pos.Offset, tokenEnd(snap.text.data, merr.Pos.Offset)),
			Severity: SeverityError,
			Source:   source,
			Message:  merr.Msg,
		})
	}
	if f == nil {
		return res
	}
	res.uses = f.Uses
	res.findings = manifest.Check(f, &check.Checker{Reg: proj.reg, Enabled: proj.enabled})
	res.findings = append(res.findings, s.wiringFindings(path, f, proj)...)
	res.diags = append(res.diags, s.findingDiagnostics(res.findings, snap.text, proj.reg, proj.severity)...)
	return res
}

// checkRegistry parses a registry buffer. It returns the registry when it
// loaded, for the documents that use it.
func (s *Server) checkRegistry(path string, snap *snapshot) (*yamlResult, *registry.Registry) {
	res := &yamlResult{snap: snap, diags: []Diagnostic{}}
	reg, err := registry.Parse(path, snap.text.data)
	if err != nil {
		var list registry.ErrorList
		if !errors.As(err, &list) {
			res.diags = append(res.diags, Diagnostic{Severity: SeverityError, Source: source, Message: err.Error()})
			return res, nil
		}
		for _, d := range list {
			res.diags = append(res.diags, registryDiagnostic(nil, d, snap.text))
		}
		return res, nil
	}
	res.reg = reg
	for _, d := range reg.Problems {
		res.diags = append(res.diags, registryDiagnostic(reg, d, snap.text))
	}
	return res, reg
}

// registryChanged re-checks the open documents whose registry is path:
// manifests at once, Go packages after RegistryDelay, so that typing in
// the plan does not analyze every package on every key.
func (s *Server) registryChanged(path string) {
	s.mu.Lock()
	var manifests []*document
	dirs := map[string]bool{}
	for _, d := range s.docs {
		switch d.kind {
		case kindManifest:
			manifests = append(manifests, d)
		case kindGo:
			dirs[filepath.Dir(d.path)] = true
		}
	}
	s.mu.Unlock()
	for _, d := range manifests {
		if resolveSource(filepath.Dir(d.path), s.opts.RegistryPath).Path == path {
			s.checkYAML(d)
		}
	}
	for dir := range dirs {
		if resolveSource(dir, s.opts.RegistryPath).Path == path {
			s.scheduleGo(dir, s.opts.RegistryDelay)
		}
	}
}

// recheckAll checks every open document again.
func (s *Server) recheckAll(delay time.Duration) {
	s.mu.Lock()
	var yamls []*document
	dirs := map[string]bool{}
	for _, d := range s.docs {
		switch d.kind {
		case kindManifest, kindRegistry:
			yamls = append(yamls, d)
		case kindGo:
			dirs[filepath.Dir(d.path)] = true
		}
	}
	s.mu.Unlock()
	for _, d := range yamls {
		s.checkYAML(d)
	}
	for dir := range dirs {
		s.scheduleGo(dir, delay)
	}
}
