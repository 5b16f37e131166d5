package cli

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/goanalysis"
)

// goResult is what the Go half of a run produces.
type goResult struct {
	findings []finding.Finding
	uses     []*check.Use
	errors   []string // positioned load and type errors, and analysis failures
	loaded   int      // packages loaded with types
	matched  int      // packages the patterns named
	ignored  int      // findings silenced by //portlint:ignore in Go
}

// goOptions configure the Go half of a run.
type goOptions struct {
	dir       string
	patterns  []string
	tests     bool
	tags      string
	prefilter bool // decide by syntax which packages can hold a use
	analyzer  *analysis.Analyzer
}

// runGo loads the packages the patterns name and analyzes them. With the
// prefilter, packages are first listed and parsed without types; only those
// that can contain a port use are loaded with types.
func runGo(ctx context.Context, o goOptions) (*goResult, error) {
	res := &goResult{}
	if len(o.patterns) == 0 {
		return res, nil
	}
	buildFlags := []string{}
	if o.tags != "" {
		buildFlags = append(buildFlags, "-tags="+o.tags)
	}
	patterns := o.patterns
	if o.prefilter {
		relevant, matched, errs, err := prefilter(ctx, o, buildFlags)
		if err != nil {
			return nil, err
		}
		res.matched = matched
		res.errors = append(res.errors, errs...)
		if len(relevant) == 0 {
			return res, nil
		}
		patterns = relevant
	}
	cfg := &packages.Config{
		Context:    ctx,
		Dir:        o.dir,
		Mode:       packages.LoadSyntax | packages.NeedModule,
		Tests:      o.tests,
		BuildFlags: buildFlags,
		Env:        os.Environ(),
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %v", err)
	}
	var good []*packages.Package
	seenErr := map[string]bool{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			for _, e := range p.Errors {
				msg := e.Error()
				if !seenErr[msg] {
					seenErr[msg] = true
					res.errors = append(res.errors, msg)
				}
			}
			continue
		}
		good = append(good, p)
	}
	if !o.prefilter {
		res.matched = len(pkgs)
	}
	res.loaded = len(good)
	if len(good) == 0 {
		return res, nil
	}
	ar, err := goanalysis.Run(o.analyzer, good)
	if err != nil {
		return nil, err
	}
	res.findings = append(res.findings, ar.Findings...)
	res.uses = append(res.uses, ar.Uses...)
	res.errors = append(res.errors, ar.Errors...)
	res.ignored = ar.Ignored
	return res, nil
}

// prefilter lists the packages without types, parses their files, and
// returns the import paths of those that can hold a port use.
func prefilter(ctx context.Context, o goOptions, buildFlags []string) (relevant []string, matched int, errs []string, err error) {
	for _, p := range o.patterns {
		if strings.HasSuffix(p, ".go") {
			// files named on the command line form one package, which
			// has no import path to load it by: load them as named
			return o.patterns, 1, nil, nil
		}
	}
	// NeedImports would make go list walk every dependency (-deps); the
	// imports come from the parsed files instead.
	cfg := &packages.Config{
		Context:    ctx,
		Dir:        o.dir,
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule | packages.NeedForTest,
		Tests:      o.tests,
		BuildFlags: buildFlags,
		Env:        os.Environ(),
	}
	pkgs, err := packages.Load(cfg, o.patterns...)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("listing packages: %v", err)
	}
	fset := token.NewFileSet()
	parsed := make([][]*ast.File, len(pkgs))
	params := map[string]bool{}
	parallel(len(pkgs), func(i int) {
		p := pkgs[i]
		if len(p.Errors) > 0 {
			return // the typed load reports them
		}
		for _, name := range p.GoFiles {
			f, perr := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if perr != nil {
				parsed[i] = nil // a syntax error: the typed load reports it
				return
			}
			parsed[i] = append(parsed[i], f)
		}
	})
	for i := range pkgs {
		analyzer.PortParamFuncs(parsed[i], params)
	}
	if err := moduleParams(ctx, cfg, pkgs, parsed, fset, params); err != nil {
		return nil, 0, nil, err
	}
	may := make([]bool, len(pkgs))
	parallel(len(pkgs), func(i int) {
		// broken packages go to the typed load, which reports their errors
		may[i] = parsed[i] == nil || analyzer.MayHaveUses(parsed[i], params)
	})
	seen := map[string]bool{}
	tested := testedPaths(pkgs)
	for i, p := range pkgs {
		if u := unitPath(p, tested); may[i] && !seen[u] {
			seen[u] = true
			relevant = append(relevant, u)
		}
	}
	sort.Strings(relevant)
	return relevant, len(pkgs), nil, nil
}

// testedPaths returns the import paths of the packages whose tests were
// listed: the packages some listed package is a test variant of.
func testedPaths(pkgs []*packages.Package) map[string]bool {
	tested := map[string]bool{}
	for _, p := range pkgs {
		if p.ForTest != "" {
			tested[p.ForTest] = true
		}
	}
	return tested
}

// unitPath returns the import path that loads p: the package under test
// for a test variant ("p [p.test]"), an external test package ("p_test
// [p.test]") and a test main ("p.test"), which go list cannot load by
// their own paths; the package's own path otherwise.
func unitPath(p *packages.Package, tested map[string]bool) string {
	if p.ForTest != "" {
		return p.ForTest
	}
	if main, ok := strings.CutSuffix(p.PkgPath, ".test"); ok && p.ID == p.PkgPath && tested[main] {
		return main
	}
	return p.PkgPath
}

// parallel calls f(0), ..., f(n-1) on every processor.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(n, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// moduleParams adds to params the functions and methods with a parameter
// that says port declared in the modules of pkgs, when the patterns left
// some of a module's packages out that the named ones import: a call of
// such a function is a use wherever it is, and the analyzer sees it
// through types. A method can be reached through a value of a package the
// caller does not import, so the whole module is read (parsing is cheap).
func moduleParams(ctx context.Context, cfg *packages.Config, pkgs []*packages.Package, parsed [][]*ast.File, fset *token.FileSet, params map[string]bool) error {
	named := map[string]bool{}
	for _, p := range pkgs {
		named[p.PkgPath] = true
	}
	modules := map[string]bool{}
	for i, p := range pkgs {
		if p.Module == nil {
			continue
		}
		m := p.Module.Path
		for _, f := range parsed[i] {
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err == nil && !named[path] && (path == m || strings.HasPrefix(path, m+"/")) {
					modules[m] = true
				}
			}
		}
	}
	if len(modules) == 0 {
		return nil
	}
	var patterns []string
	for m := range modules {
		patterns = append(patterns, m+"/...")
	}
	sort.Strings(patterns)
	c := *cfg
	c.Context, c.Mode, c.Tests = ctx, packages.NeedName|packages.NeedFiles, false
	more, err := packages.Load(&c, patterns...)
	if err != nil {
		return fmt.Errorf("listing packages: %v", err)
	}
	for _, p := range more {
		if named[p.PkgPath] {
			continue
		}
		var files []*ast.File
		for _, name := range p.GoFiles {
			if f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution); err == nil {
				files = append(files, f)
			}
		}
		analyzer.PortParamFuncs(files, params)
	}
	return nil
}
