package cli

import (
	"container/heap"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/internal/goanalysis"
)

// The prefilter's typed load. One go list (-deps -export) gives the
// package graph and, for every package, its export data in the build
// cache. The packages that can hold a port use are type-checked from
// source; what they import comes from export data, read once per package
// and shared by every package that imports it. Checking and analysis run
// on every processor.
//
// A package whose load is not clean (an error anywhere in what it
// reaches, an import without export data, a type error) is loaded again
// by go/packages, which reports its errors exactly as without the
// prefilter.

// graphMode is what the one go list of the prefilter asks for.
const graphMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedDeps | packages.NeedExportFile | packages.NeedModule |
	packages.NeedForTest | packages.NeedTypesSizes

// A pkgGraph is every package go list reported, with their types as read
// from export data.
type pkgGraph struct {
	fset *token.FileSet // of the listing: source files and export data alike
	byID map[string]*packages.Package
	// clean memoizes whether a package and all it reaches listed without
	// errors and have export data
	clean map[string]bool

	// src holds the packages type-checked from source whose types their
	// importers share (set before checking starts); done[id] is closed
	// when such a package's types are final, or it failed and its
	// importers read its export data instead
	src     map[string]bool
	done    map[string]chan struct{}
	settled map[string]*sync.Once // by ID: see settle

	mu       sync.Mutex                // guards what follows: export data reads mutate packages
	exported map[string]*types.Package // by ID: a package's types from export data, once read, or from source
	shells   map[string]*types.Package // by ID: the package's types as export data may refer to them
	base     map[string]*types.Package // by path: the shells of packages that are no test variant
}

// newPkgGraph indexes the packages reachable from roots.
func newPkgGraph(fset *token.FileSet, roots []*packages.Package) *pkgGraph {
	g := &pkgGraph{
		fset:     fset,
		byID:     map[string]*packages.Package{},
		clean:    map[string]bool{},
		exported: map[string]*types.Package{},
		shells:   map[string]*types.Package{},
		base:     map[string]*types.Package{},
		src:      map[string]bool{},
		done:     map[string]chan struct{}{},
		settled:  map[string]*sync.Once{},
	}
	packages.Visit(roots, nil, func(p *packages.Package) {
		g.byID[p.ID] = p
		g.settled[p.ID] = &sync.Once{}
		if p.PkgPath == "unsafe" {
			return
		}
		t := types.NewPackage(p.PkgPath, p.Name)
		g.shells[p.ID] = t
		if !isVariant(p) {
			g.base[p.PkgPath] = t
		}
	})
	return g
}

// isVariant reports whether p is a package compiled for a test ("p
// [q.test]"): its import path names another package elsewhere in the
// graph.
func isVariant(p *packages.Package) bool {
	return strings.Contains(p.ID, " [")
}

// isClean reports whether p and every package it reaches listed without
// errors, and every package it reaches has export data.
func (g *pkgGraph) isClean(p *packages.Package) bool {
	if c, ok := g.clean[p.ID]; ok {
		return c
	}
	g.clean[p.ID] = false // an import cycle is not clean
	c := len(p.Errors) == 0
	for _, d := range p.Imports {
		if !c {
			break
		}
		c = g.isClean(d) && (d.ExportFile != "" || d.PkgPath == "unsafe")
	}
	g.clean[p.ID] = c
	return c
}

// importTypes returns the types of p, read from its export data.
func (g *pkgGraph) importTypes(p *packages.Package) (*types.Package, error) {
	if p.PkgPath == "unsafe" {
		return types.Unsafe, nil
	}
	// the export data of p refers to what p reaches: the packages checked
	// from source there must be final first, so that it refers to them
	g.settle(p)
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := g.exported[p.ID]; t != nil {
		return t, nil
	}
	if p.ExportFile == "" {
		return nil, fmt.Errorf("no export data for %s", p.ID)
	}
	// The export data names the packages it refers to by path: the view
	// maps each to the one shell of the graph, so that every reader
	// shares the types it creates. A test variant's paths mean its own
	// world, collected from what it reaches.
	view := g.base
	if isVariant(p) {
		view = map[string]*types.Package{}
		seen := map[string]bool{}
		var visit func(q *packages.Package)
		visit = func(q *packages.Package) {
			if seen[q.ID] {
				return
			}
			seen[q.ID] = true
			if isVariant(q) {
				if t := g.shells[q.ID]; t != nil {
					view[q.PkgPath] = t
				}
			} else if t := g.base[q.PkgPath]; t != nil {
				view[q.PkgPath] = t // from source, when checked so
			}
			for _, d := range q.Imports {
				visit(d)
			}
		}
		visit(p)
	}
	f, err := os.Open(p.ExportFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", p.ExportFile, err)
	}
	t, err := gcexportdata.Read(r, g.fset, view, p.PkgPath)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", p.ExportFile, err)
	}
	g.exported[p.ID] = t
	return t, nil
}

// settle waits until every package checked from source that p reaches,
// p included, is final.
func (g *pkgGraph) settle(p *packages.Package) {
	if ch := g.done[p.ID]; ch != nil {
		<-ch // closed only once what it imports is settled
		return
	}
	g.settled[p.ID].Do(func() {
		for _, d := range p.Imports {
			g.settle(d)
		}
	})
}

// share makes t, p's types checked from source, what p's importers and the
// export data read from now on refer to.
func (g *pkgGraph) share(p *packages.Package, t *types.Package) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.exported[p.ID] = t
	g.base[p.PkgPath] = t
}

// topoOrder returns roots with every root after the roots it reaches.
func topoOrder(roots []*packages.Package) []int {
	index := map[*packages.Package]int{}
	for i, r := range roots {
		index[r] = i
	}
	seen := map[string]bool{}
	var order []int
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		if seen[p.ID] {
			return
		}
		seen[p.ID] = true
		paths := make([]string, 0, len(p.Imports))
		for path := range p.Imports {
			paths = append(paths, path)
		}
		sort.Strings(paths)
		for _, path := range paths {
			visit(p.Imports[path])
		}
		if i, ok := index[p]; ok {
			order = append(order, i)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	return order
}

// checkFast type-checks and analyzes the roots of the units from source,
// their imports from export data. It returns the results of the units
// that loaded cleanly, by unit, and the units that did not.
func checkFast(ctx context.Context, o goOptions, l *listing, units []string) (map[string][]*rootResult, []string, string, error) {
	g := l.graph
	var roots []*packages.Package
	unitOf := map[*packages.Package]string{}
	for _, u := range units {
		for _, lp := range l.byUnit[u] {
			roots = append(roots, lp.pkg)
			unitOf[lp.pkg] = u
		}
	}
	o.progress.startLoading(len(roots))
	// a root that reaches an error goes to go/packages at once
	clean := make([]bool, len(roots))
	for i, r := range roots {
		clean[i] = g.isClean(r)
	}
	// The roots are checked in the order of the graph, each once what it
	// imports is ready: a root of the run (no test variant) from source,
	// whose types its importers then share; the rest from export data,
	// read once what it reaches from source is final. A root that fails
	// still settles, after what it imports: its importers read its export
	// data instead.
	for i, r := range roots {
		if clean[i] && !isVariant(r) {
			g.src[r.ID] = true
			g.done[r.ID] = make(chan struct{})
		}
	}
	order := topoOrder(roots)
	results := make([]*rootResult, len(roots))
	failed := make([]bool, len(roots))
	why := make([]string, len(roots)) // why a root goes to go/packages
	errs := make([]error, len(roots))
	// One goroutine per root waits, without a processor, until what the
	// root imports is ready; then it takes one of GOMAXPROCS slots to
	// check and analyze the root. Roots become ready in any order, as
	// their imports are checked, so no slot waits on another.
	// Of the roots ready, those that most work waits on go first.
	slots := newGate(runtime.GOMAXPROCS(0))
	prio := g.criticalPath(roots, clean)
	var wg sync.WaitGroup
	work := func(i int) {
		r := roots[i]
		if !clean[i] {
			failed[i], why[i] = true, "its load is not clean: "+g.unclean(r)
			return
		}
		// settled once what it imports is: importers reading its export
		// data, when it fails, rely on that
		for _, d := range r.Imports {
			g.settle(d)
		}
		var once sync.Once
		final := func() {
			if ch := g.done[r.ID]; ch != nil {
				once.Do(func() { close(ch) })
			}
		}
		defer final()
		slots.acquire(prio[i])
		defer slots.release()
		files, ok := parseFull(l, r) // none, for a package of test files only: checked empty, as go/packages does
		if !ok {
			failed[i], why[i] = true, "its files do not parse"
			return
		}
		if ctx.Err() != nil {
			failed[i] = true
			return
		}
		p, why1 := typeCheck(g, r, files)
		if p == nil {
			failed[i], why[i] = true, why1
			return
		}
		if g.src[r.ID] {
			g.share(r, p.Types)
			final()
		}
		o.progress.addLoaded()
		res := &rootResult{pkg: p}
		res.res, errs[i] = goanalysis.Run(o.analyzer, []*packages.Package{p})
		o.progress.addAnalyzed()
		if res.res != nil {
			res.errors = res.res.Errors
		}
		// what is left to do needs the package's name and files only
		p.Syntax, p.Types, p.TypesInfo = nil, nil, nil
		results[i] = res
	}
	for _, i := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(i)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, "", err
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, "", err
		}
	}
	bad := map[string]bool{}
	nfailed, first := 0, ""
	for i, r := range roots {
		if failed[i] {
			bad[unitOf[r]] = true
			if nfailed++; first == "" {
				first = r.ID + ": " + why[i]
			}
		}
	}
	note := ""
	if nfailed > 0 {
		note = fmt.Sprintf("typed load: %d of %d packages loaded again through go/packages (first: %s)", nfailed, len(roots), first)
	}
	done := map[string][]*rootResult{}
	for i, r := range roots {
		if u := unitOf[r]; !bad[u] {
			done[u] = append(done[u], results[i])
		}
	}
	var slow []string
	for _, u := range units {
		if bad[u] {
			slow = append(slow, u)
		}
	}
	return done, slow, note, nil
}

// unclean says why p's load is not clean: the first package it reaches
// that listed with an error or without export data.
func (g *pkgGraph) unclean(p *packages.Package) string {
	seen := map[string]bool{}
	var find func(q *packages.Package) string
	find = func(q *packages.Package) string {
		if seen[q.ID] {
			return ""
		}
		seen[q.ID] = true
		if len(q.Errors) > 0 {
			return q.ID + " has errors"
		}
		if q != p && q.ExportFile == "" && q.PkgPath != "unsafe" {
			return q.ID + ": no export data"
		}
		for _, d := range q.Imports {
			if w := find(d); w != "" {
				return w
			}
		}
		return ""
	}
	if w := find(p); w != "" {
		return w
	}
	return "an import cycle"
}

// criticalPath returns, for each root, the files to check on the longest
// chain of roots that wait for it, itself included: how much work a
// delay of the root delays.
func (g *pkgGraph) criticalPath(roots []*packages.Package, clean []bool) []int {
	cost := map[string]int{}
	for i, r := range roots {
		if clean[i] {
			cost[r.ID] = len(r.CompiledGoFiles)
		}
	}
	importers := map[string][]*packages.Package{}
	for _, p := range g.byID {
		for _, d := range p.Imports {
			importers[d.ID] = append(importers[d.ID], p)
		}
	}
	memo := map[string]int{}
	var up func(p *packages.Package) int
	up = func(p *packages.Package) int {
		if v, ok := memo[p.ID]; ok {
			return v
		}
		memo[p.ID] = 0 // an import cycle is not clean: nothing waits on it
		best := 0
		for _, q := range importers[p.ID] {
			best = max(best, up(q))
		}
		memo[p.ID] = cost[p.ID] + best
		return memo[p.ID]
	}
	out := make([]int, len(roots))
	for i, r := range roots {
		out[i] = up(r)
	}
	return out
}

// A gate hands out a number of slots, to the waiter of highest priority
// first.
type gate struct {
	mu      sync.Mutex
	free    int
	waiting gateQueue
}

func newGate(n int) *gate { return &gate{free: n} }

// acquire waits for a slot.
func (g *gate) acquire(prio int) {
	g.mu.Lock()
	if g.free > 0 {
		g.free--
		g.mu.Unlock()
		return
	}
	w := gateWaiter{prio: prio, ch: make(chan struct{})}
	heap.Push(&g.waiting, w)
	g.mu.Unlock()
	<-w.ch
}

// release gives a slot back, to the waiter of highest priority if any.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.waiting.Len() > 0 {
		close(heap.Pop(&g.waiting).(gateWaiter).ch)
		return
	}
	g.free++
}

type gateWaiter struct {
	prio int
	ch   chan struct{}
}

// gateQueue is a max-heap of waiters by priority.
type gateQueue []gateWaiter

func (q gateQueue) Len() int           { return len(q) }
func (q gateQueue) Less(i, j int) bool { return q[i].prio > q[j].prio }
func (q gateQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *gateQueue) Push(x any)        { *q = append(*q, x.(gateWaiter)) }
func (q *gateQueue) Pop() any {
	old := *q
	w := old[len(old)-1]
	*q = old[:len(old)-1]
	return w
}

// parseFull parses the files the compiler sees of p as go/packages does,
// with comments and every error, but without the syntactic object
// resolution (ast.Object) nothing in portlint reads. A package of test
// files alone has none.
func parseFull(l *listing, p *packages.Package) ([]*ast.File, bool) {
	files := make([]*ast.File, 0, len(p.CompiledGoFiles))
	for _, name := range p.CompiledGoFiles {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, false
		}
		f, err := parser.ParseFile(l.fset, name, data, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, false
		}
		files = append(files, f)
	}
	return files, true
}

// typeCheck type-checks p from files, its imports from export data, and
// returns p with its syntax and types, or nil and why not.
func typeCheck(g *pkgGraph, p *packages.Package, files []*ast.File) (*packages.Package, string) {
	var failed error
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			d := p.Imports[path]
			if d == nil {
				return nil, fmt.Errorf("no metadata for %s", path)
			}
			return g.importTypes(d)
		}),
		Error: func(err error) {
			if failed == nil {
				failed = err
			}
		},
		Sizes: p.TypesSizes,
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	info := goanalysis.NewInfo()
	t := types.NewPackage(p.PkgPath, p.Name)
	for _, f := range files {
		for _, imp := range f.Imports {
			if imp.Path.Value == `"C"` {
				return nil, "it uses cgo" // go/packages knows how
			}
		}
	}
	if err := types.NewChecker(conf, g.fset, t, info).Files(files); err != nil || failed != nil {
		if failed == nil {
			failed = err
		}
		return nil, "type error: " + failed.Error()
	}
	np := *p
	np.Fset = g.fset
	np.Syntax = files
	np.Types = t
	np.TypesInfo = info
	np.IllTyped = false
	return &np, ""
}

// importerFunc is a types.Importer.
type importerFunc func(path string) (*types.Package, error)

// Import imports the package at path.
func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
