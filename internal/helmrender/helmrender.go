// Package helmrender renders Helm charts with the Helm SDK and scans the
// rendered objects with the manifest rules, positioning every port at its
// origin: the values file line the number came from, or the template line
// that holds the literal or the expression.
//
// It is imported only by the portlint command and the language server:
// the SDK brings Kubernetes client libraries, which the analyzer, the
// checks and the golangci-lint plugin must not link.
//
// # Tracing a port to its origin
//
// A chart is rendered twice, from templates instrumented with line
// markers (see instrument): each template line that ends outside a
// template action, a define block and a block scalar gets a YAML comment
// " #@pl:FILE:LINE". A rendered line holding a marker came from that
// template line; a line without one came from an expression's multi-line
// output (toYaml, include, nindent), whose own line carries the next
// marker below it. On the template line, a port's digits written as a
// literal position the use there; otherwise the use is positioned at the
// line's template action, the expression that computed it.
//
// The second render replaces every numeric values leaf that can hold a
// port (a number from 1 to 65535, or the digits of an address such as
// ":8080", under a key that is no count, size or time) with a sentinel: a
// distinct number from 61000 up in steps of 7, recorded with the position
// of the leaf in its values file (the chart's and subcharts' values.yaml,
// the values files .portlint.yaml names) or of the --set entry in
// .portlint.yaml. The uses of both renders are paired by template line,
// source and order; a use whose twin carries a sentinel came from that
// leaf, whatever the templates did on the way (quote, int, toString,
// printf, tpl), and is positioned there. A computed value (add 1) is no
// sentinel, and stays at its template line.
package helmrender

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	v2util "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	"helm.sh/helm/v4/pkg/strvals"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/manifest"
)

// A Setting is one --set style override ("service.port=8080") and where
// it is written.
type Setting struct {
	Expr string
	Pos  check.Position
}

// A Chart names a chart to render and the values to render it with.
type Chart struct {
	Dir    string    // the chart's directory (holding Chart.yaml)
	Values []string  // values files, applied in order after the chart's defaults
	Set    []Setting // overrides, applied last
}

// A Result is a rendered and scanned chart.
type Result struct {
	File *manifest.File // the uses, notes and wiring facts, at their origins
	// Sources are the files of the chart whose content the render stands
	// for: its templates and values files (and its subcharts'). The line
	// scan leaves them alone: a port is reported once.
	Sources []string
	// Rendered counts the rendered templates that held objects.
	Rendered int
}

// A RenderError is a chart that did not render, positioned at the
// template line, values file or Chart.yaml at fault.
type RenderError struct {
	Pos check.Position
	Msg string
}

func (e *RenderError) Error() string { return e.Pos.String() + ": " + e.Msg }

// IsChart reports whether dir holds a chart (a Chart.yaml).
func IsChart(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && st.Mode().IsRegular()
}

// Render loads the chart, renders it with its default values, the values
// files and the overrides, and scans the rendered objects. opts are the
// scan's options; opts.Rel is taken as the chart directory's path
// relative to the project root. A chart that cannot be loaded or rendered
// returns a *RenderError and no result.
func Render(c Chart, opts manifest.Options) (*Result, error) {
	ch, err := loader.LoadDir(c.Dir)
	if err != nil {
		return nil, &RenderError{Pos: check.Position{File: filepath.Join(c.Dir, "Chart.yaml"), Line: 1, Column: 1}, Msg: "chart not loaded: " + err.Error()}
	}
	r := &renderer{chart: c, ch: ch, dirs: map[*chart.Chart]string{}}
	r.mapDirs(ch, c.Dir)
	r.instrument(ch)

	user, err := r.userValues()
	if err != nil {
		return nil, err
	}
	real, err := r.render(user, false)
	if err != nil {
		return nil, err
	}
	sent, serr := r.render(user, true)

	res := &Result{Sources: r.sources()}
	stream, lines := r.stream(real)
	res.Rendered = len(lines.names)
	origin := r.origin(lines)
	var twins map[useKey]*check.Use
	if serr == nil {
		sstream, slines := r.stream(sent)
		sf, _ := manifest.Scan("sentinel", []byte(sstream), opts)
		if sf != nil {
			twins = r.keyUses(sf.Uses, slines)
		}
	}
	byUse := map[int]string{} // rendered offset -> values origin
	if twins != nil {
		probe, _ := manifest.Scan("probe", []byte(stream), opts)
		if probe != nil {
			for k, u := range r.keyUses(probe.Uses, lines) {
				if t := twins[k]; t != nil {
					if v, ok := r.sentinels[t.Port]; ok && v.value == u.Port {
						byUse[u.Pos.Offset] = v.key
					}
				}
			}
		}
	}
	withValues := func(at check.Position, digits string) (check.Position, check.Position, bool) {
		if key, ok := byUse[at.Offset]; ok {
			if leaf := r.leaves[key]; leaf != nil {
				if p, e, literal, ok := leaf.locate(digits); ok {
					return p, e, literal
				}
			}
		}
		return origin(at, digits)
	}
	var dirs []*manifest.Directive
	for _, p := range res.Sources {
		if data, err := os.ReadFile(p); err == nil {
			dirs = append(dirs, manifest.ParseDirectives(p, data)...)
		}
	}
	f, err := manifest.ScanRendered(filepath.Join(c.Dir, "(rendered)"), []byte(stream), opts, withValues, dirs)
	if f == nil {
		return nil, &RenderError{Pos: check.Position{File: filepath.Join(c.Dir, "Chart.yaml"), Line: 1, Column: 1}, Msg: fmt.Sprintf("rendered chart not read: %v", err)}
	}
	if err != nil {
		f.Notes = append(f.Notes, manifest.Note{Pos: err.(*manifest.Error).Pos, Message: "rendered object not read: " + err.(*manifest.Error).Msg, Incomplete: true})
	}
	// the inventory says where a use was rendered from
	for _, u := range f.Uses {
		u.Source += " (chart " + ch.Name() + ")"
	}
	res.File = f
	return res, nil
}

// A renderer holds one chart's state.
type renderer struct {
	chart Chart
	ch    *chart.Chart
	dirs  map[*chart.Chart]string // each chart's directory, "" for an archived subchart

	files    []string       // template files by marker id
	archived []bool         // whether the template is in an archived subchart (no file to fix)
	names    []string       // Helm's name of each template ("CHART/templates/x.yaml")
	byName   map[string]int // marker id by Helm's name
	src      map[int][]byte // template sources by marker id, as written

	leaves    map[string]*leaf // values leaves by key ("FILE\x00path")
	sentinels map[int]sentinel // sentinel number -> its leaf
}

type sentinel struct {
	key   string
	value int // the real value
}

// mapDirs records the directory of the chart and its subcharts.
func (r *renderer) mapDirs(ch *chart.Chart, dir string) {
	r.dirs[ch] = dir
	for _, d := range ch.Dependencies() {
		sub := ""
		if dir != "" {
			p := filepath.Join(dir, "charts", d.Name())
			if IsChart(p) {
				sub = p
			} else if matches, _ := filepath.Glob(filepath.Join(dir, "charts", "*")); len(matches) > 0 {
				for _, m := range matches {
					if IsChart(m) {
						if sc, err := loader.LoadDir(m); err == nil && sc.Name() == d.Name() {
							sub = m
							break
						}
					}
				}
			}
		}
		r.mapDirs(d, sub)
	}
}

// sources lists the files the render stands for: every template and the
// values files, of the chart and its subcharts in directories.
func (r *renderer) sources() []string {
	var out []string
	for ch, dir := range r.dirs {
		if dir == "" {
			continue
		}
		for _, t := range ch.Templates {
			out = append(out, filepath.Join(dir, filepath.FromSlash(t.Name)))
		}
		out = append(out, filepath.Join(dir, "values.yaml"))
	}
	out = append(out, r.chart.Values...)
	sort.Strings(out)
	return slices.Compact(out)
}

// render renders the chart with the user's values; with sentinels, every
// port-like values leaf is replaced by its sentinel first.
func (r *renderer) render(user map[string]any, sentinels bool) (map[string]string, error) {
	ch := r.ch
	vals := user
	if sentinels {
		ch = r.withSentinelDefaults(r.ch)
		vals = r.sentinelize(user, "")
	}
	if err := v2util.ProcessDependencies(ch, vals); err != nil {
		return nil, r.renderError(err)
	}
	top, err := chartutil.ToRenderValues(ch, vals, common.ReleaseOptions{Name: "portlint", Namespace: "", IsInstall: true, Revision: 1}, common.DefaultCapabilities)
	if err != nil {
		return nil, r.renderError(err)
	}
	out, err := engine.Render(ch, top)
	if err != nil {
		return nil, r.renderError(err)
	}
	return out, nil
}

// renderError positions a Helm error: "template: CHART/templates/x.yaml:12:3:
// executing ..." names the template line (of the instrumented source,
// whose lines are the template's own).
func (r *renderer) renderError(err error) error {
	msg := err.Error()
	for i, name := range r.files {
		rel := r.templateName(i)
		j := strings.Index(msg, rel+":")
		if j < 0 {
			continue
		}
		rest := msg[j+len(rel)+1:]
		line, col := 1, 1
		if n, tail, ok := leadingInt(rest); ok {
			line = n
			if strings.HasPrefix(tail, ":") {
				if c, _, ok := leadingInt(tail[1:]); ok {
					col = c
				}
			}
		}
		return &RenderError{Pos: check.Position{File: name, Line: line, Column: col}, Msg: "chart not rendered: " + oneLine(msg)}
	}
	return &RenderError{Pos: check.Position{File: filepath.Join(r.chart.Dir, "Chart.yaml"), Line: 1, Column: 1}, Msg: "chart not rendered: " + oneLine(msg)}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:397] + "..."
	}
	return s
}

func leadingInt(s string) (int, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, s, false
	}
	n, err := strconv.Atoi(s[:i])
	return n, s[i:], err == nil
}

// userValues merges the values files and the overrides, recording the
// position of each leaf for the sentinels.
func (r *renderer) userValues() (map[string]any, error) {
	r.leaves = map[string]*leaf{}
	for _, dir := range r.dirs {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "values.yaml")
		if data, err := os.ReadFile(p); err == nil {
			r.indexValues(p, data, "")
		}
	}
	user := map[string]any{}
	for _, p := range r.chart.Values {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, &RenderError{Pos: check.Position{File: p, Line: 1, Column: 1}, Msg: "values file not read: " + err.Error()}
		}
		v, err := common.ReadValues(data)
		if err != nil {
			return nil, &RenderError{Pos: check.Position{File: p, Line: 1, Column: 1}, Msg: "values file not read: " + oneLine(err.Error())}
		}
		user = mergeMaps(user, v)
		r.indexValues(p, data, "")
	}
	for _, s := range r.chart.Set {
		if err := strvals.ParseInto(s.Expr, user); err != nil {
			return nil, &RenderError{Pos: s.Pos, Msg: "set " + strconv.Quote(s.Expr) + ": " + err.Error()}
		}
		key, _, _ := strings.Cut(s.Expr, "=")
		r.leaves["\x00"+key] = &leaf{pos: s.Pos, set: s.Expr}
	}
	return user, nil
}

// mergeMaps merges b into a, as Helm merges values files.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// A leaf is a scalar of a values file (or a --set entry) and where it is.
type leaf struct {
	file string
	node *yaml.Node
	data []byte
	pos  check.Position // a --set entry's position
	set  string
}

// locate positions the digits in the leaf's source: the scalar in its
// values file (literal: a fix may edit it there), or the --set entry of
// .portlint.yaml (not literal: the override is no deployment's source).
func (l *leaf) locate(digits string) (pos, end check.Position, literal, ok bool) {
	if l.node == nil {
		e := l.pos
		e.Column += len(l.set)
		e.Offset += len(l.set)
		return l.pos, e, false, true
	}
	lines := bytes.SplitAfter(l.data, []byte("\n"))
	if l.node.Line < 1 || l.node.Line > len(lines) {
		return check.Position{}, check.Position{}, false, false
	}
	off := 0
	for i := 0; i < l.node.Line-1; i++ {
		off += len(lines[i])
	}
	line := string(lines[l.node.Line-1])
	from := 0
	for i, c := 0, 1; i < len(line) && c < l.node.Column; i++ {
		if line[i]&0xC0 != 0x80 {
			c++
		}
		from = i + 1
	}
	j := strings.Index(line[min(from, len(line)):], digits)
	if digits == "" || j < 0 {
		return check.Position{}, check.Position{}, false, false
	}
	col := min(from, len(line)) + j
	p := check.Position{File: l.file, Line: l.node.Line, Column: col + 1, Offset: off + col}
	e := p
	e.Column += len(digits)
	e.Offset += len(digits)
	return p, e, true, true
}

// indexValues records the scalar leaves of a values file under their key
// paths, prefixed for a subchart.
func (r *renderer) indexValues(file string, data []byte, prefix string) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return
	}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], path+n.Content[i].Value+".")
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path[:max(0, len(path)-1)]+"["+strconv.Itoa(i)+"].")
			}
		case yaml.AliasNode:
			if n.Alias != nil {
				walk(n.Alias, path)
			}
		case yaml.ScalarNode:
			key := file + "\x00" + strings.TrimSuffix(path, ".")
			r.leaves[key] = &leaf{file: file, node: n, data: data}
		}
	}
	walk(doc.Content[0], prefix)
}
