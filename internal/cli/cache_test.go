package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/bench/synth"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// shopFiles is a module for the cache tests: two commands that share a
// package of port constants (one taken from a package it imports), a
// library without ports that one of them imports, a suppressed finding, a retired port with a fix, a port two
// components take (duplicate), and a manifest.
var shopFiles = map[string]string{
	"go.mod": "module example.com/shop\n\ngo 1.26\n",
	"registry.yaml": `version: 1
groups:
  shop: {pool: "[7000, 8000)"}
ranges:
  - {name: shop.web, group: shop, span: "[7000, 7100)"}
  - {name: shop.db, group: shop, span: "[7100, 7200)"}
components:
  - name: web
    group: shop
    ranges: [shop.web]
    packages: ["*/cmd/web/..."]
    manifests: ["deploy/web/**"]
    ports:
      - {port: 7001, was: 8001}
      - {port: 7002, bind: 127.0.0.1}
  - name: db
    group: shop
    ranges: [shop.db]
    packages: ["*/cmd/db/..."]
    ports:
      - {port: 7101}
reserved:
  - {port: 9090, owner: Prometheus}
`,
	"ports/ports.go": `// Package ports names the shop's ports.
package ports

import "example.com/shop/internal/base"

// Web is the web server's port.
const Web = base.Web
`,
	"internal/base/base.go": `// Package base holds the shop's numbers.
package base

// Web is one of them.
const Web = 7001
`,
	"cmd/web/main.go": `// Command web serves the shop.
package main

import (
	"net"
	"net/http"
	"strconv"

	"example.com/shop/ports"
)

func main() {
	admin := &http.Server{Addr: "0.0.0.0:7002"}
	go admin.ListenAndServe()
	net.Listen("tcp", ":"+strconv.Itoa(ports.Web))
	net.Listen("tcp", ":7500")
}
`,
	"cmd/web/legacy/main.go": `// Command legacy serves the shop's old clients, a program of its own.
package main

import (
	"net/http"
	"strconv"
)

const legacyPort = 8001

func main() { http.ListenAndServe(":"+strconv.Itoa(legacyPort), nil) }
`,
	"cmd/web/main_test.go": `package main

import (
	"net"
	"testing"
)

func TestWeb(t *testing.T) { net.Listen("tcp", ":7003") }
`,
	"cmd/db/main.go": `// Command db stores the shop's data.
package main

import (
	"net"

	"example.com/shop/internal/util"
)

func main() {
	net.Listen("tcp", ":7101")
	net.Listen("tcp", ":7500")
	net.Listen("tcp", ":7050") //portlint:ignore foreign-range the lab's db listens there
	_ = util.Double(2)
}
`,
	"internal/util/util.go": `// Package util has no port use.
package util

// Double doubles n.
func Double(n int) int { return 2 * n }
`,
	"deploy/web/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          ports:
            - containerPort: 9090
`,
}

// useCache gives the test a result cache of its own and returns its
// directory.
func useCache(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	t.Setenv("PORTLINT_CACHE", dir)
	return dir
}

// lint runs portlint in-process in dir and returns what it printed and
// its exit status.
func lint(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), &Env{Stdout: &out, Stderr: &errOut, Dir: dir}, args)
	var ee *ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.Code
	case err != nil:
		t.Fatalf("portlint %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// fromCache returns what -v said of the result cache: replayed and
// considered packages, or -1, -1 when it said the cache was off.
func fromCache(t *testing.T, stderr string) (n, of int) {
	t.Helper()
	for _, l := range strings.Split(stderr, "\n") {
		if _, err := fmt.Sscanf(l, "portlint: %d of %d packages from the cache", &n, &of); err == nil {
			return n, of
		}
		if strings.HasPrefix(l, "portlint: result cache off: ") {
			return -1, -1
		}
	}
	t.Fatalf("-v said nothing of the cache:\n%s", stderr)
	return 0, 0
}

// sameAsFresh runs portlint with args twice with the cache (the second
// run must replay every package) and once with -no-cache, and requires
// byte-identical output and the same exit status from all three.
func sameAsFresh(t *testing.T, dir string, args ...string) string {
	t.Helper()
	withV := append([]string{"-v"}, args...)
	if len(args) > 0 && args[0] == "ports" {
		withV = append([]string{"ports", "-v"}, args[1:]...)
	}
	fresh, _, freshCode := lint(t, dir, append(slices.Clone(withV), "-no-cache")...)
	first, _, firstCode := lint(t, dir, withV...)
	second, stderr, secondCode := lint(t, dir, withV...)
	if n, of := fromCache(t, stderr); n != of || n == 0 {
		t.Errorf("%v: the second run replayed %d of %d packages, want all", args, n, of)
	}
	if first != fresh || second != fresh {
		t.Errorf("%v: output differs\n-no-cache:\n%s\nfirst run:\n%s\nsecond run:\n%s", args, fresh, first, second)
	}
	if firstCode != freshCode || secondCode != freshCode {
		t.Errorf("%v: exit status %d and %d with the cache, %d without", args, firstCode, secondCode, freshCode)
	}
	return fresh
}

// TestCacheReplay checks that a second run on an unchanged module is
// served from the cache and prints exactly what a run without the cache
// prints, in every output format, with fixes, the whole-tree checks, the
// suppressed count and -test.
func TestCacheReplay(t *testing.T) {
	useCache(t)
	dir := writeFiles(t, shopFiles)
	text := sameAsFresh(t, dir)
	for _, want := range []string{"[duplicate]", "[retired]", "[foreign-range]", "[bind]", "[reserved]"} {
		if !strings.Contains(text, want) {
			t.Errorf("the shop module gave no %s finding:\n%s", want, text)
		}
	}
	js := sameAsFresh(t, dir, "-json")
	if !strings.Contains(js, `"ignored":1`) || !strings.Contains(js, `"fixes":`) {
		t.Errorf("-json: want a suppressed finding counted and a fix:\n%s", js)
	}
	sameAsFresh(t, dir, "-sarif")
	sameAsFresh(t, dir, "-diff")
	sameAsFresh(t, dir, "-c", "1")
	sameAsFresh(t, dir, "-unused")
	if tests := sameAsFresh(t, dir, "-test"); !strings.Contains(tests, "main_test.go") {
		t.Errorf("-test: no finding in a test file:\n%s", tests)
	}
	if inv := sameAsFresh(t, dir, "ports", "-json"); strings.Count(inv, "\n") < 8 {
		t.Errorf("ports -json: a short inventory:\n%s", inv)
	}
	sameAsFresh(t, dir, "ports", "-planned")
	sameAsFresh(t, dir, "./cmd/web")
}

// TestCacheFix applies the fixes in two copies of a module, one without
// the cache and one from it: the same files and output.
func TestCacheFix(t *testing.T) {
	useCache(t)
	fresh, cached := writeFiles(t, shopFiles), writeFiles(t, shopFiles)
	lint(t, cached) // fills the cache
	outFresh, _, codeFresh := lint(t, fresh, "-fix", "-no-cache")
	outCached, stderr, codeCached := lint(t, cached, "-fix", "-v")
	if n, of := fromCache(t, stderr); n != of {
		t.Errorf("-fix replayed %d of %d packages", n, of)
	}
	if outFresh != outCached || codeFresh != codeCached {
		t.Errorf("-fix printed\n%s(status %d) without the cache and\n%s(status %d) with it", outFresh, codeFresh, outCached, codeCached)
	}
	a, _ := os.ReadFile(filepath.Join(fresh, "cmd", "web", "legacy", "main.go"))
	b, _ := os.ReadFile(filepath.Join(cached, "cmd", "web", "legacy", "main.go"))
	if !bytes.Equal(a, b) || !bytes.Contains(a, []byte("7001")) || bytes.Contains(a, []byte("8001")) {
		t.Errorf("-fix wrote\n%s\nwithout the cache and\n%s\nwith it", a, b)
	}
}

// goRunCached runs the Go half in dir as portlint would, with the cache
// unless noCache, and returns the result.
func goRunCached(t *testing.T, dir string, tests, noCache bool) *goResult {
	t.Helper()
	r, err := newRun(&Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Dir: dir}, &lintFlags{tests: tests, noCache: noCache})
	if err != nil {
		t.Fatal(err)
	}
	cache, off := r.cacheFor()
	if !noCache && cache == nil {
		t.Fatalf("no result cache: %s", off)
	}
	a := analyzer.NewWithOptions(analyzer.Options{Registry: r.reg, Enabled: r.enabled, Tests: tests})
	res, err := runGo(context.Background(), goOptions{dir: dir, patterns: []string{"./..."}, tests: tests, prefilter: true, analyzer: a, cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.errors) > 0 {
		t.Fatalf("errors:\n%s", strings.Join(res.errors, "\n"))
	}
	if !noCache && res.cacheOff != "" {
		t.Fatalf("result cache off: %s", res.cacheOff)
	}
	return res
}

// writeFile replaces a file of the module in dir.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
}

// TestCacheEdits edits the module between runs: a package is analyzed
// again when one of its files or of the module's packages it imports
// changed, and only then; a changed constant that another package
// listens on changes that package's finding.
func TestCacheEdits(t *testing.T) {
	useCache(t)
	dir := writeFiles(t, shopFiles)
	const (
		web    = "example.com/shop/cmd/web"
		legacy = "example.com/shop/cmd/web/legacy"
		db     = "example.com/shop/cmd/db"
		ports  = "example.com/shop/ports"
	)
	step := func(what string, want ...string) *goResult {
		t.Helper()
		res := goRunCached(t, dir, false, false)
		if !slices.Equal(res.analyzed, want) {
			t.Errorf("%s: analyzed %q, want %q", what, res.analyzed, want)
		}
		if res.cached+len(res.analyzed) != res.units {
			t.Errorf("%s: %d replayed and %d analyzed of %d packages", what, res.cached, len(res.analyzed), res.units)
		}
		fresh, _, _ := lint(t, dir, "-json", "-no-cache")
		cached, _, _ := lint(t, dir, "-json")
		if fresh != cached {
			t.Errorf("%s: with the cache\n%s\nwithout\n%s", what, cached, fresh)
		}
		return res
	}
	step("first run", db, web, legacy, ports)
	step("unchanged")
	// util has no port use; db imports it
	writeFile(t, dir, "internal/util/util.go", strings.Replace(shopFiles["internal/util/util.go"], "2 * n", "n + n", 1))
	step("util edited", db)
	writeFile(t, dir, "cmd/db/main.go", shopFiles["cmd/db/main.go"]+"\n// a comment\n")
	step("db edited", db)
	out, _, _ := lint(t, dir)
	if strings.Contains(out, "port 7003") {
		t.Fatalf("7003 is found before it is used:\n%s", out)
	}
	// web listens on ports.Web, which is base.Web
	writeFile(t, dir, "internal/base/base.go", strings.Replace(shopFiles["internal/base/base.go"], "7001", "7003", 1))
	step("base edited", web, ports)
	out, _, _ = lint(t, dir)
	if !strings.Contains(out, "port 7003 is in web's range shop.web but not registered") {
		t.Errorf("the constant's new value is not reported:\n%s", out)
	}
	// a new file in a package
	writeFile(t, dir, "cmd/db/more.go", "package main\n\nimport \"net\"\n\nfunc init() { net.Listen(\"tcp\", \":7102\") }\n")
	step("file added to db", db)
	if err := os.Remove(filepath.Join(dir, "cmd", "db", "more.go")); err != nil {
		t.Fatal(err)
	}
	// back to content analyzed before: replayed
	step("file removed from db")
	// go.mod
	writeFile(t, dir, "go.mod", shopFiles["go.mod"]+"\n// a comment\n")
	step("go.mod edited", db, web, legacy, ports)
}

// TestCacheTests checks -test: a test file is part of its package's key.
func TestCacheTests(t *testing.T) {
	useCache(t)
	dir := writeFiles(t, shopFiles)
	goRunCached(t, dir, true, false)
	if res := goRunCached(t, dir, true, false); len(res.analyzed) > 0 {
		t.Errorf("-test, unchanged: analyzed %q", res.analyzed)
	}
	writeFile(t, dir, "cmd/web/main_test.go", strings.Replace(shopFiles["cmd/web/main_test.go"], "7003", "7004", 1))
	if res := goRunCached(t, dir, true, false); !slices.Equal(res.analyzed, []string{"example.com/shop/cmd/web"}) {
		t.Errorf("-test, a test file edited: analyzed %q", res.analyzed)
	}
	fresh, _, _ := lint(t, dir, "-test", "-no-cache")
	cached, stderr, _ := lint(t, dir, "-test", "-v")
	if fresh != cached || !strings.Contains(cached, "7004") {
		t.Errorf("-test: with the cache\n%s\nwithout\n%s", cached, fresh)
	}
	if n, of := fromCache(t, stderr); n != of {
		t.Errorf("-test: %d of %d packages replayed", n, of)
	}
	// without -test, the test file's edit does not matter
	goRunCached(t, dir, false, false)
	writeFile(t, dir, "cmd/web/main_test.go", shopFiles["cmd/web/main_test.go"])
	if res := goRunCached(t, dir, false, false); len(res.analyzed) > 0 {
		t.Errorf("a test file edited, without -test: analyzed %q", res.analyzed)
	}
}

// TestCacheInputs changes what is not Go code: the registry, the
// configuration's checks, and the flags that select checks.
func TestCacheInputs(t *testing.T) {
	useCache(t)
	dir := writeFiles(t, shopFiles)
	same := func(what string, args ...string) string {
		t.Helper()
		fresh, _, _ := lint(t, dir, append([]string{"-no-cache"}, args...)...)
		cached, stderr, _ := lint(t, dir, append([]string{"-v"}, args...)...)
		if fresh != cached {
			t.Errorf("%s: with the cache\n%s\nwithout\n%s", what, cached, fresh)
		}
		if n, _ := fromCache(t, stderr); n != 0 {
			t.Errorf("%s: %d packages replayed, want none", what, n)
		}
		return cached
	}
	before, _, _ := lint(t, dir)
	reg := strings.Replace(shopFiles["registry.yaml"], "{port: 7002, bind: 127.0.0.1}", "{port: 7002}", 1)
	writeFile(t, dir, "registry.yaml", reg)
	if after := same("registry edited"); after == before || strings.Contains(after, "[bind]") {
		t.Errorf("a registry that drops the bind address still reports it:\n%s", after)
	}
	writeFile(t, dir, ".portlint.yaml", "checks:\n  disable: [retired]\n")
	if after := same("config edited"); strings.Contains(after, "[retired]") {
		t.Errorf("a disabled check still reports:\n%s", after)
	}
	if after := same("-disable flag", "-disable", "duplicate,conflict,unregistered"); strings.Contains(after, "[unregistered]") {
		t.Errorf("a disabled check still reports:\n%s", after)
	}
	writeFile(t, dir, "other.yaml", reg)
	same("-registry", "-registry", "other.yaml")
}

// corruptEntries applies f to every result in the cache at dir and
// returns how many there were.
func corruptEntries(t *testing.T, dir string, f func(p string, data []byte) []byte) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "results"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(p, f(p, data), 0o666)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCacheNoCache checks that results are replayed from the cache's
// files, that -no-cache neither reads nor writes them, and that a corrupt
// entry is a miss.
func TestCacheNoCache(t *testing.T) {
	cache := useCache(t)
	dir := writeFiles(t, shopFiles)
	want, _, _ := lint(t, dir, "-no-cache")
	if _, err := os.Stat(filepath.Join(cache, "results")); err == nil {
		t.Errorf("-no-cache made %s", filepath.Join(cache, "results"))
	}
	_, stderr, _ := lint(t, dir, "-v", "-no-cache")
	if !strings.Contains(stderr, "portlint: result cache off: -no-cache\n") {
		t.Errorf("-no-cache -v says\n%s", stderr)
	}
	lint(t, dir)
	// a tampered entry that still reads back is replayed as it is: the
	// cache is really used, and -no-cache really bypasses it
	store := &resultCache{dir: cache}
	n := corruptEntries(t, cache, func(p string, data []byte) []byte {
		key := filepath.Base(p)
		e := store.get(key)
		if e == nil {
			t.Fatalf("entry %s does not read", key)
		}
		for i := range e.Findings {
			e.Findings[i].Message = "tampered"
		}
		payload, _ := json.Marshal(e)
		return append([]byte(header(key, payload)), payload...)
	})
	if n == 0 {
		t.Fatal("no entries cached")
	}
	if got, _, _ := lint(t, dir); !strings.Contains(got, "tampered") {
		t.Errorf("the tampered entries were not replayed:\n%s", got)
	}
	if got, _, _ := lint(t, dir, "-no-cache"); got != want {
		t.Errorf("-no-cache printed\n%s\nwant\n%s", got, want)
	}
	// corrupt entries: a changed byte, a truncated file, an empty file, a
	// file under another key
	var names []string
	corruptEntries(t, cache, func(p string, data []byte) []byte {
		names = append(names, p)
		switch len(names) % 4 {
		case 0:
			data[len(data)-3] ^= 1
			return data
		case 1:
			return data[:len(data)/2]
		case 2:
			return nil
		}
		other := strings.Repeat("0", 64)
		payload := data[bytes.IndexByte(data, '\n')+1:]
		return append([]byte(header(other, payload)), payload...)
	})
	got, stderr, _ := lint(t, dir, "-v")
	if got != want {
		t.Errorf("corrupt entries: printed\n%s\nwant\n%s", got, want)
	}
	if n, _ := fromCache(t, stderr); n != 0 {
		t.Errorf("corrupt entries: %d replayed", n)
	}
	if got, stderr, _ := lint(t, dir, "-v"); got != want {
		t.Errorf("rewritten entries: printed\n%s\nwant\n%s", got, want)
	} else if n, of := fromCache(t, stderr); n != of {
		t.Errorf("the corrupt entries were not replaced: %d of %d replayed", n, of)
	}
	// PORTLINT_CACHE=off
	t.Setenv("PORTLINT_CACHE", "off")
	if _, stderr, _ := lint(t, dir, "-v"); !strings.Contains(stderr, "portlint: result cache off: PORTLINT_CACHE=off\n") {
		t.Errorf("PORTLINT_CACHE=off -v says\n%s", stderr)
	}
}

// sameCached runs the Go half over dir without the cache, then twice with
// it, and requires the same findings and uses in the same order, every
// package replayed the second time.
func sameCached(t *testing.T, dir string, reg *registry.Registry, tests bool) (findings, uses int) {
	t.Helper()
	lines := func(res *goResult) (out []string) {
		for _, f := range res.findings {
			b, _ := json.Marshal(f)
			out = append(out, string(b))
		}
		for _, u := range res.uses {
			b, _ := json.Marshal(u)
			out = append(out, string(b))
		}
		return append(out, fmt.Sprintf("loaded %d, ignored %d", res.loaded, res.ignored))
	}
	store, why := openCache()
	if store == nil {
		t.Fatal(why)
	}
	run := func(cached bool) *goResult {
		a := analyzer.NewWithOptions(analyzer.Options{Registry: reg, Enabled: check.DefaultSet(), Tests: tests})
		o := goOptions{dir: dir, patterns: []string{"./..."}, tests: tests, prefilter: true, analyzer: a}
		if cached {
			o.cache = &cacheOptions{store: store, ident: []byte(fmt.Sprint(tests))}
		}
		res, err := runGo(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if cached && res.cacheOff != "" {
			t.Fatalf("result cache off: %s", res.cacheOff)
		}
		return res
	}
	fresh := run(false)
	first := run(true)
	second := run(true)
	if second.cached != second.units || second.units == 0 {
		t.Errorf("the second run replayed %d of %d packages: not cached: %v", second.cached, second.units, second.analyzed)
	}
	want := lines(fresh)
	for i, got := range [][]string{lines(first), lines(second)} {
		if !slices.Equal(got, want) {
			t.Errorf("run %d with the cache differs from the run without:\n%s\nwant\n%s", i+1, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	return len(fresh.findings), len(fresh.uses)
}

// TestCacheFixtures runs the analyzer's fixtures, a module whose stand-in
// third-party modules are replaced by directories, and a generated
// module, with and without the cache: the same findings and inventories.
func TestCacheFixtures(t *testing.T) {
	useCache(t)
	reg := flagshipRegistry(t)
	dir := fixtureModule(t)
	if f, u := sameCached(t, dir, reg, false); f < 50 || u < 100 {
		t.Errorf("the fixtures gave %d findings and %d uses", f, u)
	}
	sameCached(t, dir, reg, true)
	gen := filepath.Join(t.TempDir(), "synth")
	if err := synth.Write(gen, synth.Options{Packages: 60, Manifests: 0, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	greg, err := registry.Load(filepath.Join(gen, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if f, u := sameCached(t, gen, greg, false); f == 0 || u < 10 {
		t.Errorf("the generated module gave %d findings and %d uses", f, u)
	}
}

// TestCacheLocalReplace edits a module the main module replaces by a
// directory: the packages that import it are analyzed again.
func TestCacheLocalReplace(t *testing.T) {
	useCache(t)
	root := writeFiles(t, map[string]string{
		"main/go.mod":        "module example.com/main\n\ngo 1.26\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"main/registry.yaml": shopFiles["registry.yaml"],
		"main/cmd/web/main.go": `package main

import (
	"net"
	"strconv"

	"example.com/lib/port"
)

func main() { net.Listen("tcp", ":"+strconv.Itoa(port.Web)) }
`,
		"lib/go.mod":       "module example.com/lib\n\ngo 1.26\n",
		"lib/port/port.go": "// Package port names a port.\npackage port\n\n// Web is a port.\nconst Web = 7001\n",
	})
	dir := filepath.Join(root, "main")
	goRunCached(t, dir, false, false)
	if res := goRunCached(t, dir, false, false); len(res.analyzed) != 0 {
		t.Errorf("unchanged: analyzed %q", res.analyzed)
	}
	writeFile(t, root, "lib/port/port.go", "// Package port names a port.\npackage port\n\n// Web is a port.\nconst Web = 7005\n")
	if res := goRunCached(t, dir, false, false); !slices.Equal(res.analyzed, []string{"example.com/main/cmd/web"}) {
		t.Errorf("the replacing module edited: analyzed %q", res.analyzed)
	}
	out, _, _ := lint(t, dir)
	if !strings.Contains(out, "port 7005") {
		t.Errorf("the new port is not reported:\n%s", out)
	}
}

// goProxy writes a module proxy directory (GOPROXY=file://...) holding
// the module path at version with the files.
func goProxy(t *testing.T, path, version string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	at := filepath.Join(dir, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(at, 0o777); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := z.Create(path + "@" + version + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": fmt.Appendf(nil, `{"Version":%q,"Time":"2026-01-01T00:00:00Z"}`, version),
		version + ".mod":  []byte(files["go.mod"]),
		version + ".zip":  buf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestCacheBackEdge covers a dependency that requires the main module
// back and takes a constant from it: what the main module's packages see
// of it is its export data, so they are replayed while the constant is
// unchanged and analyzed again when it changes.
func TestCacheBackEdge(t *testing.T) {
	useCache(t)
	proxy := goProxy(t, "example.com/ext", "v1.0.0", map[string]string{
		"go.mod": "module example.com/ext\n\ngo 1.26\n\nrequire example.com/main v0.0.0\n",
		"ext.go": "// Package ext passes a port on.\npackage ext\n\nimport \"example.com/main/port\"\n\n// Port is main's.\nconst Port = port.Web\n",
	})
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(proxy))
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-modcacherw")
	t.Setenv("GOWORK", "off")
	dir := writeFiles(t, map[string]string{
		"go.mod":        "module example.com/main\n\ngo 1.26\n\nrequire example.com/ext v1.0.0\n",
		"registry.yaml": shopFiles["registry.yaml"],
		"port/port.go":  "// Package port names a port.\npackage port\n\n// Web is a port.\nconst Web = 7001\n",
		"cmd/web/main.go": `package main

import (
	"net"
	"strconv"

	"example.com/ext"
)

func main() { net.Listen("tcp", ":"+strconv.Itoa(ext.Port)) }
`,
	})
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	goRunCached(t, dir, false, false)
	if res := goRunCached(t, dir, false, false); len(res.analyzed) != 0 {
		t.Errorf("unchanged: analyzed %q", res.analyzed)
	}
	writeFile(t, dir, "port/port.go", "// Package port names a port.\npackage port\n\n// Web is a port.\nconst Web = 7005\n")
	if res := goRunCached(t, dir, false, false); !slices.Contains(res.analyzed, "example.com/main/cmd/web") {
		t.Errorf("the constant a dependency takes from the main module changed, and its importer was replayed: analyzed %q", res.analyzed)
	}
	out, _, _ := lint(t, dir)
	if !strings.Contains(out, "port 7005") {
		t.Errorf("the new port is not reported:\n%s", out)
	}
}

// TestCacheGraphFails covers a module whose requirement graph the go
// command cannot load (go mod graph fails: the module requires, for its
// tests, a module the proxy does not serve, as a corporate proxy may
// refuse one) while its packages build: the cache works all the same,
// and says nothing.
func TestCacheGraphFails(t *testing.T) {
	useCache(t)
	proxy := goProxy(t, "example.com/ext", "v1.0.0", map[string]string{
		"go.mod": "module example.com/ext\n\ngo 1.26\n",
		"ext.go": "// Package ext names a port.\npackage ext\n\n// Port is a port.\nconst Port = 7600\n",
	})
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(proxy))
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-modcacherw")
	t.Setenv("GOWORK", "off")
	dir := writeFiles(t, map[string]string{
		"go.mod":        "module example.com/main\n\ngo 1.26\n\nrequire (\n\texample.com/ext v1.0.0\n\texample.com/testonly v1.0.0\n)\n",
		"registry.yaml": shopFiles["registry.yaml"],
		"cmd/web/main.go": `package main

import (
	"net"
	"strconv"

	"example.com/ext"
)

func main() { net.Listen("tcp", ":"+strconv.Itoa(ext.Port)) }
`,
		"cmd/web/main_test.go":  "package main\n\nimport _ \"example.com/testonly\"\n",
		"cmd/db/main.go":        strings.ReplaceAll(shopFiles["cmd/db/main.go"], "example.com/shop/", "example.com/main/"),
		"internal/util/util.go": shopFiles["internal/util/util.go"],
	})
	goCmd := func(args ...string) ([]byte, error) {
		c := exec.Command("go", args...)
		c.Dir = dir
		return c.CombinedOutput()
	}
	if out, err := goCmd("mod", "download", "example.com/ext"); err != nil {
		t.Fatalf("go mod download: %v\n%s", err, out)
	}
	if out, err := goCmd("mod", "graph"); err == nil {
		t.Fatalf("go mod graph succeeds; the test needs a module whose graph cannot load:\n%s", out)
	}
	if out, err := goCmd("build", "./..."); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := sameAsFresh(t, dir)
	if !strings.Contains(want, "port 7600") {
		t.Errorf("the dependency's port is not reported:\n%s", want)
	}
	if _, stderr, _ := lint(t, dir); strings.Contains(stderr, "cache") {
		t.Errorf("a run with a working cache talks of it:\n%s", stderr)
	}
}

// TestCacheOffSaid checks that a run whose build keeps the result cache
// from being used says so on standard error, once, without -v; and that
// a run told not to use it says nothing.
func TestCacheOffSaid(t *testing.T) {
	useCache(t)
	dir := writeFiles(t, shopFiles)
	overlay := filepath.Join(t.TempDir(), "overlay.json")
	if err := os.WriteFile(overlay, []byte(`{"Replace": {}}`), 0o666); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOFLAGS", "-overlay="+overlay)
	want, _, _ := lint(t, dir, "-no-cache")
	out, stderr, _ := lint(t, dir)
	if out != want {
		t.Errorf("output differs with the cache off\n%s\nwant\n%s", out, want)
	}
	if n := strings.Count(stderr, "portlint: result cache off: GOFLAGS has -overlay="); n != 1 {
		t.Errorf("stderr says %d times that the cache is off, want once:\n%s", n, stderr)
	}
	for _, args := range [][]string{{"-no-cache"}, {"-no-prefilter"}} {
		if _, stderr, _ := lint(t, dir, args...); strings.Contains(stderr, "cache") {
			t.Errorf("%v: stderr talks of the cache:\n%s", args, stderr)
		}
	}
}

// TestCacheTrim checks that entries unused for a week go, and that trim
// runs once a day.
func TestCacheTrim(t *testing.T) {
	c := &resultCache{dir: t.TempDir()}
	now := time.Now()
	old, recent := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, key := range []string{old, recent} {
		if err := c.put(key, &cacheEntry{Loaded: 1}); err != nil {
			t.Fatal(err)
		}
	}
	week := now.Add(-cacheMaxAge - time.Hour)
	if err := os.Chtimes(c.entryPath(old), week, week); err != nil {
		t.Fatal(err)
	}
	exists := func(key string) bool {
		_, err := os.Stat(c.entryPath(key))
		return err == nil
	}
	c.trim(now)
	if exists(old) {
		t.Error("an entry unused for a week was kept")
	}
	if !exists(recent) {
		t.Error("a recent entry was removed")
	}
	if err := c.put(old, &cacheEntry{Loaded: 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(c.entryPath(old), week, week); err != nil {
		t.Fatal(err)
	}
	c.trim(now.Add(time.Hour))
	if !exists(old) {
		t.Error("trim ran twice within a day")
	}
	c.trim(now.Add(cacheTrimEvery + time.Hour))
	if exists(old) {
		t.Error("trim did not run a day later")
	}
	// a hit keeps an entry
	if err := c.put(old, &cacheEntry{Loaded: 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(c.entryPath(old), week, week); err != nil {
		t.Fatal(err)
	}
	if c.get(old) == nil {
		t.Fatal("the entry does not read")
	}
	c.trim(now.Add(3 * cacheTrimEvery))
	if !exists(old) {
		t.Error("an entry used just now was removed")
	}
}
