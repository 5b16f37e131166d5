package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// manifestTree writes, under a new directory, copies of the manifest
// fixtures (every scanner's positive and negative cases, Helm charts, the
// wiring cases) and of the engine example's deployment, big generated
// config files, and inputs that cannot be read whole: broken YAML, text
// that is not UTF-8, a file over the size limit. It returns the directory.
func manifestTree(t testing.TB, copies int) string {
	t.Helper()
	dir := t.TempDir()
	srcs := map[string]string{
		filepath.Join("..", "..", "manifest", "testdata", "manifests"): "manifests",
		filepath.Join("..", "..", "manifest", "testdata", "wiring"):    "wiring",
		filepath.Join("..", "..", "examples", "engine", "deploy"):      "deploy",
	}
	for i := range copies {
		top := fmt.Sprintf("copy%02d", i)
		if i%4 == 3 {
			top = filepath.Join("test", top) // checked with -test
		}
		for src, name := range srcs {
			dst := filepath.Join(dir, top, name)
			err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, err := filepath.Rel(src, p)
				if err != nil {
					return err
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				return writeTreeFile(filepath.Join(dst, rel), data)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// configs of growing size, so that the largest-first order of
		// work is not the order of the paths
		var b strings.Builder
		b.WriteString("upstreams:\n")
		for k := range 200 * (i + 1) {
			fmt.Fprintf(&b, "  - {name: u%d, endpoint: \"http://svc%d:%d/api\"}\n", k, k, 20000+k%300)
		}
		fmt.Fprintf(&b, "server:\n  listen: \"0.0.0.0:%d\"\n", 28950+i%3)
		if err := writeTreeFile(filepath.Join(dir, top, "big", "config.yaml"), []byte(b.String())); err != nil {
			t.Fatal(err)
		}
	}
	bad := map[string]string{
		"broken/unclosed.yaml": "apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80\n",
		"broken/latin1.yaml":   "apiVersion: v1\nkind: ConfigMap\ndata: {port: \"8080\", name: \"caf\xe9\"}\n",
		"broken/second.yaml":   "port: 8099\n---\nkind: Service\n  spec: [\n",
	}
	for p, s := range bad {
		if err := writeTreeFile(filepath.Join(dir, p), []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "huge"), 0o755); err != nil {
		t.Fatal(err)
	}
	if t, ok := t.(*testing.T); ok {
		big := filepath.Join(dir, "huge", "ports.yaml")
		sparse(t, big, 17<<20)
		// a sparse file reads as NULs, which discovery does not take for
		// a manifest: the file is named on the command line
	}
	return dir
}

func writeTreeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// runWorkers runs portlint in-process in dir with the manifests scanned on
// the given number of workers, and returns its output and exit status.
func runWorkers(t testing.TB, dir string, workers int, args ...string) (string, string, int) {
	t.Helper()
	defer func(w int) { manifestWorkers = w }(manifestWorkers)
	manifestWorkers = workers
	var out, errOut bytes.Buffer
	err := Run(context.Background(), &Env{Stdout: &out, Stderr: &errOut, Dir: dir}, args)
	code := 0
	if err != nil {
		code = ExitInternal
		if ee, ok := err.(*ExitError); ok {
			code = ee.Code
		}
		fmt.Fprintln(&errOut, err)
	}
	return out.String(), errOut.String(), code
}

// TestManifestWorkers: a tree of many manifests (every scanner's cases,
// charts, cross-file wiring, unreadable inputs) gives the same bytes, in
// every output, whether its files are scanned on one worker (the
// sequential scan) or on many. Run it with -race.
func TestManifestWorkers(t *testing.T) {
	dir := manifestTree(t, 8)
	huge := filepath.Join("huge", "ports.yaml")
	for _, args := range [][]string{
		{"-registry", "builtin", "-test", ".", huge, filepath.Join("copy00", "deploy", "envoy", "envoy.yaml")},
		{"-registry", "builtin", "-test", "-json", "."},
		{"-registry", "builtin", "-test", "-sarif", "."},
		{"-registry", "builtin", "."}, // test trees left out
		{"ports", "-registry", "builtin", "-test", "-json", "."},
	} {
		stdout, stderr, code := runWorkers(t, dir, 1, args...)
		if strings.Count(stdout, "\n") < 50 || code == 0 && args[0] != "ports" {
			t.Fatalf("%v on one worker: status %d and %d lines: the tree should give many findings\n%s%s", args, code, strings.Count(stdout, "\n"), stdout, stderr)
		}
		t.Logf("%v: status %d, %d lines out, %d lines on stderr", args, code, strings.Count(stdout, "\n"), strings.Count(stderr, "\n"))
		if args[0] != "ports" && !strings.Contains(stdout+stderr, "not valid UTF-8") {
			t.Errorf("%v: the tree's unreadable files are not reported:\n%s", args, stderr)
		}
		for _, w := range []int{2, 8, runtime.GOMAXPROCS(0)} {
			o, e, c := runWorkers(t, dir, w, args...)
			if o != stdout || e != stderr || c != code {
				t.Errorf("%v on %d workers: status %d (on one worker: %d)\nstdout, first difference: %sstderr, first difference: %s", args, w, c, code, diffHead(o, stdout), diffHead(e, stderr))
			}
		}
	}
}

// diffHead returns the first line where got and want differ, with its
// number, or "none" when they are equal.
func diffHead(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d: %q, want %q\n", i+1, a, b)
		}
	}
	return "none\n"
}

// BenchmarkManifests runs portlint on a directory of manifests alone,
// scanned on one worker and on GOMAXPROCS: the directory named by
// PORTLINT_BENCH_MANIFESTS (bench/manifests.sh passes the YAML and JSON
// files of k8s.io/kubernetes), else a generated tree of some 1,000 files.
func BenchmarkManifests(b *testing.B) {
	dir := os.Getenv("PORTLINT_BENCH_MANIFESTS")
	if dir == "" {
		dir = manifestTree(b, 16)
	}
	for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			defer func(w int) { manifestWorkers = w }(manifestWorkers)
			manifestWorkers = w
			b.ReportAllocs()
			for b.Loop() {
				err := Run(context.Background(), &Env{Stdout: io.Discard, Stderr: io.Discard, Dir: dir}, []string{"-registry", "builtin", "-test", "."})
				if ee, ok := err.(*ExitError); err != nil && (!ok || ee.Code == ExitInternal) {
					b.Fatal(err)
				}
			}
		})
	}
}
