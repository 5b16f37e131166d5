package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portlint/portlint/finding"
)

// realCharts are public Helm charts that live inside Go modules, fetched
// through the module proxy. cert-manager keeps its Chart.yaml as a
// template its release tool fills in; the test fills it in the same way.
var realCharts = []struct {
	name, module, version, dir string
	prepare                    func(t *testing.T, dir string)
}{
	{"cert-manager", "github.com/cert-manager/cert-manager", "v1.19.2", "deploy/charts/cert-manager", func(t *testing.T, dir string) {
		data, err := os.ReadFile(filepath.Join(dir, "Chart.template.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.ReplaceAll(string(data), "{{IS_PRERELEASE}}", "false"))
		if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}},
	{"external-secrets", "github.com/external-secrets/external-secrets", "v0.16.2", "deploy/charts/external-secrets", nil},
	{"metrics-server", "sigs.k8s.io/metrics-server", "v0.8.0", "charts/metrics-server", nil},
}

// TestRealCharts renders real public charts and scans them: no render
// error, no wiring finding (each is a chart that works: a finding would be
// a false one), and every rendered port placed in the chart's values or
// templates, at its digits, its name or the template expression that
// computes it. It runs under CI=true (.ci/run) or with
// PORTLINT_REAL_CHARTS=1, and needs the module proxy.
func TestRealCharts(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	if !ci && os.Getenv("PORTLINT_REAL_CHARTS") != "1" {
		t.Skip("downloads real charts through the module proxy: set PORTLINT_REAL_CHARTS=1, as CI=true does")
	}
	if err := proxyReachable(); err != nil {
		if ci {
			t.Fatalf("the Go module proxy is unreachable: %v", err)
		}
		t.Skipf("the Go module proxy is unreachable (%v); the test downloads its charts through it", err)
	}
	bin := portlintBinary(t)
	for _, c := range realCharts {
		t.Run(c.name, func(t *testing.T) {
			out, err := exec.Command("go", "mod", "download", "-json", c.module+"@"+c.version).Output()
			if err != nil {
				t.Fatalf("go mod download %s@%s: %v", c.module, c.version, err)
			}
			m := regexp.MustCompile(`"Dir": "([^"]+)"`).FindSubmatch(out)
			if m == nil {
				t.Fatalf("go mod download printed no Dir:\n%s", out)
			}
			root := t.TempDir()
			dir := filepath.Join(root, c.name)
			if out, err := exec.Command("cp", "-r", filepath.Join(string(m[1]), c.dir), dir).CombinedOutput(); err != nil {
				t.Fatalf("cp: %v\n%s", err, out)
			}
			if out, err := exec.Command("chmod", "-R", "u+w", dir).CombinedOutput(); err != nil {
				t.Fatalf("chmod: %v\n%s", err, out)
			}
			if c.prepare != nil {
				c.prepare(t, dir)
			}
			// a plan with one pool of every port: the wiring checks alone speak
			plan := "version: 1\ngroups:\n  all: {pool: \"[1, 65536)\"}\n"
			if err := os.WriteFile(filepath.Join(root, "registry.yaml"), []byte(plan), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runIn(t, bin, root, "-no-go", "-json", "./...")
			if code != 0 || strings.Contains(stderr, "chart not rendered") {
				t.Fatalf("portlint exited %d:\n%s", code, stderr)
			}
			sc := bufio.NewScanner(strings.NewReader(stdout))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var msg finding.Message
				if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
					t.Fatal(err)
				}
				if msg.Error != nil {
					t.Errorf("error: %s", msg.Error.Message)
				}
				if f := msg.Finding; f != nil && (f.Check == "probe-port" || f.Check == "target-port" || f.Check == "drift") {
					t.Errorf("wiring finding on a working chart: %s:%d:%d: %s [%s]", f.Pos.File, f.Pos.Line, f.Pos.Column, f.Message, f.Check)
				}
			}
			stdout, stderr, code = runIn(t, bin, root, "ports", "-no-go", "-json", "./...")
			if code != 0 {
				t.Fatalf("portlint ports exited %d:\n%s", code, stderr)
			}
			checkRenderedUses(t, root, c.name, stdout)
		})
	}
}

// checkRenderedUses checks that the chart's uses are rendered ones, placed
// in its values.yaml or templates at the port's digits, a port name, or a
// template action.
func checkRenderedUses(t *testing.T, root, name, jsonl string) {
	t.Helper()
	n, inValues, inTemplates := 0, 0, 0
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r finding.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(r.Source, "(chart "+name+")") {
			t.Errorf("%s:%d: a use of the chart not from its render: %s", r.File, r.Line, r.Source)
			continue
		}
		n++
		switch {
		case r.File == name+"/values.yaml":
			inValues++
		case strings.HasPrefix(r.File, name+"/templates/"):
			inTemplates++
		default:
			t.Errorf("%s:%d: a rendered port placed outside the chart's values and templates", r.File, r.Line)
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, r.File))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		if r.Line < 1 || r.Line > len(lines) || r.Column < 1 || r.Column > len(lines[r.Line-1])+1 {
			t.Errorf("%s:%d:%d: no such place", r.File, r.Line, r.Column)
			continue
		}
		at := lines[r.Line-1][r.Column-1:]
		port := strconv.Itoa(r.Port)
		named := strings.Contains(r.Source, "named port")
		if !strings.HasPrefix(at, port) && !strings.HasPrefix(at, "{{") && !named {
			t.Errorf("%s:%d:%d: port %d placed at %q", r.File, r.Line, r.Column, r.Port, lines[r.Line-1])
		}
	}
	if n < 5 || inValues == 0 || inTemplates == 0 {
		t.Errorf("%s: %d rendered uses, %d in values.yaml, %d in templates; want 5 or more, in both", name, n, inValues, inTemplates)
	}
	t.Logf("%s: %d rendered uses, %d placed in values.yaml, %d in templates", name, n, inValues, inTemplates)
}
