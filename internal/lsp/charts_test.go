package lsp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// TestChartDiagnostics: a chart's values file and template, open as they
// are on disk, get the rendered chart's findings at their origins: the
// retired port in values.yaml where the template prints it, the reserved
// literal in the template; the fix edits values.yaml.
func TestChartDiagnostics(t *testing.T) {
	dir := lsptest.CopyDir(t, filepath.Join("testdata", "fixture"))
	files := map[string]string{
		"deploy/chart/Chart.yaml":  "apiVersion: v2\nname: agent\nversion: 0.1.0\n",
		"deploy/chart/values.yaml": "agent:\n  port: 8099\n",
		"deploy/chart/templates/daemonset.yaml": `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
        - name: agent
          image: registry.example.com/engine/agent:3
          ports:
            - containerPort: {{ .Values.agent.port }}
            - containerPort: 15001
`,
	}
	for rel, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := startClient(t, dir, Options{})
	values := "deploy/chart/values.yaml"
	text := c.open(values)
	ds := c.waitCount(values, 1)
	if ds[0].Code != "retired" || ds[0].Range != span(t, text, "8099", 0) {
		t.Errorf("values.yaml: %+v", ds)
	}
	tmpl := "deploy/chart/templates/daemonset.yaml"
	text = c.open(tmpl)
	ds = c.waitCount(tmpl, 1)
	if ds[0].Code != "reserved" || ds[0].Range != span(t, text, "15001", 0) {
		t.Errorf("template: %+v", ds)
	}
	if as := c.codeActions(values, Range{Start: find(t, files[values], "8099", 0), End: find(t, files[values], "8099", 0)}); len(as) != 1 || as[0].Title != "Replace 8099 with 20000" {
		t.Errorf("values.yaml code actions = %+v", as)
	}
}
