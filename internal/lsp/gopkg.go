package lsp

import (
	"bufio"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/internal/goanalysis"
)

// A goLoader type-checks one package at a time: the package itself from
// source (open buffers over the files on disk), its dependencies from the
// export data that `go list` produced. What `go list` said and the
// dependencies' types are kept between runs, so that re-checking a package
// after an edit costs a parse and a type check, not a `go list`.
//
// A saved dependency of the main module does not call for `go list`
// either: it is type-checked from source against the types already
// loaded, and so is every dependency between it and the package, as long
// as its files and imports are those listed. `go list` runs again when
// they are not, and when the server verifies a result so obtained.
type goLoader struct {
	env []string

	mu    sync.Mutex
	metas map[string]*goMeta // by package directory
	lists int                // go list runs, for tests
}

func newGoLoader(env []string) *goLoader {
	return &goLoader{env: env, metas: map[string]*goMeta{}}
}

// goMeta is what `go list` said about a package and its dependencies, and
// the dependencies' types loaded so far.
type goMeta struct {
	dir      string
	pkgPath  string
	name     string
	files    []string           // absolute paths of the package's Go files, without tests
	dirNames []string           // the Go files of dir when listed, to notice added and removed files
	imports  []string           // the import paths of the files when listed, sorted
	exports  map[string]string  // package path -> export data file, for every dependency
	depDirs  map[string]string  // directory -> package path, for every dependency
	deps     map[string]*depPkg // what go list said of each dependency, by package path
	// source holds the dependencies type-checked from source rather than
	// read from export data: those saved since they were listed, and those
	// that import them directly or not
	source map[string]bool
	// prevExports are the exports the loaded types came from, when the
	// package is listed again
	prevExports map[string]string
	module      *packages.Module
	sizes       types.Sizes
	goVersion   string
	listErrs    []string
	// stale and dirty are guarded by goLoader.mu: the package must be
	// listed again; dependencies saved since the last check, by path
	stale bool
	dirty map[string]bool

	fset  *token.FileSet
	types map[string]*types.Package
}

// A depPkg is what `go list` said of a dependency, enough to type-check it
// from source.
type depPkg struct {
	dir       string
	files     []string // absolute paths of its Go files
	dirNames  []string // the Go files of dir when listed
	imports   []string // the import paths of its files, sorted, without "C"
	goVersion string
	// fromSource tells whether it can be checked from source: it belongs
	// to a main module and does not use cgo
	fromSource bool
}

// maxFileSetBase bounds the positions a meta's file set hands out; every
// run adds the package's files to it, so past this the dependencies are
// loaded afresh into a new one.
const maxFileSetBase = 1 << 28

// A goSource supplies a file's content: the editor's buffer when the file
// is open, else the file on disk.
type goSource interface {
	read(path string) (data []byte, version int, open bool, err error)
	// overlays returns the open, changed buffers of Go files outside dir.
	overlays(dir string) map[string][]byte
}

// A goCheck is a package ready for analysis, or the reason it is not.
type goCheck struct {
	pkg    *packages.Package
	files  map[string]*snapshot // what each file held when checked
	errors []string             // syntax, list and type errors: the package was not analyzed
	// fromSource tells that dependencies saved since they were listed
	// were type-checked from source
	fromSource bool
}

// A snapshot is a file's content at the version a result was computed from.
type snapshot struct {
	text    *text
	version int
	open    bool
}

// check loads and type-checks the package in dir.
func (l *goLoader) check(ctx context.Context, dir string, src goSource) (*goCheck, error) {
	names, err := goFileNames(dir)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	meta := l.metas[dir]
	var stale bool
	var dirty map[string]bool
	if meta != nil {
		stale, dirty = meta.stale, meta.dirty
		meta.stale, meta.dirty = false, nil
	}
	l.mu.Unlock()
	if meta != nil && !stale && len(dirty) > 0 && meta.exports != nil {
		// Saved dependencies are checked from source if go list would
		// say of them what it said.
		for path := range dirty {
			if !meta.sameListing(path, src) {
				stale = true
				break
			}
		}
		if !stale {
			meta.checkFromSource(dirty)
		}
	}
	relist := meta == nil || stale || !slices.Equal(meta.dirNames, names)
	if relist {
		if meta, err = l.listRoot(ctx, dir, names, src, meta); err != nil {
			l.markStale(dir) // for the next run, if this one was cancelled
			return nil, err
		}
	}
	gc := &goCheck{files: map[string]*snapshot{}}
	contents := map[string][]byte{}
	for _, f := range meta.files {
		data, version, open, err := src.read(f)
		if err != nil {
			return nil, err
		}
		contents[f] = data
		gc.files[f] = &snapshot{text: newText(data), version: version, open: open}
	}
	imports, err := importsOf(meta.files, contents)
	if err != nil {
		gc.errors = append(gc.errors, err.Error())
		return gc, nil
	}
	if relist || meta.exports == nil || !slices.Equal(meta.imports, imports) {
		if meta, err = l.listDeps(ctx, meta, imports, src); err != nil {
			l.markStale(dir)
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if meta.fset == nil || meta.fset.Base() > maxFileSetBase {
		meta.fset, meta.types = token.NewFileSet(), map[string]*types.Package{}
	}
	gc.fromSource = len(meta.source) > 0
	var syntax []*ast.File
	for _, f := range meta.files {
		af, err := parser.ParseFile(meta.fset, f, contents[f], parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			if list, ok := err.(scanner.ErrorList); ok {
				for _, e := range list {
					gc.errors = append(gc.errors, e.Error())
				}
			} else {
				gc.errors = append(gc.errors, err.Error())
			}
			continue
		}
		syntax = append(syntax, af)
	}
	if len(gc.errors) > 0 {
		return gc, nil
	}
	info := goanalysis.NewInfo()
	conf := &types.Config{
		Importer:    &depImporter{ctx: ctx, m: meta, src: src},
		Sizes:       meta.sizes,
		GoVersion:   meta.goVersion,
		FakeImportC: true,
		Error: func(err error) {
			if len(gc.errors) < 10 {
				gc.errors = append(gc.errors, err.Error())
			}
		},
	}
	tpkg, _ := conf.Check(meta.pkgPath, meta.fset, syntax, info)
	if len(gc.errors) > 0 {
		return gc, nil
	}
	gc.pkg = &packages.Package{
		ID:              meta.pkgPath,
		Name:            meta.name,
		PkgPath:         meta.pkgPath,
		GoFiles:         meta.files,
		CompiledGoFiles: meta.files,
		Fset:            meta.fset,
		Syntax:          syntax,
		Types:           tpkg,
		TypesInfo:       info,
		TypesSizes:      meta.sizes,
		Module:          meta.module,
	}
	return gc, nil
}

// A depImporter gives a package's dependencies their types: those checked
// already, kept in the meta; those of the meta's source set type-checked
// from source; the others read from export data.
type depImporter struct {
	ctx context.Context
	m   *goMeta
	src goSource
}

// Import returns a dependency's types, loaded once and kept.
func (im *depImporter) Import(path string) (*types.Package, error) {
	m := im.m
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if p := m.types[path]; p != nil && p.Complete() {
		return p, nil
	}
	if m.source[path] {
		return im.checkSource(path)
	}
	file := m.exports[path]
	if file == "" {
		return nil, fmt.Errorf("could not import %s (no export data; is it a dependency of the module?)", path)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// go list -export writes archives; Read takes only the export data
	// that NewReader extracts from them.
	r, err := gcexportdata.NewReader(bufio.NewReader(f)) //nolint:staticcheck // the go command's export files are archives, which Read does not open
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", path, err)
	}
	return gcexportdata.Read(r, m.fset, m.types, path)
}

// checkSource type-checks a dependency from its files, as the editor has
// them, against the types of its own dependencies.
func (im *depImporter) checkSource(path string) (*types.Package, error) {
	if err := im.ctx.Err(); err != nil {
		return nil, err
	}
	m, dep := im.m, im.m.deps[path]
	var files []*ast.File
	for _, f := range dep.files {
		data, _, _, err := im.src.read(f)
		if err != nil {
			return nil, err
		}
		af, err := parser.ParseFile(m.fset, f, data, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, af)
	}
	var first error
	conf := &types.Config{
		Importer:    im,
		Sizes:       m.sizes,
		GoVersion:   dep.goVersion,
		FakeImportC: true,
		Error: func(err error) {
			if first == nil {
				first = err
			}
		},
	}
	pkg, _ := conf.Check(path, m.fset, files, nil)
	if first != nil {
		return nil, first
	}
	m.types[path] = pkg
	return pkg, nil
}

// sameListing reports whether go list would list the dependency at path
// as it did: it can be checked from source, its directory holds the same
// Go files and they import the same packages.
func (m *goMeta) sameListing(path string, src goSource) bool {
	dep := m.deps[path]
	if dep == nil || !dep.fromSource {
		return false
	}
	names, err := goFileNames(dep.dir)
	if err != nil || !slices.Equal(names, dep.dirNames) {
		return false
	}
	contents := map[string][]byte{}
	for _, f := range dep.files {
		data, _, _, err := src.read(f)
		if err != nil {
			return false
		}
		contents[f] = data
	}
	imports, err := importsOf(dep.files, contents)
	if err != nil || slices.Contains(imports, "C") {
		return false // a syntax error is go list's to report
	}
	return slices.Equal(imports, dep.imports)
}

// checkFromSource puts the saved dependencies, and every dependency that
// imports them directly or not, in the source set, and drops their types.
func (m *goMeta) checkFromSource(saved map[string]bool) {
	importers := map[string][]string{}
	for path, dep := range m.deps {
		for _, imp := range dep.imports {
			importers[imp] = append(importers[imp], path)
		}
	}
	if m.source == nil {
		m.source = map[string]bool{}
	}
	var walk func(path string)
	seen := map[string]bool{}
	walk = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		m.source[path] = true
		delete(m.types, path)
		for _, up := range importers[path] {
			walk(up)
		}
	}
	for path := range saved {
		walk(path)
	}
}

// listRoot asks `go list` for the package in dir: its path, files and
// module. The types loaded for old, the package's previous listing, are
// carried over for listDeps to keep or drop.
func (l *goLoader) listRoot(ctx context.Context, dir string, names []string, src goSource, old *goMeta) (*goMeta, error) {
	cfg := &packages.Config{
		Context: ctx,
		Dir:     dir,
		Env:     l.env,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedModule | packages.NeedTypesSizes,
		Overlay: src.overlays(""),
	}
	l.count()
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s: go list found %d packages", dir, len(pkgs))
	}
	p := pkgs[0]
	m := &goMeta{dir: dir, pkgPath: p.PkgPath, name: p.Name, dirNames: names, module: p.Module, sizes: p.TypesSizes}
	if old != nil {
		m.fset, m.types, m.prevExports = old.fset, old.types, old.exports
		if m.prevExports == nil {
			m.prevExports = old.prevExports
		}
	}
	for _, e := range p.Errors {
		m.listErrs = append(m.listErrs, e.Error())
	}
	for _, f := range p.CompiledGoFiles {
		if filepath.Dir(f) == dir && strings.HasSuffix(f, ".go") {
			m.files = append(m.files, f)
		}
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		m.goVersion = "go" + p.Module.GoVersion
	}
	if m.sizes == nil {
		m.sizes = types.SizesFor("gc", "amd64")
	}
	if p.Name == "" || len(m.files) == 0 {
		if len(m.listErrs) > 0 {
			return nil, fmt.Errorf("%s", strings.Join(m.listErrs, "; "))
		}
		return nil, fmt.Errorf("%s: no Go package", dir)
	}
	l.replace(dir, m)
	return m, nil
}

// replace installs m as the package's meta; the marks that saves left on
// the meta it replaces while it was being listed carry over.
func (l *goLoader) replace(dir string, m *goMeta) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.metas[dir]; old != nil {
		m.stale = m.stale || old.stale
		for path := range old.dirty {
			if m.dirty == nil {
				m.dirty = map[string]bool{}
			}
			m.dirty[path] = true
		}
	}
	l.metas[dir] = m
}

// listDeps asks `go list` for the export data of the imports and their
// dependencies. Open buffers of other packages are overlays, so that a
// dependency edited but not saved is seen as the editor has it. Types
// already loaded are kept when their export data did not change.
func (l *goLoader) listDeps(ctx context.Context, meta *goMeta, imports []string, src goSource) (*goMeta, error) {
	m := *meta
	m.imports = imports
	m.exports = map[string]string{}
	m.depDirs = map[string]string{}
	m.deps = map[string]*depPkg{}
	m.source = nil
	m.stale, m.dirty = false, nil
	m.prevExports = nil
	var patterns []string
	for _, imp := range imports {
		if imp != "C" && imp != "unsafe" && !strings.HasPrefix(imp, ".") {
			patterns = append(patterns, imp)
		}
	}
	if len(patterns) > 0 {
		cfg := &packages.Config{
			Context: ctx,
			Dir:     meta.dir,
			Env:     l.env,
			Mode:    packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports | packages.NeedDeps | packages.NeedExportFile | packages.NeedModule,
			Overlay: src.overlays(meta.dir),
		}
		l.count()
		pkgs, err := packages.Load(cfg, patterns...)
		if err != nil {
			return nil, err
		}
		packages.Visit(pkgs, nil, func(p *packages.Package) {
			if p.ExportFile != "" {
				m.exports[p.PkgPath] = p.ExportFile
			}
			if len(p.GoFiles) == 0 {
				return
			}
			dep := &depPkg{dir: filepath.Dir(p.GoFiles[0]), files: p.GoFiles}
			m.depDirs[dep.dir] = p.PkgPath
			m.deps[p.PkgPath] = dep
			for imp := range p.Imports {
				dep.imports = append(dep.imports, imp)
			}
			slices.Sort(dep.imports)
			if p.Module != nil && p.Module.Main && len(p.Errors) == 0 && slices.Equal(p.GoFiles, p.CompiledGoFiles) {
				names, err := goFileNames(dep.dir)
				dep.dirNames, dep.fromSource = names, err == nil
				if p.Module.GoVersion != "" {
					dep.goVersion = "go" + p.Module.GoVersion
				}
			}
		})
	}
	// Keep the loaded types only if every one of them comes from the same
	// export data as before.
	prev := meta.exports
	if prev == nil {
		prev = meta.prevExports
	}
	same := meta.types != nil
	for path := range meta.types {
		if prev[path] != m.exports[path] {
			same = false
			break
		}
	}
	if !same {
		m.fset, m.types = nil, nil
	}
	l.replace(meta.dir, &m)
	return &m, nil
}

func (l *goLoader) count() {
	l.mu.Lock()
	l.lists++
	l.mu.Unlock()
}

// invalidate records that a file of the package in dir was saved: the
// packages that depend on it check it from source next time, or are
// listed again if it cannot be. It returns their directories.
func (l *goLoader) invalidate(dir string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for d, m := range l.metas {
		path := m.depDirs[dir]
		if d == dir || path == "" {
			continue
		}
		if dep := m.deps[path]; dep != nil && dep.fromSource {
			if m.dirty == nil {
				m.dirty = map[string]bool{}
			}
			m.dirty[path] = true
		} else {
			m.stale = true
		}
		out = append(out, d)
	}
	return out
}

// markStale has the package in dir listed again at its next check.
func (l *goLoader) markStale(dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.metas[dir]; m != nil {
		m.stale = true
	}
}

// invalidateAll forgets every package, after go.mod or go.work changed.
func (l *goLoader) invalidateAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.metas = map[string]*goMeta{}
}

// forget drops a package no editor shows any more.
func (l *goLoader) forget(dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.metas, dir)
}

// goFileNames lists the Go files of dir, without tests, sorted.
func goFileNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n[0] == '.' || n[0] == '_' {
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

// importsOf returns the sorted import paths of the files.
func importsOf(files []string, contents map[string][]byte) ([]string, error) {
	fset := token.NewFileSet()
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, contents[f], parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		for _, is := range af.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}
