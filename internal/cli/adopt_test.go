package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portlint/portlint/registry"
)

// realModules are projects without a port plan of their own, fetched
// through the module proxy, with the packages and paths portlint checks
// (k8s.io/apiserver is a library: its serving options and webhook client,
// where its ports are; jaeger's HotROD is Go with compose and Kubernetes
// manifests).
var realModules = []struct {
	module, version string
	paths           []string
}{
	{"github.com/nats-io/nats-server/v2", "v2.10.22", []string{"./..."}},
	{"k8s.io/apiserver", "v0.33.1", []string{"./pkg/server/...", "./pkg/util/webhook/..."}},
	{"github.com/jaegertracing/jaeger", "v1.62.0", []string{"./examples/hotrod/..."}},
}

// TestAdoptRealModules walks the adoption path on real modules: without a
// plan portlint says so on stderr; registry init drafts one that validates
// and against which the tree lints clean; a baseline accepts a planted
// mistake and the next run is clean, and a second planted mistake is
// reported alone. It takes minutes: it runs under CI=true (.ci/run) or
// with PORTLINT_REAL_MODULES=1, and needs the module proxy.
func TestAdoptRealModules(t *testing.T) {
	ci := os.Getenv("CI") == "true"
	if !ci && os.Getenv("PORTLINT_REAL_MODULES") != "1" {
		t.Skip("downloads real modules and checks them (minutes): set PORTLINT_REAL_MODULES=1, as CI=true does")
	}
	if err := proxyReachable(); err != nil {
		if ci {
			t.Fatalf("the Go module proxy is unreachable: %v", err)
		}
		t.Skipf("the Go module proxy is unreachable (%v); the test downloads its modules through it", err)
	}
	bin := portlintBinary(t)
	for _, m := range realModules {
		t.Run(filepath.Base(strings.TrimSuffix(m.module, "/v2")), func(t *testing.T) {
			dir := fetchModule(t, m.module, m.version)
			adopt(t, bin, dir, m.module, m.paths)
		})
	}
}

// proxyReachable dials the first host of GOPROXY.
func proxyReachable() error {
	out, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		return err
	}
	for _, p := range strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool { return r == ',' || r == '|' }) {
		if p == "off" {
			return errors.New("GOPROXY=off")
		}
		if p == "direct" {
			continue
		}
		host := strings.TrimPrefix(strings.TrimPrefix(p, "https://"), "http://")
		host, _, _ = strings.Cut(host, "/")
		port := "443"
		if strings.HasPrefix(p, "http://") {
			port = "80"
		}
		if h, pt, err := net.SplitHostPort(host); err == nil {
			host, port = h, pt
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 10*time.Second)
		if err != nil {
			return err
		}
		c.Close()
		return nil
	}
	return errors.New("no proxy in GOPROXY")
}

// fetchModule downloads a module and copies it to a writable directory.
func fetchModule(t *testing.T, module, version string) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", module+"@"+version).Output()
	if err != nil {
		t.Fatalf("go mod download %s@%s: %v", module, version, err)
	}
	m := regexp.MustCompile(`"Dir": "([^"]+)"`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("go mod download %s@%s printed no Dir:\n%s", module, version, out)
	}
	dir := filepath.Join(t.TempDir(), "src")
	if out, err := exec.Command("cp", "-r", string(m[1]), dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", dir).CombinedOutput(); err != nil {
		t.Fatalf("chmod: %v\n%s", err, out)
	}
	return dir
}

// runIn runs the binary in dir and returns stdout, stderr and the status.
func runIn(t *testing.T, bin, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("portlint %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), code
}

func adopt(t *testing.T, bin, dir, module string, paths []string) {
	// Without a plan: the notice, once.
	_, stderr, code := runIn(t, bin, dir, paths...)
	if code != 0 && code != 3 {
		t.Fatalf("portlint without a plan exited %d:\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "portlint: no registry found"); n != 1 {
		t.Errorf("without a plan, stderr says %d times that no registry was found, want once:\n%s", n, stderr)
	}

	// The draft validates, and the tree lints clean against it.
	_, stderr, code = runIn(t, bin, dir, append([]string{"registry", "init", "-o", "registry.yaml"}, paths...)...)
	if code != 0 || !strings.Contains(stderr, "the tree lints clean against it") {
		t.Fatalf("registry init exited %d:\n%s", code, stderr)
	}
	draft, err := os.ReadFile(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := runIn(t, bin, dir, "registry", "check", "registry.yaml"); code != 0 {
		t.Fatalf("registry check of the draft exited %d:\n%s%s\nthe draft:\n%s", code, out, stderr, draft)
	}
	reg, err := registry.Parse("registry.yaml", draft)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Components) == 0 {
		t.Fatalf("the draft has no component:\n%s", draft)
	}
	if !bytes.Contains(draft, []byte("# seen at ")) {
		t.Errorf("the draft says nowhere where a port was seen:\n%s", draft)
	}
	out, stderr, code := runIn(t, bin, dir, paths...)
	if code != 0 || out != "" || stderr != "" {
		t.Fatalf("against its draft, portlint exited %d:\n%s%s\nthe draft:\n%s", code, out, stderr, draft)
	}

	// A baseline accepts today's mistake; the next run is clean; a new
	// mistake is reported alone.
	pkgDir, pkgName := plantDir(t, dir, module, reg)
	write := func(name string, port int) string {
		p := filepath.Join(pkgDir, name)
		src := fmt.Sprintf("package %s\n\nimport \"net\"\n\nfunc %s() { net.Listen(\"tcp\", \":%d\") }\n", pkgName, strings.TrimSuffix(name, ".go"), port)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("portlintplantedone.go", 60001)
	if out, stderr, code := runIn(t, bin, dir, append([]string{"-write-baseline", "baseline.json"}, paths...)...); code != 0 || out != "" || !strings.Contains(stderr, "wrote 1 findings to baseline.json") {
		t.Fatalf("-write-baseline exited %d:\n%s%s", code, out, stderr)
	}
	if out, stderr, code := runIn(t, bin, dir, append([]string{"-baseline", "baseline.json"}, paths...)...); code != 0 || out != "" || stderr != "" {
		t.Fatalf("with the baseline, portlint exited %d:\n%s%s", code, out, stderr)
	}
	planted := write("portlintplantedtwo.go", 60002)
	out, stderr, code = runIn(t, bin, dir, append([]string{"-baseline", "baseline.json"}, paths...)...)
	rel, _ := filepath.Rel(dir, planted)
	want := regexp.MustCompile(`^` + regexp.QuoteMeta(rel) + `:5:\d+: port 60002 is outside the pool .* \[foreign-range\]\n$`)
	if code != 3 || !want.MatchString(out) {
		t.Fatalf("a new mistake: portlint exited %d, want 3 and one finding at %s:\n%s%s", code, rel, out, stderr)
	}
}

// plantDir returns the directory and package name of a Go package the
// draft attributes to a component, where a planted mistake is checked.
func plantDir(t *testing.T, dir, module string, reg *registry.Registry) (string, string) {
	t.Helper()
	for _, c := range reg.Components {
		for _, p := range c.Packages {
			rel, ok := strings.CutPrefix(p, module)
			if !ok || strings.ContainsAny(rel, "*.") {
				continue
			}
			d := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
			files, _ := filepath.Glob(filepath.Join(d, "*.go"))
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if m := regexp.MustCompile(`(?m)^package (\w+)`).FindSubmatch(data); m != nil {
					return d, string(m[1])
				}
			}
		}
	}
	t.Fatal("the draft attributes no Go package of the module")
	return "", ""
}
