package cli

import (
	"fmt"

	"path/filepath"
	"sort"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/helmrender"
	"github.com/portlint/portlint/manifest"
)

// renderCharts renders the Helm charts that hold the discovered manifests
// (the topmost directory with a Chart.yaml above each, up to the project
// root), with the values and overrides .portlint.yaml names for each, and
// adds each rendered chart to ms. It returns the files the renders stand
// for (templates and values files), which the line scan leaves alone; a
// chart of which no template prints an object is read as it is. A
// chart that does not render is an error positioned at the fault, and its
// files are read line by line as before; so are charts .portlint.yaml
// marks render: false.
func (r *run) renderCharts(root string, paths []string, ms *manifestSet) map[string]bool {
	covered := map[string]bool{}
	dirs := map[string]bool{}
	top := map[string]string{}
	for _, p := range paths {
		d := filepath.Dir(p)
		if t, ok := top[d]; ok {
			if t != "" {
				dirs[t] = true
			}
			continue
		}
		t := ""
		for q := d; ; q = filepath.Dir(q) {
			if helmrender.IsChart(q) {
				t = q
			}
			if q == root || filepath.Dir(q) == q {
				break
			}
		}
		top[d] = t
		if t != "" {
			dirs[t] = true
		}
	}
	var list []string
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list)
	for _, dir := range list {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			rel = dir
		}
		rel = filepath.ToSlash(rel)
		if r.skipped(filepath.Join(dir, "Chart.yaml")) || !r.flags.tests && check.IsTestFile(rel+"/Chart.yaml") {
			continue
		}
		c := helmrender.Chart{Dir: dir}
		if cc := r.cfg.Chart(dir); cc != nil {
			if !cc.Render {
				continue
			}
			c.Values = cc.Values
			for _, s := range cc.Set {
				c.Set = append(c.Set, helmrender.Setting{Expr: s.Expr, Pos: check.Position{File: r.cfg.File, Line: s.Line, Column: s.Col}})
			}
		}
		res, err := helmrender.Render(c, manifest.Options{Registry: r.reg, Rel: rel + "/values.yaml", Discover: r.discover})
		if err != nil {
			ms.errors = append(ms.errors, err.Error()+"; its files are read line by line")
			continue
		}
		if res.Rendered == 0 {
			continue // no template printed an object (a values-only chart): its values are read as they are
		}
		for _, n := range res.File.Notes {
			if n.Incomplete {
				ms.errors = append(ms.errors, n.String())
				continue
			}
			ms.notes = append(ms.notes, n.String())
		}
		ms.files = append(ms.files, res.File)
		for _, s := range res.Sources {
			covered[s] = true
			ms.byPath[s] = res.File
		}
		if r.flags.v {
			fmt.Fprintf(r.env.Stderr, "portlint: chart %s rendered: %d templates, %d port uses\n", displayPath(r.env, dir), res.Rendered, len(res.File.Uses))
		}
	}
	return covered
}
