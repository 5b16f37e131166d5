package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPortsSaysWhatWasSkipped: the inventory of a Helm template lists the
// uses it read and says which template-set values it could not.
func TestPortsSaysWhatWasSkipped(t *testing.T) {
	dir := t.TempDir()
	chart := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-webserver
  labels: {app.kubernetes.io/name: webserver}
spec:
  template:
    spec:
      containers:
        - name: webserver
          ports:
            - containerPort: 20200
{{- if .Values.debug }}
            - containerPort: {{ .Values.debugPort }}
{{- end }}
`
	for name, content := range map[string]string{"go.mod": "module example.com/h\n\ngo 1.26\n", "chart/templates/deploy.yaml": chart} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), &Env{Stdout: &stdout, Stderr: &stderr, Dir: dir}, []string{"ports", "./..."}); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "20200  tcp") || !strings.Contains(out, "Not scanned:") ||
		!strings.Contains(out, "chart/templates/deploy.yaml:14:30: containerPort is set by a template ({{ .Values.debugPort }}); not checked") {
		t.Errorf("inventory:\n%s", out)
	}
	stdout.Reset()
	stderr.Reset()
	if err := Run(context.Background(), &Env{Stdout: &stdout, Stderr: &stderr, Dir: dir}, []string{"ports", "-json", "./..."}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(strings.TrimSpace(stdout.String()), "\n") != 0 || !strings.Contains(stderr.String(), "note: chart/templates/deploy.yaml:14:30") {
		t.Errorf("-json: stdout %q, stderr %q: want one use per line and the note on stderr", stdout.String(), stderr.String())
	}
}
