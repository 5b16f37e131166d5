package helmrender

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMarkersOnRealCharts checks on real charts, fetched through the module
// proxy, that the line markers change nothing YAML reads (see
// TestMarkersChangeNothing). Like internal/cli's TestRealCharts, it runs
// under CI=true or with PORTLINT_REAL_CHARTS=1.
func TestMarkersOnRealCharts(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	if !ci && os.Getenv("PORTLINT_REAL_CHARTS") != "1" {
		t.Skip("downloads real charts through the module proxy: set PORTLINT_REAL_CHARTS=1, as CI=true does")
	}
	for _, c := range []struct{ module, dir string }{
		{"github.com/cert-manager/cert-manager@v1.19.2", "deploy/charts/cert-manager"},
		{"github.com/external-secrets/external-secrets@v0.16.2", "deploy/charts/external-secrets"},
		{"sigs.k8s.io/metrics-server@v0.8.0", "charts/metrics-server"},
	} {
		out, err := exec.Command("go", "mod", "download", "-json", c.module).Output()
		if err != nil {
			t.Fatalf("go mod download %s: %v (the module proxy must be reachable)", c.module, err)
		}
		m := regexp.MustCompile(`"Dir": "([^"]+)"`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("go mod download printed no Dir:\n%s", out)
		}
		dir := filepath.Join(t.TempDir(), filepath.Base(c.dir))
		if out, err := exec.Command("cp", "-r", filepath.Join(string(m[1]), c.dir), dir).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		if out, err := exec.Command("chmod", "-R", "u+w", dir).CombinedOutput(); err != nil {
			t.Fatalf("chmod: %v\n%s", err, out)
		}
		if tmpl, err := os.ReadFile(filepath.Join(dir, "Chart.template.yaml")); err == nil {
			if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte(strings.ReplaceAll(string(tmpl), "{{IS_PRERELEASE}}", "false")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		markersChangeNothing(t, dir)
	}
}
