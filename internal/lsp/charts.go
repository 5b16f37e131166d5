package lsp

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/helmrender"
	"github.com/portlint/portlint/manifest"
)

// chartOf returns the topmost directory with a Chart.yaml that holds path,
// up to the project root, or "".
func chartOf(path string, proj *project) string {
	top := ""
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if helmrender.IsChart(d) {
			top = d
		}
		if d == proj.root || filepath.Dir(d) == d {
			return top
		}
	}
}

// renderedChart renders the chart that holds a manifest whose buffer is
// what its file on disk holds, as the portlint command does, and returns
// the rendered chart's scan, or nil: the file is in no chart, the buffer
// differs from the disk (the render reads the disk, so its positions would
// not be the buffer's), or the chart does not render (the command reports
// why). The file is then read line by line.
func (s *Server) renderedChart(path string, data []byte, proj *project) *manifest.File {
	dir := chartOf(path, proj)
	if dir == "" {
		return nil
	}
	disk, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(disk, data) {
		return nil
	}
	c := helmrender.Chart{Dir: dir}
	if cc := proj.cfg.Chart(dir); cc != nil {
		if !cc.Render {
			return nil
		}
		c.Values = cc.Values
		for _, st := range cc.Set {
			c.Set = append(c.Set, helmrender.Setting{Expr: st.Expr, Pos: check.Position{File: proj.cfg.File, Line: st.Line, Column: st.Col}})
		}
	}
	rel := proj.rel(dir)
	res, err := helmrender.Render(c, manifest.Options{Registry: proj.reg, Rel: rel + "/values.yaml"})
	if err != nil {
		s.logf("%s: %v", dir, err)
		return nil
	}
	if res.Rendered == 0 {
		return nil
	}
	for _, src := range res.Sources {
		if src == path {
			return res.File
		}
	}
	return nil
}
