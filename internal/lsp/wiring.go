package lsp

import (
	"os"
	"sync"
	"time"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/safefile"
	"github.com/portlint/portlint/manifest"
	"github.com/portlint/portlint/registry"
)

// The wiring checks (probe-port, target-port, drift) of a manifest need
// the rest of the tree: the workloads a Service in another file selects,
// and what the component's Go code serves. The server gives them the
// project's manifests (open buffers as the editor holds them, the others
// from disk, scanned once per content) and the workspace's last
// inventory: the uses of every Go package it has analyzed. A component
// whose packages it has not analyzed is not judged (manifest.Wiring).

// maxTreeManifests bounds the manifests read for the wiring checks of one
// project; a larger tree is left to the portlint command.
const maxTreeManifests = 2000

// A wiringCache holds the manifests of projects as scanned from disk.
type wiringCache struct {
	mu    sync.Mutex
	files map[string]cachedManifest
}

type cachedManifest struct {
	mod  time.Time
	size int64
	reg  *registry.Registry
	file *manifest.File
}

// wiringFindings returns the wiring findings located in the manifest at
// path, whose scan is f.
func (s *Server) wiringFindings(path string, f *manifest.File, proj *project) []finding.Finding {
	if !proj.enabled[check.ProbePort] && !proj.enabled[check.TargetPort] && !proj.enabled[check.Drift] {
		return nil
	}
	files := []*manifest.File{f}
	files = append(files, s.treeManifests(proj, path)...)
	fs, notes := manifest.Wiring(files, s.inventory(), proj.reg, proj.enabled)
	var out []finding.Finding
	for _, fd := range fs {
		if fd.Pos.File == path {
			out = append(out, fd)
		}
	}
	for _, n := range notes {
		if n.Pos.File == path {
			// what cannot be judged is said, as information
			out = append(out, finding.Finding{Check: check.TargetPort, Severity: check.Note, Message: n.Message, Pos: n.Pos, End: n.Pos})
		}
	}
	return out
}

// treeManifests returns the scans of the project's manifests other than
// path: open buffers as they are, the rest from disk.
func (s *Server) treeManifests(proj *project, path string) []*manifest.File {
	var exclude []string
	if proj.cfg != nil {
		exclude = proj.cfg.Exclude
	}
	found, _, err := manifest.Discover([]string{proj.root}, exclude)
	if err != nil || len(found) > maxTreeManifests {
		return nil
	}
	s.mu.Lock()
	open := map[string][]byte{}
	for p, d := range s.docs {
		if d.kind == kindManifest && d.open {
			open[p] = d.data
		}
	}
	s.mu.Unlock()
	var out []*manifest.File
	for _, p := range found {
		if p == path || p == proj.src.Path || !proj.included(p) || check.IsTestFile(proj.rel(p)) {
			continue
		}
		if data, ok := open[p]; ok {
			if f, _ := manifest.Scan(p, data, manifest.Options{Registry: proj.reg, Rel: proj.rel(p)}); f != nil {
				out = append(out, f)
			}
			continue
		}
		if f := s.wiring.scan(p, proj); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// scan returns the scan of a manifest on disk, from the cache while its
// size, modification time and registry are the same.
func (c *wiringCache) scan(p string, proj *project) *manifest.File {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	c.mu.Lock()
	if e, ok := c.files[p]; ok && e.mod.Equal(st.ModTime()) && e.size == st.Size() && e.reg == proj.reg {
		c.mu.Unlock()
		return e.file
	}
	c.mu.Unlock()
	data, err := safefile.Read(p, safefile.MaxManifest)
	if err != nil {
		return nil
	}
	f, _ := manifest.Scan(p, data, manifest.Options{Registry: proj.reg, Rel: proj.rel(p)})
	if f == nil {
		return nil
	}
	c.mu.Lock()
	if c.files == nil {
		c.files = map[string]cachedManifest{}
	}
	c.files[p] = cachedManifest{mod: st.ModTime(), size: st.Size(), reg: proj.reg, file: f}
	c.mu.Unlock()
	return f
}

// inventory returns the Go uses of every package analyzed so far.
func (s *Server) inventory() []*check.Use {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*check.Use
	for _, p := range s.pkgs {
		if p.result == nil {
			continue
		}
		for _, us := range p.result.uses {
			out = append(out, us...)
		}
	}
	return out
}
