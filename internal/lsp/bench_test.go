package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

// BenchmarkSaveToDiagnostics measures, as an editor sees it, the time from
// didSave of an edited Go file to the publication of the diagnostics of
// its package, or of a package that imports it: the package is parsed,
// type-checked against its dependencies' kept types and analyzed. It
// reports the median and the 90th percentile. Each iteration is one save:
// give the count with -benchtime, since the first analysis of each run is
// not timed (it compiles the dependencies' export data).
//
//	go test -run '^$' -bench SaveToDiagnostics -benchtime 30x ./internal/lsp
func BenchmarkSaveToDiagnostics(b *testing.B) {
	// The trees are made once for every run of a sub-benchmark: a new
	// directory would compile its packages again on the first go list.
	var example, big string
	b.Run("example", func(sub *testing.B) {
		if example == "" {
			example = lsptest.CopyDir(b, filepath.Join("..", "..", "examples", "engine"))
		}
		benchSave(sub, example, "internal/agent/legacy.go", "internal/agent/legacy.go", 1)
	})
	// A package the open one imports saved: it is checked from source.
	b.Run("example-dependency", func(sub *testing.B) {
		if example == "" {
			example = lsptest.CopyDir(b, filepath.Join("..", "..", "examples", "engine"))
		}
		benchSave(sub, example, "internal/health/health.go", "cmd/webserver/main.go", 1)
	})
	b.Run("generated-500", func(sub *testing.B) {
		if big == "" {
			big = generateModule(b, 500)
		}
		benchSave(sub, big, "cmd/agent/main.go", "cmd/agent/main.go", 1)
	})
	// A dependency saved: it is checked from source, against the types of
	// its own dependencies that the dependent keeps.
	b.Run("generated-500-dependency", func(sub *testing.B) {
		if big == "" {
			big = generateModule(b, 500)
		}
		benchSave(sub, big, "pkg/p499/p.go", "cmd/agent/main.go", 1)
	})
	// A dependency the agent imports only through 50 others (p450 to
	// p499 import p449 directly or not): all of them are checked from
	// source.
	b.Run("generated-500-indirect", func(sub *testing.B) {
		if big == "" {
			big = generateModule(b, 500)
		}
		benchSave(sub, big, "pkg/p449/p.go", "cmd/agent/main.go", 1)
	})
	// A module of your own (a writable copy: the file is edited):
	// PORTLINT_BENCH_LSP=DIR:SAVED:WATCHED, files relative to DIR.
	if spec := os.Getenv("PORTLINT_BENCH_LSP"); spec != "" {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 {
			b.Fatalf("PORTLINT_BENCH_LSP=%q: want DIR:SAVED:WATCHED", spec)
		}
		b.Run("module", func(sub *testing.B) {
			benchSave(sub, parts[0], parts[1], parts[2], -1)
		})
	}
}

// benchSave edits and saves file, and times the publication for watch,
// which must hold findings diagnostics (-1: as many as its first
// analysis).
func benchSave(b *testing.B, dir, file, watch string, findings int) {
	opts := Options{}
	if testing.Verbose() {
		opts.Log = os.Stderr
	}
	c := startClient(b, dir, opts)
	c.timeout = 10 * time.Minute
	c.open(watch)
	start := time.Now()
	if findings < 0 {
		findings = len(c.waitDiags(watch, func(PublishDiagnosticsParams) bool { return true }).Diagnostics)
	} else {
		c.waitCount(watch, findings)
	}
	b.Logf("first analysis (go list, dependencies' export data): %v", time.Since(start).Round(time.Millisecond))
	text := c.open(file)
	if file != watch {
		// its own first analysis lists its dependencies: not timed
		c.waitDiags(file, func(PublishDiagnosticsParams) bool { return true })
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		edited := fmt.Sprintf("%s\n// edit %d\n", text, i)
		v := c.replace(file, edited)
		if err := os.WriteFile(c.path(file), []byte(edited), 0o644); err != nil {
			b.Fatal(err)
		}
		seen := len(c.published(watch))
		t0 := time.Now()
		c.notify("textDocument/didSave", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: c.uri(file)}})
		n := 0
		p := c.waitDiags(watch, func(p PublishDiagnosticsParams) bool {
			n++
			if file == watch {
				return p.Version != nil && *p.Version == v
			}
			return n > seen
		})
		times = append(times, time.Since(t0))
		if len(p.Diagnostics) != findings {
			b.Fatalf("%d diagnostics, want %d", len(p.Diagnostics), findings)
		}
	}
	b.StopTimer()
	if err := os.WriteFile(c.path(file), []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(times[len(times)/2]), "ms-median")
	b.ReportMetric(ms(times[len(times)*9/10]), "ms-p90")
}

// generateModule writes a module of n library packages, each importing up
// to three earlier ones and, every tenth, net/http; and an agent command
// that imports fifty of them and listens on the agent's retired port.
// The registry is the language server fixture's.
func generateModule(b testing.TB, n int) string {
	dir := b.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("go.mod", "module example.com/big\n\ngo 1.26\n")
	reg, err := os.ReadFile(filepath.Join("testdata", "fixture", "registry.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	write("registry.yaml", string(reg))
	for i := 0; i < n; i++ {
		var imports, uses []string
		imports = append(imports, `"fmt"`, `"strings"`)
		uses = append(uses, "fmt.Sprint(x)", "strings.ToUpper(s)")
		for _, j := range []int{i - 1, i / 2, i / 3} {
			if j >= 0 && j < i {
				imports = append(imports, fmt.Sprintf(`p%03d "example.com/big/pkg/p%03d"`, j, j))
				uses = append(uses, fmt.Sprintf("p%03d.Name(s)", j))
			}
		}
		if i%10 == 0 {
			imports = append(imports, `"net/http"`)
			uses = append(uses, "fmt.Sprint(http.StatusOK)")
		}
		imports = dedupeStrings(imports)
		uses = dedupeStrings(uses)
		var body strings.Builder
		fmt.Fprintf(&body, "// Package p%03d is generated.\npackage p%03d\n\nimport (\n", i, i)
		for _, im := range imports {
			fmt.Fprintf(&body, "\t%s\n", im)
		}
		fmt.Fprintf(&body, ")\n\n// Size is a constant of the package.\nconst Size = %d\n\n// Name joins what the package's imports say of s.\nfunc Name(s string) string {\n\tx := Size\n\treturn strings.Join([]string{\n", i)
		for _, u := range uses {
			fmt.Fprintf(&body, "\t\t%s,\n", u)
		}
		body.WriteString("\t}, \"/\")\n}\n")
		write(fmt.Sprintf("pkg/p%03d/p.go", i), body.String())
	}
	var main strings.Builder
	main.WriteString("// Command agent is generated.\npackage main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n\n")
	for i := n - 1; i >= 0 && i >= n-50; i-- {
		fmt.Fprintf(&main, "\tp%03d \"example.com/big/pkg/p%03d\"\n", i, i)
	}
	main.WriteString(")\n\nfunc main() {\n")
	for i := n - 1; i >= 0 && i >= n-50; i-- {
		fmt.Fprintf(&main, "\tlog.Print(p%03d.Name(\"x\"))\n", i)
	}
	main.WriteString("\tlog.Fatal(http.ListenAndServe(\":8099\", nil))\n}\n")
	write("cmd/agent/main.go", main.String())
	return dir
}

func dedupeStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
