package helmrender

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/manifest"
)

// TestOrigins renders testdata/web (a subchart, a library chart, include,
// tpl, required, lookup) and checks where each port use is placed: a value
// at its values file line (the parent's override of a subchart's value
// too, and through tpl), a literal at its template line, a computed
// number and a named port at the template expression, which gets no fix.
func TestOrigins(t *testing.T) {
	res, err := Render(Chart{Dir: "testdata/web"}, manifest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range res.File.Uses {
		got = append(got, fmt.Sprintf("%s:%d:%d %d %s fix=%v", filepath.ToSlash(u.Pos.File), u.Pos.Line, u.Pos.Column, u.Port, u.Source, !res.File.Unfixable(u)))
	}
	want := []string{
		"testdata/web/values.yaml:13:15 7050 k8s containerPort (chart web) fix=true",                                          // sub.listenPort, the parent's override
		"testdata/web/values.yaml:8:17 7002 k8s args (chart web) fix=true",                                                    // ":7002" inside a string
		"testdata/web/values.yaml:7:9 7001 k8s containerPort (chart web) fix=true",                                            // web.port
		"testdata/web/templates/deployment.yaml:24:30 7011 k8s containerPort (chart web) fix=false",                           // add .Values.metricsBase 1
		"testdata/web/templates/deployment.yaml:26:30 7003 k8s containerPort (chart web) fix=true",                            // a literal
		"testdata/web/templates/deployment.yaml:27:11 7001 k8s livenessProbe httpGet (named port http) (chart web) fix=false", // the library's include
		"testdata/web/templates/deployment.yaml:30:21 7002 k8s readinessProbe httpGet (chart web) fix=true",
		"testdata/web/values.yaml:4:9 7001 k8s Service port (chart web) fix=true",
		"testdata/web/templates/service.yaml:12:19 7001 k8s Service targetPort (named port http) (chart web) fix=true",
		"testdata/web/values.yaml:7:9 7001 k8s Service port (chart web) fix=true", // tpl "{{ .Values.web.port }}"
		"testdata/web/templates/service.yaml:15:19 7099 k8s Service targetPort (chart web) fix=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("uses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// every position spells its port at its origin (or is the expression)
	for _, u := range res.File.Uses {
		data, err := os.ReadFile(u.Pos.File)
		if err != nil {
			t.Fatal(err)
		}
		at := string(data[u.Pos.Offset:u.End.Offset])
		if strings.Contains(u.Source, "named port") {
			continue // a name, checked where its number is declared
		}
		if !res.File.Unfixable(u) && at != fmt.Sprint(u.Port) {
			t.Errorf("%s: %q is not %d", u.Pos, at, u.Port)
		}
		if res.File.Unfixable(u) && !strings.HasPrefix(at, "{{") {
			t.Errorf("%s: a computed port is placed at %q, not its expression", u.Pos, at)
		}
	}
	var pods []string
	for _, p := range res.File.Pods {
		pods = append(pods, p.Name)
	}
	if strings.Join(pods, ",") != "sub,web" {
		t.Errorf("pods = %v", pods)
	}
	for _, s := range []string{"templates/deployment.yaml", "templates/service.yaml", "values.yaml", "charts/sub/templates/pod.yaml", "charts/sub/values.yaml"} {
		if !slices.Contains(res.Sources, filepath.Join("testdata/web", s)) {
			t.Errorf("sources lack %s: %v", s, res.Sources)
		}
	}
}

// TestValuesAndSet: a values file and a --set override take the ports,
// and the uses are placed where they set them.
func TestValuesAndSet(t *testing.T) {
	dir := t.TempDir()
	vf := filepath.Join(dir, "prod.yaml")
	if err := os.WriteFile(vf, []byte("web:\n  port: 7101\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set := Setting{Expr: "service.port=7201", Pos: check.Position{File: "/p/.portlint.yaml", Line: 4, Column: 9}}
	res, err := Render(Chart{Dir: "testdata/web", Values: []string{vf}, Set: []Setting{set}}, manifest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, u := range res.File.Uses {
		found[fmt.Sprintf("%s:%d:%d %d", filepath.Base(u.Pos.File), u.Pos.Line, u.Pos.Column, u.Port)] = true
	}
	for _, w := range []string{"prod.yaml:2:9 7101", ".portlint.yaml:4:9 7201"} {
		if !found[w] {
			t.Errorf("no use %s; got %v", w, found)
		}
	}
}

// TestRenderErrors: a required value that is missing and a template that
// does not parse are errors positioned at the template line; a chart that
// does not load is positioned at its Chart.yaml.
func TestRenderErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Chart.yaml", "apiVersion: v2\nname: bad\nversion: 0.1.0\n")
	write("templates/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: x\n      ports:\n        - containerPort: {{ required \"port is required\" .Values.port }}\n")
	_, err := Render(Chart{Dir: dir}, manifest.Options{})
	re, ok := err.(*RenderError)
	if !ok || re.Pos.File != filepath.Join(dir, "templates/pod.yaml") || re.Pos.Line != 9 || !strings.Contains(re.Msg, "port is required") {
		t.Errorf("missing required value: %v", err)
	}
	write("templates/pod.yaml", "kind: Pod\nspec: {{ if }}\n")
	_, err = Render(Chart{Dir: dir}, manifest.Options{})
	if re, ok := err.(*RenderError); !ok || re.Pos.File != filepath.Join(dir, "templates/pod.yaml") || re.Pos.Line != 2 {
		t.Errorf("a template that does not parse: %v", err)
	}
	write("Chart.yaml", "name: [\n")
	_, err = Render(Chart{Dir: dir}, manifest.Options{})
	if re, ok := err.(*RenderError); !ok || re.Pos.File != filepath.Join(dir, "Chart.yaml") {
		t.Errorf("a chart that does not load: %v", err)
	}
}

// BenchmarkRender measures a chart's two renders and three scans
// (go test -bench Render ./internal/helmrender).
func BenchmarkRender(b *testing.B) {
	for b.Loop() {
		if _, err := Render(Chart{Dir: "testdata/web"}, manifest.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMarkersChangeNothing renders charts with and without the line
// markers: with the markers taken out, the output is the same, byte for
// byte (block scalars, defines, trimmed actions, flow sequences).
func TestMarkersChangeNothing(t *testing.T) {
	for _, dir := range []string{"testdata/web", "testdata/tricky"} {
		markersChangeNothing(t, dir)
	}
}

func markersChangeNothing(t *testing.T, dir string) {
	t.Helper()
	{
		plain := renderPlain(t, dir)
		r := &renderer{chart: Chart{Dir: dir}, dirs: map[*chart.Chart]string{}}
		ch, err := loader.LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		r.ch = ch
		r.mapDirs(ch, dir)
		r.instrument(ch)
		user, err := r.userValues()
		if err != nil {
			t.Fatal(err)
		}
		marked, err := r.render(user, false)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range plain {
			if strings.HasSuffix(name, ".tpl") || strings.HasSuffix(name, ".txt") {
				continue
			}
			// as YAML reads them: a marker is a comment, never content
			if got, want := decodeAll(t, name, splitDocs(marked[name])), decodeAll(t, name, splitDocs(want)); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: with markers:\n%#v\nwithout:\n%#v", name, got, want)
			}
			if !strings.Contains(marked[name], markerText) && strings.TrimSpace(want) != "" {
				t.Errorf("%s: no marker in the output", name)
			}
		}
	}
}

func decodeAll(t *testing.T, name, text string) []any {
	t.Helper()
	var out []any
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		out = append(out, v)
	}
}

func renderPlain(t *testing.T, dir string) map[string]string {
	t.Helper()
	ch, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &renderer{chart: Chart{Dir: dir}, ch: ch, dirs: map[*chart.Chart]string{}}
	r.mapDirs(ch, dir)
	user, err := r.userValues()
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.render(user, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
