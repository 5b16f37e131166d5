package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

const (
	webDeployment = "deploy/webserver/deployment.yaml"
	webService    = "deploy/webserver/service.yaml"
)

// TestWiringDiagnostics: a Service's named targetPort is checked against
// the workload of another file, read from disk; a probe on a port only the
// component's code listens on is served once the workspace's inventory
// holds that code, and not judged before; a probe on a port nothing serves
// is a diagnostic.
func TestWiringDiagnostics(t *testing.T) {
	dir := lsptest.CopyDir(t, filepath.Join("testdata", "fixture"))
	files := map[string]string{
		webDeployment: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: webserver
spec:
  template:
    metadata:
      labels: {app: webserver}
    spec:
      containers:
        - name: webserver
          image: registry.example.com/engine/webserver:3
          ports:
            - {name: ui, containerPort: 20200}
          livenessProbe:
            httpGet: {port: 28955}
          readinessProbe:
            httpGet: {port: 20299}
`,
		webService: `apiVersion: v1
kind: Service
metadata:
  name: webserver
spec:
  selector: {app: webserver}
  ports:
    - {name: ui, port: 20200, targetPort: ui}
    - {name: api, port: 20202, targetPort: api}
`,
	}
	for rel, text := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(filepath.FromSlash(rel))), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := startClient(t, dir, Options{})
	c.open(webService)
	p := c.waitDiags(webService, func(p PublishDiagnosticsParams) bool { return len(codes(p.Diagnostics, "target-port")) > 0 })
	ds := codes(p.Diagnostics, "target-port")
	if len(ds) != 1 || !strings.Contains(ds[0].Message, `targetPort "api" of service webserver names no container port of the pods it selects (deployment webserver serves ui 20200)`) {
		t.Errorf("target-port diagnostics = %+v", ds)
	}
	if ds[0].Range != span(t, files[webService], "api", 2) {
		t.Errorf("target-port range = %+v", ds[0].Range)
	}

	// Before webserver's code is analyzed, its pod is not judged by number.
	text := c.open(webDeployment)
	p = c.waitDiags(webDeployment, func(PublishDiagnosticsParams) bool { return true })
	if ds := codes(p.Diagnostics, "probe-port"); len(ds) != 0 {
		t.Errorf("probe-port before the code is known: %+v", ds)
	}

	c.open(webGo)
	c.waitDiags(webGo, func(PublishDiagnosticsParams) bool { return true })
	v := c.replace(webDeployment, text)
	p = c.waitDiags(webDeployment, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	ds = codes(p.Diagnostics, "probe-port")
	if len(ds) != 1 || ds[0].Message != "readinessProbe httpGet port 20299 is served by no container of deployment webserver (it serves ui 20200, 28955 (its code))\nhint: point the probe at a port the container serves, or serve the port it probes" {
		t.Fatalf("probe-port diagnostics = %+v", ds)
	}
	if ds[0].Range != span(t, text, "20299", 0) {
		t.Errorf("probe-port range = %+v", ds[0].Range)
	}
	if len(ds[0].RelatedInformation) == 0 || !strings.HasSuffix(ds[0].RelatedInformation[len(ds[0].RelatedInformation)-1].Location.URI, "cmd/webserver/main.go") {
		t.Errorf("probe-port related = %+v, want the code's listener", ds[0].RelatedInformation)
	}
}

func codes(ds []Diagnostic, code string) []Diagnostic {
	var out []Diagnostic
	for _, d := range ds {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}
