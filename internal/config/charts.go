package config

import (
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// A Chart is a Helm chart entry of .portlint.yaml: how to render the chart
// in a directory.
//
//	charts:
//	  - path: deploy/charts/web       # the chart's directory
//	    values: [deploy/prod.yaml]    # values files, after the chart's own
//	    set: ["service.port=8080"]    # --set overrides, applied last
//	  - path: deploy/charts/legacy
//	    render: false                 # read line by line, not rendered
type Chart struct {
	Path   string    // the chart's directory, absolute
	Values []string  // values files, absolute
	Set    []Setting // overrides
	Render bool      // false: read line by line (default true)
	Line   int       // where the entry is written
	Col    int
}

// A Setting is one --set override and where .portlint.yaml writes it.
type Setting struct {
	Expr      string
	Line, Col int
}

// Chart returns the configuration of the chart in dir, or nil.
func (c *Config) Chart(dir string) *Chart {
	if c == nil {
		return nil
	}
	for i := range c.Charts {
		if filepath.Clean(c.Charts[i].Path) == filepath.Clean(dir) {
			return &c.Charts[i]
		}
	}
	return nil
}

// parseCharts reads the charts key.
func parseCharts(c *Config, v *yaml.Node, fail func(*yaml.Node, string, ...any), inside func(*yaml.Node, string, string)) {
	if v.Kind != yaml.SequenceNode {
		fail(v, "charts: want a list of charts (path, values, set, render)")
		return
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(c.Dir, p)
	}
	for _, e := range v.Content {
		if e.Kind != yaml.MappingNode {
			fail(e, "charts: want a mapping with path, values, set and render")
			continue
		}
		ch := Chart{Render: true, Line: e.Line, Col: e.Column}
		for j := 0; j+1 < len(e.Content); j += 2 {
			k, val := e.Content[j], e.Content[j+1]
			switch k.Value {
			case "path":
				if val.Kind != yaml.ScalarNode || val.Value == "" {
					fail(val, "charts.path: want the chart's directory")
					continue
				}
				inside(val, "charts.path", val.Value)
				ch.Path = abs(val.Value)
			case "values":
				items := []*yaml.Node{val}
				if val.Kind == yaml.SequenceNode {
					items = val.Content
				}
				for _, it := range items {
					if it.Kind != yaml.ScalarNode || it.Value == "" {
						fail(it, "charts.values: want values files")
						continue
					}
					inside(it, "charts.values", it.Value)
					ch.Values = append(ch.Values, abs(it.Value))
				}
			case "set":
				items := []*yaml.Node{val}
				if val.Kind == yaml.SequenceNode {
					items = val.Content
				}
				for _, it := range items {
					if it.Kind != yaml.ScalarNode || it.Value == "" {
						fail(it, "charts.set: want KEY=VALUE overrides")
						continue
					}
					ch.Set = append(ch.Set, Setting{Expr: it.Value, Line: it.Line, Col: it.Column})
				}
			case "render":
				if val.Kind != yaml.ScalarNode || (val.Value != "true" && val.Value != "false") {
					fail(val, "charts.render: want true or false")
					continue
				}
				ch.Render = val.Value == "true"
			default:
				fail(k, "unknown key %q in charts; known keys: path, values, set, render", k.Value)
			}
		}
		if ch.Path == "" {
			fail(e, "charts: an entry needs the chart's path")
			continue
		}
		c.Charts = append(c.Charts, ch)
	}
}
