package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portlint/portlint/finding"
)

// TestSummaryCountsIgnoredGo: the JSON summary counts Go findings that a
// //portlint:ignore directive silenced (the analyzer drops them), beside
// the YAML ones (kept, marked).
func TestSummaryCountsIgnoredGo(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/ign\n\ngo 1.26\n",
		"main.go": `// Command webserver.
//
//portlint:component webserver
package main

import "net"

func main() {
	net.Listen("tcp", ":28951") //portlint:ignore conflict shared during the migration
	net.Listen("tcp", ":28953") //portlint:ignore conflict shared during the migration
	net.Listen("tcp", ":28954")
}
`,
		"deploy/pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: webserver
  labels: {app.kubernetes.io/name: webserver}
spec:
  containers:
    - name: webserver
      image: web:1
      ports:
        # portlint:ignore reserved the lab runs no mesh
        - containerPort: 15001
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), &Env{Stdout: &stdout, Stderr: &stderr, Dir: dir}, []string{"-json", "./..."})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	var sum *finding.Summary
	var shown []string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m finding.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if m.Summary != nil {
			sum = m.Summary
		}
		if m.Finding != nil {
			shown = append(shown, m.Finding.Message)
		}
	}
	if sum == nil || sum.Ignored != 3 || sum.Findings != 1 || len(shown) != 1 || !strings.Contains(shown[0], "port 28954 belongs to super_glue") {
		t.Errorf("summary %+v, shown %q; want 3 ignored (two Go, one YAML) and the one unsilenced conflict", sum, shown)
	}
}
