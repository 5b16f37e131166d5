package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"go/token"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/goanalysis"
	"github.com/portlint/portlint/internal/safefile"
)

// goResult is what the Go half of a run produces.
type goResult struct {
	findings []finding.Finding
	uses     []*check.Use
	errors   []string // positioned load and type errors, and analysis failures
	loaded   int      // packages loaded with types, or replayed from the cache
	matched  int      // packages the patterns named
	ignored  int      // findings silenced by //portlint:ignore in Go
	units    int      // import paths analyzed or replayed (a test's variants count once)
	cached   int      // of those, replayed from the result cache
	analyzed []string // the import paths loaded with types, when listed first
	cacheOff string   // why the result cache was not used, when it was asked for
	cacheErr error    // the first result the cache could not store
	notes    []string // what the run leaves unchecked without an error
	verbose  []string // how the run went, printed with -v: packages loaded again
}

// goOptions configure the Go half of a run.
type goOptions struct {
	dir       string
	patterns  []string
	tests     bool
	tags      string
	prefilter bool // decide by syntax which packages can hold a use
	analyzer  *analysis.Analyzer
	cache     *cacheOptions // nil: no result cache
	progress  *progress     // nil: no progress display
}

// runGo loads the packages the patterns name and analyzes them. With the
// prefilter, packages are first listed and their files' tokens scanned;
// only those that can contain a port use are loaded with types. With a
// result cache, a package whose result is cached is replayed instead of
// loaded.
func runGo(ctx context.Context, o goOptions) (*goResult, error) {
	res := &goResult{}
	if len(o.patterns) == 0 {
		return res, nil
	}
	buildFlags := []string{}
	if o.tags != "" {
		buildFlags = append(buildFlags, "-tags="+o.tags)
	}
	if !o.prefilter || namesFiles(o.patterns) {
		// files named on the command line form one package, which has
		// no import path to load it by: load them as named
		if o.cache != nil {
			res.cacheOff = "-no-prefilter"
			if o.prefilter {
				res.cacheOff = "Go files named on the command line"
			}
		}
		roots, err := loadAnalyze(ctx, o, buildFlags, o.patterns)
		if err != nil {
			return nil, err
		}
		res.matched = len(roots)
		if o.prefilter {
			res.matched = 1
		}
		res.add(roots, map[string]bool{})
		return res, nil
	}
	var env <-chan goSettings
	if o.cache != nil {
		env = startGoSettings(ctx, o.dir)
	}
	l, err := prefilter(ctx, o, buildFlags)
	if err != nil {
		return nil, err
	}
	res.matched = len(l.named)
	res.units = len(l.relevant)
	if f := os.Getenv("PORTLINT_KEPT"); f != "" {
		// the packages the typed load checks, for bench/run.sh: the
		// floor of loading only them bounds what any prefilter saves
		if err := os.WriteFile(f, []byte(strings.Join(l.relevant, "\n")+"\n"), 0o666); err != nil {
			return nil, err
		}
	}
	res.notes = l.notes
	o.progress.setListed(len(l.named), len(l.relevant))
	if len(l.relevant) == 0 {
		return res, nil
	}
	var k *keyer
	if o.cache != nil {
		if k, res.cacheOff = newKeyer(o, l, <-env); k != nil {
			defer o.cache.store.trim(time.Now())
		}
	}
	// per import path: replayed, or loaded below
	results := map[string]*unitResult{}
	var misses []string
	for _, u := range l.relevant {
		if key := k.key(u); key != "" {
			if e := o.cache.store.get(key); e != nil {
				results[u] = &unitResult{entry: *e}
				res.cached++
				continue
			}
		}
		misses = append(misses, u)
	}
	res.analyzed = misses
	o.progress.setCached(res.cached)
	if len(misses) > 0 {
		// from source against export data where the load is clean; the
		// rest through go/packages, which reports what is wrong
		t0 := time.Now()
		fast, slow, note, err := checkFast(ctx, o, l, misses)
		if err != nil {
			return nil, err
		}
		res.verbose = append(res.verbose, fmt.Sprintf("typed load: %d packages in %.2f s, after %.2f s to list and %.2f s to scan", len(misses), time.Since(t0).Seconds(), l.listed.Seconds(), (l.took-l.listed).Seconds()))
		if note != "" {
			res.verbose = append(res.verbose, note)
		}
		for u, roots := range fast {
			results[u] = &unitResult{roots: roots}
		}
		if len(slow) > 0 {
			roots, err := loadAnalyze(ctx, o, buildFlags, slow)
			if err != nil {
				return nil, err
			}
			pkgs := make([]*packages.Package, len(roots))
			for i, r := range roots {
				pkgs[i] = r.pkg
			}
			tested := testedPaths(pkgs)
			for _, r := range roots {
				u := unitPath(r.pkg, tested)
				ur := results[u]
				if ur == nil {
					ur = &unitResult{}
					results[u] = ur
				}
				ur.roots = append(ur.roots, r)
			}
		}
		for _, u := range misses {
			if ur := results[u]; ur != nil {
				ur.finish()
				if key := k.key(u); key != "" && ur.ok && k.unchanged(u, ur.roots) {
					if err := o.cache.store.put(key, &ur.entry); err != nil && res.cacheErr == nil {
						res.cacheErr = err // not stored: analyzed again next run
					}
				}
			}
		}
	}
	units := make([]string, 0, len(results))
	for u := range results {
		units = append(units, u)
	}
	sort.Strings(units)
	// in the order of import paths, whether replayed or loaded: output is
	// sorted, and what sorts equal stays in this order
	seen := map[string]bool{}
	for _, u := range units {
		ur := results[u]
		if ur.roots != nil {
			res.add(ur.roots, seen)
			continue
		}
		res.findings = append(res.findings, ur.entry.Findings...)
		res.uses = append(res.uses, ur.entry.Uses...)
		res.ignored += ur.entry.Ignored
		res.loaded += ur.entry.Loaded
	}
	return res, nil
}

// namesFiles reports whether the patterns name Go files.
func namesFiles(patterns []string) bool {
	for _, p := range patterns {
		if strings.HasSuffix(p, ".go") {
			return true
		}
	}
	return false
}

// A rootResult is the outcome of loading and analyzing one package.
type rootResult struct {
	pkg    *packages.Package
	errors []string           // load errors, or the analysis failure
	res    *goanalysis.Result // nil when the package did not load
}

// loadAnalyze loads the patterns with types and analyzes every package
// that loaded without errors, on every processor.
func loadAnalyze(ctx context.Context, o goOptions, buildFlags, patterns []string) ([]*rootResult, error) {
	cfg := &packages.Config{
		Context:    ctx,
		Dir:        o.dir,
		Mode:       packages.LoadSyntax | packages.NeedModule | packages.NeedForTest,
		Tests:      o.tests,
		BuildFlags: buildFlags,
		Env:        os.Environ(),
	}
	o.progress.startLoading(len(patterns))
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %v", err)
	}
	o.progress.startLoading(len(pkgs))
	o.progress.setLoaded(len(pkgs))
	roots := make([]*rootResult, len(pkgs))
	errs := make([]error, len(pkgs))
	parallel(len(pkgs), func(i int) {
		p := pkgs[i]
		r := &rootResult{pkg: p}
		roots[i] = r
		if len(p.Errors) > 0 {
			for _, e := range p.Errors {
				r.errors = append(r.errors, importError(p, e))
			}
			return
		}
		r.res, errs[i] = goanalysis.Run(o.analyzer, []*packages.Package{p})
		if r.res != nil {
			r.errors = r.res.Errors
		}
		o.progress.addAnalyzed()
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return roots, nil
}

// importError returns the text of a load error of p. The type checker
// reports an import go list could not resolve as "could not import X
// (invalid package name: \"\")"; what the go command said about X (a
// missing go.sum entry, a module not in the cache) is on the imported
// package, and replaces it.
func importError(p *packages.Package, e packages.Error) string {
	msg := e.Error()
	const prefix = "could not import "
	i := strings.Index(e.Msg, prefix)
	if i < 0 {
		return msg
	}
	path, _, ok := strings.Cut(e.Msg[i+len(prefix):], " ")
	if !ok {
		return msg
	}
	dep := p.Imports[path]
	if dep == nil || len(dep.Errors) == 0 {
		return msg
	}
	var why []string
	for _, de := range dep.Errors {
		why = append(why, de.Msg)
	}
	at := e.Pos
	if at == "" || at == "-" {
		at = p.PkgPath
	}
	return fmt.Sprintf("%s: could not import %s: %s", at, path, strings.Join(why, "; "))
}

// add adds the results of the roots, in order: first their load errors,
// each message once (seen holds those already added), then what the
// analysis found and its failures.
func (res *goResult) add(roots []*rootResult, seen map[string]bool) {
	for _, r := range roots {
		if r.res != nil {
			continue
		}
		for _, msg := range r.errors {
			if !seen[msg] {
				seen[msg] = true
				res.errors = append(res.errors, msg)
			}
		}
	}
	for _, r := range roots {
		if r.res == nil {
			continue
		}
		res.loaded++
		res.findings = append(res.findings, r.res.Findings...)
		res.uses = append(res.uses, r.res.Uses...)
		res.errors = append(res.errors, r.res.Errors...)
		res.ignored += r.res.Ignored
	}
}

// A unitResult is the result of one import path: replayed from the cache
// (roots nil), or loaded: the package and, with -test, its test variants,
// external test package and test main.
type unitResult struct {
	roots []*rootResult
	entry cacheEntry // what to store, or what was replayed
	ok    bool       // every root loaded and was analyzed without failure
}

// finish orders the roots by ID and sums them up into the entry.
func (ur *unitResult) finish() {
	sort.Slice(ur.roots, func(i, j int) bool { return ur.roots[i].pkg.ID < ur.roots[j].pkg.ID })
	ur.ok = true
	e := &ur.entry
	for _, r := range ur.roots {
		if r.res == nil || len(r.errors) > 0 {
			ur.ok = false
			continue
		}
		e.Loaded++
		e.Ignored += r.res.Ignored
		e.Findings = append(e.Findings, r.res.Findings...)
		e.Uses = append(e.Uses, r.res.Uses...)
	}
}

// A listedPkg is a package listed, its files' tokens scanned, without types.
type listedPkg struct {
	pkg    *packages.Package
	scan   *analyzer.TokenScan // what the files' tokens say
	sums   [][sha256.Size]byte // each Go file's SHA-256, for the result cache
	broken bool                // listing errors, or a file that did not read or scan
}

// readPkg reads the Go files of p and scans their tokens, and with sum
// hashes them; pre (nil: none) has the files it scanned while go list
// ran. A package with listing errors is not read: go list -export
// compiled every package, so a file that does not parse is among them.
func readPkg(p *packages.Package, sum bool, pre *prescan) *listedPkg {
	lp := &listedPkg{pkg: p, scan: &analyzer.TokenScan{}}
	if len(p.Errors) > 0 {
		lp.broken = true
		return lp
	}
	for _, name := range p.GoFiles {
		if r := pre.lookup(name); r != nil {
			if sum {
				lp.sums = append(lp.sums, r.sum)
			}
			lp.broken = lp.broken || r.err
			lp.scan.Merge(r.scan)
			continue
		}
		data, err := safefile.Read(name, safefile.MaxSource)
		if err != nil {
			lp.broken = true
			continue
		}
		if sum {
			lp.sums = append(lp.sums, sha256.Sum256(data))
		}
		if err := lp.scan.File(name, data); err != nil {
			lp.broken = true
		}
	}
	return lp
}

// A listing is what the prefilter saw.
type listing struct {
	fset     *token.FileSet
	graph    *pkgGraph               // every package the named ones reach
	named    []*listedPkg            // the packages the patterns name, with -test their tests too
	byUnit   map[string][]*listedPkg // the named packages by unit (see unitPath)
	more     []*listedPkg            // other packages of their modules (see moduleParams)
	relevant []string                // the import paths to load with types, sorted
	notes    []string                // files the build leaves out unchecked (cgo off)
	listed   time.Duration           // to list
	took     time.Duration           // to list and decide
}

// prefilter lists the packages and what they reach with one go list
// (-deps -export: the graph, and export data for the typed load), scans
// the tokens of the named packages' files (most of them while go list
// runs: see prescan), and finds the import paths of those that
// can hold a port use.
func prefilter(ctx context.Context, o goOptions, buildFlags []string) (*listing, error) {
	start := time.Now()
	cfg := &packages.Config{
		Context:    ctx,
		Dir:        o.dir,
		Mode:       graphMode,
		Tests:      o.tests,
		BuildFlags: buildFlags,
		Env:        os.Environ(),
	}
	pre := startPrescan(o.dir, o.patterns, o.tests, o.cache != nil)
	pkgs, err := packages.Load(cfg, o.patterns...)
	pre.finish()
	if err != nil {
		return nil, fmt.Errorf("listing packages: %v", err)
	}
	l := &listing{fset: token.NewFileSet(), named: make([]*listedPkg, len(pkgs)), byUnit: map[string][]*listedPkg{}, listed: time.Since(start)}
	l.graph = newPkgGraph(l.fset, pkgs)
	l.notes = cgoDropped(o.dir, pkgs, o.tags)
	parallel(len(pkgs), func(i int) {
		l.named[i] = readPkg(pkgs[i], o.cache != nil, pre)
	})
	params := map[string]bool{}
	for _, lp := range l.named {
		if !lp.broken {
			lp.scan.Params(params)
		}
	}
	l.more = moduleParams(l, params, o.cache != nil)
	may := make([]bool, len(pkgs))
	parallel(len(pkgs), func(i int) {
		// broken packages go to the typed load, which reports their
		// errors; so do packages without files, which go list may
		// explain there
		lp := l.named[i]
		may[i] = lp.broken || lp.scan.Files() == 0 || lp.scan.MayHaveUses(params)
	})
	seen := map[string]bool{}
	tested := testedPaths(pkgs)
	for i, p := range pkgs {
		u := unitPath(p, tested)
		l.byUnit[u] = append(l.byUnit[u], l.named[i])
		if may[i] && !seen[u] {
			seen[u] = true
			l.relevant = append(l.relevant, u)
		}
	}
	sort.Strings(l.relevant)
	l.took = time.Since(start)
	return l, nil
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
// that says port declared in the modules of the named packages, when the
// patterns left out some of a module's packages that the named ones
// reach: a call of such a function is a use wherever it is, and the
// analyzer sees it through types. What a named package can call is in
// the packages it reaches, which the one go list of the prefilter listed
// (-deps): those of the same modules are parsed; the rest of a module,
// which nothing named can call, is not. It returns the packages it read.
func moduleParams(l *listing, params map[string]bool, sum bool) []*listedPkg {
	named := map[string]bool{}
	modules := map[string]bool{}
	for _, lp := range l.named {
		named[lp.pkg.PkgPath] = true
		if lp.pkg.Module != nil && len(lp.pkg.Errors) == 0 {
			modules[lp.pkg.Module.Path] = true
		}
	}
	var todo []*packages.Package
	for _, p := range l.graph.byID {
		if named[p.PkgPath] || isVariant(p) || p.Module == nil || !modules[p.Module.Path] {
			continue
		}
		todo = append(todo, p)
	}
	if len(todo) == 0 {
		return nil
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].ID < todo[j].ID })
	more := make([]*listedPkg, len(todo))
	parallel(len(todo), func(i int) {
		more[i] = readPkg(todo[i], sum, nil)
	})
	for _, lp := range more {
		lp.scan.Params(params)
	}
	return more
}
