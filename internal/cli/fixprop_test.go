package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// TestFixProperties runs -fix over the analyzer's fixtures (a GOPATH tree,
// against the embedded plan) and over examples/engine, and checks what
// must hold after any fix: every package that type-checked still does,
// every changed Go file is gofmt-clean, no component serves a port twice
// where it did not before, and a second -fix changes nothing.
func TestFixProperties(t *testing.T) {
	bin := portlintBinary(t)
	t.Run("fixtures", func(t *testing.T) {
		gopath := t.TempDir()
		src := lsptest.CopyDir(t, filepath.Join("..", "..", "analyzer", "testdata", "src"))
		if err := os.Rename(src, filepath.Join(gopath, "src")); err != nil {
			t.Fatal(err)
		}
		env := []string{"GO111MODULE=off", "GOPATH=" + gopath, "GOFLAGS=", "GOWORK=off"}
		if fixProperties(t, bin, filepath.Join(gopath, "src"), env, "./...") == 0 {
			t.Fatal("-fix changed no fixture file: the properties were checked on nothing")
		}
	})
	t.Run("engine", func(t *testing.T) {
		dir := lsptest.CopyDir(t, filepath.Join("..", "..", "examples", "engine"))
		fixProperties(t, bin, dir, []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off"}, "./...")
		// the agent's retired 8099 moved to 20000, where it already
		// listens: the fix is withheld, the port left for a person
		data, err := os.ReadFile(filepath.Join(dir, "internal", "agent", "legacy.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("legacyPort = 8099")) {
			t.Errorf("-fix moved the agent's legacy endpoint:\n%s", data)
		}
	})
}

// fixProperties runs -fix on pattern in dir, checks the properties, and
// returns how many files the first -fix changed.
func fixProperties(t *testing.T, bin, dir string, env []string, pattern string) int {
	t.Helper()
	typed := typeChecks(t, dir, env, pattern)
	servedBefore := twiceServed(t, bin, dir, env, pattern)
	before := hashTree(t, dir)
	runFix(t, bin, dir, env, pattern)
	after := hashTree(t, dir)
	var changed []string
	for f, h := range after {
		if before[f] != h {
			changed = append(changed, f)
		}
	}
	sort.Strings(changed)
	for _, f := range changed {
		if strings.HasSuffix(f, ".go") {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := format.Source(data); err != nil || !bytes.Equal(out, data) {
				t.Errorf("%s is not gofmt-clean after -fix (%v)", f, err)
			}
		}
	}
	for p := range typed {
		if !typeChecks(t, dir, env, pattern)[p] {
			t.Errorf("%s: package %s type-checked before -fix, not after", dir, p)
		}
	}
	for k := range twiceServed(t, bin, dir, env, pattern) {
		if !servedBefore[k] {
			t.Errorf("%s: after -fix %s", dir, k)
		}
	}
	runFix(t, bin, dir, env, pattern)
	again := hashTree(t, dir)
	for f, h := range again {
		if after[f] != h {
			t.Errorf("a second -fix changed %s", f)
		}
	}
	return len(changed)
}

func runFix(t *testing.T, bin, dir string, env []string, pattern string) {
	t.Helper()
	cmd := exec.Command(bin, "-fix", "-no-cache", pattern)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != ExitFindings) {
		t.Fatalf("%s: portlint -fix %s: %v\n%s", dir, pattern, err, out)
	}
}

// typeChecks returns the packages of pattern in dir that load without
// errors.
func typeChecks(t *testing.T, dir string, env []string, pattern string) map[string]bool {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadSyntax, Dir: dir, Env: append(os.Environ(), env...)}, pattern)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]bool{}
	for _, p := range pkgs {
		if len(p.Errors) == 0 {
			ok[p.PkgPath] = true
		}
	}
	return ok
}

// twiceServed returns "component serves one port at A and B" for each
// pair of distinct places, at least one in Go, where a component listens
// on (or defaults to) the same port and protocol on colliding addresses. A
// pair that shared a port before a fix may share the new one after it.
func twiceServed(t *testing.T, bin, dir string, env []string, pattern string) map[string]bool {
	t.Helper()
	cmd := exec.Command(bin, "ports", "-json", "-no-cache", pattern)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: portlint ports -json: %v", dir, err)
	}
	type key struct {
		comp, proto string
		port        int
	}
	by := map[key][]finding.Record{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r finding.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Component == "" || r.Role == "dial" || r.PortEnd != 0 {
			continue
		}
		k := key{r.Component, r.Proto, r.Port}
		by[k] = append(by[k], r)
	}
	pairs := map[string]bool{}
	for k, rs := range by {
		for i, a := range rs {
			for _, b := range rs[i+1:] {
				if !strings.HasSuffix(a.File, ".go") && !strings.HasSuffix(b.File, ".go") {
					continue
				}
				if a.Bind != "" && b.Bind != "" && a.Bind != "any" && b.Bind != "any" && a.Bind != b.Bind {
					continue
				}
				pairs[fmt.Sprintf("%s serves one port at %s:%d and %s:%d", k.comp, a.File, a.Line, b.File, b.Line)] = true
			}
		}
	}
	return pairs
}

func hashTree(t *testing.T, dir string) map[string][sha256.Size]byte {
	t.Helper()
	out := map[string][sha256.Size]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = sha256.Sum256(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
