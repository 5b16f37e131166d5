package analyzer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tokenAgrees checks, for the Go files srcs of one package, that the
// token scan is conservative against the syntax tests it stands for:
// every port-parameter function PortParamFuncs finds is among the scan's,
// and MayHaveUses true (with those functions and with extra) means the
// scan's MayHaveUses true. It returns false when a file does not parse
// (nothing to compare) and whether the two decisions differ.
func tokenAgrees(t *testing.T, name string, srcs [][]byte, extra map[string]bool) (parsed, widened bool) {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, src := range srcs {
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return false, false
		}
		files = append(files, f)
	}
	var s TokenScan
	for _, src := range srcs {
		if err := s.File(name, src); err != nil {
			t.Fatalf("%s: parses but does not scan: %v", name, err)
		}
	}
	want := map[string]bool{}
	PortParamFuncs(files, want)
	got := map[string]bool{}
	s.Params(got)
	for n := range want {
		if !got[n] {
			t.Errorf("%s: PortParamFuncs finds %s, the token scan does not (it finds %v)", name, n, slices.Sorted(maps.Keys(got)))
		}
	}
	params := map[string]bool{}
	for n := range want {
		params[n] = true
	}
	for n := range extra {
		params[n] = true
	}
	syntax, tokens := MayHaveUses(files, params), s.MayHaveUses(params)
	if syntax && !tokens {
		t.Errorf("%s: MayHaveUses says a use may be here, the token scan does not", name)
	}
	return true, syntax != tokens
}

// TestTokenScanCases: what each part of the scan finds, and what it must
// not take for a port parameter or a use.
func TestTokenScanCases(t *testing.T) {
	for _, c := range []struct {
		name, src string
		params    []string // the scan's port-parameter functions
		may       bool     // MayHaveUses with no other functions
		callee    string   // a function of another file, with a port parameter
		mayCallee bool     // MayHaveUses knowing callee
	}{
		{name: "relevant import", src: "package p\nimport \"net\"\nvar _ = net.IPv4len\n", may: true},
		{name: "grouped relevant import", src: "package p\nimport (\n\t\"fmt\"\n\tx \"net/http\"\n)\nvar _ = fmt.Sprint\nvar _ = x.StatusOK\n", may: true},
		{name: "other imports", src: "package p\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\nvar _ = fmt.Sprint(strings.ToUpper(\"a\"))\n"},
		{name: "identifier", src: "package p\nfunc f() int { metricsPort := 1; return metricsPort }\n", may: true},
		{name: "address literal", src: "package p\nvar s = \"localhost:8080\"\n", may: true},
		{name: "struct tag", src: "package p\ntype T struct{ A int `default:\"1\" env:\"HTTP_PORT\"` }\n", may: true},
		{name: "comment only", src: "package p\n// listen on port 8080 at localhost:8080\nvar n = 8080\n"},
		{name: "ratio not address", src: "package p\nvar s = \"a:b\"\nvar t = \"12:30\"\n", may: true}, // 12:30 reads as host:port, as MayHaveUses reads it
		{name: "port parameter", src: "package p\nfunc Start(port int) {}\n", params: []string{"Start"}, may: true},
		{name: "method", src: "package p\ntype S struct{}\nfunc (s *S) Serve(listenAddr string) {}\n", params: []string{"Serve"}, may: true},
		{name: "generic", src: "package p\nfunc Run[T any, U comparable](x T, bindAddress U) {}\n", params: []string{"Run"}, may: true},
		{name: "grouped names", src: "package p\nfunc Dial(host, port string) {}\n", params: []string{"Dial"}, may: true},
		{name: "qualified type is no name", src: "package p\nimport \"x/y\"\nfunc Use(y.Addr) {}\nfunc Use2(a y.Port) {}\n", may: true},
		{name: "function typed parameter", src: "package p\nfunc Walk(fn func(port int) error) {}\n", may: true},
		{name: "results are not parameters", src: "package p\nfunc Get() (port int) { return 0 }\n", may: true},
		{name: "func literal at top level", src: "package p\nvar f = func(port int) {}\n", may: true},
		{name: "call of callee", src: "package p\nfunc g() { startServer(20200) }\n", callee: "startServer", mayCallee: true},
		{name: "callee through a value", src: "package p\nfunc g(s interface{ Start(int) }) { s.Start(20200) }\n", callee: "Start", mayCallee: true},
		{name: "no callee", src: "package p\nfunc g() { stop(20200) }\n", callee: "startServer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s TokenScan
			if err := s.File(c.name+".go", []byte(c.src)); err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			s.Params(got)
			if g, w := strings.Join(slices.Sorted(maps.Keys(got)), ","), strings.Join(c.params, ","); g != w {
				t.Errorf("params %q, want %q", g, w)
			}
			if m := s.MayHaveUses(nil); m != c.may {
				t.Errorf("MayHaveUses(nil) = %v, want %v", m, c.may)
			}
			if c.callee != "" {
				if m := s.MayHaveUses(map[string]bool{c.callee: true}); m != c.mayCallee {
					t.Errorf("MayHaveUses(%s) = %v, want %v", c.callee, m, c.mayCallee)
				}
			}
			parsed, _ := tokenAgrees(t, c.name+".go", [][]byte{[]byte(c.src)}, nil)
			if !parsed {
				t.Fatal("case does not parse")
			}
		})
	}
}

// TestTokenScanCgo: an import of "C", alone or grouped, is seen.
func TestTokenScanCgo(t *testing.T) {
	for _, src := range []string{"package p\nimport \"C\"\n", "package p\nimport (\n\t\"fmt\"\n\t\"C\"\n)\n", "package p\n// #include <stdio.h>\nimport \"C\"\nfunc f() { C.puts(nil) }\n"} {
		var s TokenScan
		if err := s.File("c.go", []byte(src)); err != nil {
			t.Fatal(err)
		}
		if !s.Cgo() {
			t.Errorf("%q: cgo not seen", src)
		}
	}
	var s TokenScan
	if err := s.File("c.go", []byte("package p\nimport \"fmt\"\nvar C = fmt.Sprint(\"C\")\n")); err != nil || s.Cgo() {
		t.Errorf("a string \"C\" outside an import is taken for cgo (err %v)", err)
	}
}

// TestTokenScanErrors: a file that does not scan says where.
func TestTokenScanErrors(t *testing.T) {
	var s TokenScan
	err := s.File("bad.go", []byte("package p\nvar s = \"unterminated\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "bad.go:2:9:") {
		t.Fatalf("error %v, want one at bad.go:2:9", err)
	}
}

// TestTokenScanTree: on the fixtures and on portlint's own packages, the
// scan is conservative package by package against the syntax tests, and
// rarely wider.
func TestTokenScanTree(t *testing.T) {
	dirs := map[string][]string{}
	for _, root := range []string{"testdata/src", ".."} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && root == ".." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != ".." {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") {
				dirs[filepath.Dir(p)] = append(dirs[filepath.Dir(p)], p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	packages, compared, widened := 0, 0, 0
	for dir, names := range dirs {
		packages++
		var srcs [][]byte
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, b)
		}
		parsed, w := tokenAgrees(t, dir, srcs, map[string]bool{"startServer": true, "Listen": true})
		if parsed {
			compared++
		}
		if w {
			widened++
			t.Logf("%s: the token scan is wider", dir)
		}
	}
	if compared < 40 {
		t.Fatalf("only %d of %d directories compared", compared, packages)
	}
	t.Logf("%d directories compared, the scan wider in %d", compared, widened)
}

// FuzzTokenScan: on any two files that parse, as one package (the
// second scanned after the first may have decided), the token scan is
// conservative against the syntax tests; on any source at all, it does
// not panic.
func FuzzTokenScan(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/src/*/*.go")
	var prev []byte
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b, prev)
			prev = b
		}
	}
	f.Add([]byte("package p\nfunc (s *S[T]) M[(x, port int) {"), []byte(nil))
	f.Add([]byte("package p\nimport (\n"), []byte("package p\nfunc"))
	f.Add([]byte("package p\nimport \"net\"\nfunc (s *portServer) Serve(addr string) {}\n"), []byte("package p\nimport \"C\"\nvar x = 1\nfunc Dial(host, port string) {}\n"))
	f.Fuzz(func(t *testing.T, src, src2 []byte) {
		var s TokenScan
		_ = s.File("a.go", src)
		_ = s.File("b.go", src2)
		s.MayHaveUses(map[string]bool{"startServer": true})
		for _, b := range [][]byte{src, src2} {
			if _, err := parser.ParseFile(token.NewFileSet(), "fuzz.go", b, parser.SkipObjectResolution); err != nil {
				return
			}
		}
		tokenAgrees(t, "fuzz.go", [][]byte{src, src2}, map[string]bool{"startServer": true})
	})
}

// TestTokenScanMerge: files scanned alone and merged decide as one scan
// of them all, whichever file decides.
func TestTokenScanMerge(t *testing.T) {
	files := map[string]string{
		"hit.go":    "package p\nimport \"net\"\nfunc Serve(addr string) {}\nvar _ = net.IPv4len\n",
		"calls.go":  "package p\nfunc g() { startServer(1); helper() }\n",
		"params.go": "package p\nfunc Dial(host, port string) {}\n",
		"cgo.go":    "package p\nimport \"C\"\n",
		"plain.go":  "package p\nfunc h() {}\n",
	}
	for _, set := range [][]string{{"hit.go", "calls.go"}, {"calls.go", "hit.go"}, {"calls.go", "plain.go"}, {"plain.go", "cgo.go", "calls.go"}, {"params.go", "calls.go"}} {
		var whole, merged TokenScan
		for _, n := range set {
			if err := whole.File(n, []byte(files[n])); err != nil {
				t.Fatal(err)
			}
			var one TokenScan
			if err := one.File(n, []byte(files[n])); err != nil {
				t.Fatal(err)
			}
			one.Settle()
			merged.Merge(&one)
		}
		for _, params := range []map[string]bool{nil, {"startServer": true}, {"helper": true}, {"nothing": true}} {
			if w, m := whole.MayHaveUses(params), merged.MayHaveUses(params); w != m {
				t.Errorf("%v with %v: one scan says %v, merged scans %v", set, params, w, m)
			}
		}
		wp, mp := map[string]bool{}, map[string]bool{}
		whole.Params(wp)
		merged.Params(mp)
		if a, b := strings.Join(slices.Sorted(maps.Keys(wp)), ","), strings.Join(slices.Sorted(maps.Keys(mp)), ","); a != b {
			t.Errorf("%v: params %s, merged %s", set, a, b)
		}
		if whole.Cgo() != merged.Cgo() || whole.Files() != merged.Files() {
			t.Errorf("%v: cgo %v/%v, files %d/%d", set, whole.Cgo(), merged.Cgo(), whole.Files(), merged.Files())
		}
	}
}
