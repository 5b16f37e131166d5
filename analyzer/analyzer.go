// Package analyzer defines an Analyzer that finds the network ports Go code
// listens on, dials and defaults to, and checks each against the port plan
// (registry.yaml).
//
// # Analyzer portlint
//
// portlint: check network ports against the port plan
//
// A number is a port only in a port context: the address of net.Listen,
// http.ListenAndServe, http.Server.Addr, net.Dial, grpc.NewClient and their
// kin; a flag, struct tag, viper default, constant, variable, field or
// parameter whose name says port or address; an address literal such as
// "127.0.0.1:28952". Constant expressions, fmt.Sprintf, net.JoinHostPort,
// strconv.Itoa and variables assigned once are resolved.
//
// Each use is attributed to a component (a //portlint:component directive,
// the registry's import-path patterns, or the main package's binary name)
// and checked: conflict, foreign-range, retired (with a fix), unregistered,
// bind, reserved. Suppress a finding with
// "//portlint:ignore check[,check] reason" on its line or the line above.
package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/registry"
)

// URL is the documentation of the checks; each check is an anchor in it.
const URL = "https://github.com/portlint/portlint#checks"

// Options configure an Analyzer.
type Options struct {
	// Registry is the plan to check against. When nil, the registry is
	// found per package: RegistryPath, else .portlint.yaml's "registry",
	// else the nearest registry.yaml above the package, else the embedded
	// default.
	Registry     *registry.Registry
	RegistryPath string
	// Enabled selects the checks; nil means the default set.
	Enabled check.Set
	// Tests includes _test.go files (skipped by default: test servers and
	// fixtures are not deployed).
	Tests bool
	// Generated includes generated files (skipped by default).
	Generated bool
	// HintInMessage writes each finding's remedy into the diagnostic's
	// message, before the check's name ("message; hint: remedy [check]"),
	// for drivers that show the message alone (golangci-lint, go vet).
	// Otherwise the message is "message [check]" and the remedies are in
	// Result.Hints.
	HintInMessage bool
	// Prefiltered says the driver passes only packages that a test at
	// least as wide as the analyzer's own fast path (TokenScan.MayHaveUses
	// with the module's port-parameter functions) kept: the analyzer does
	// not test them again. Results are the same either way; only the
	// time differs.
	Prefiltered bool
}

// Result is what the analyzer returns for a package: every port use found,
// for drivers that build an inventory or check the whole tree.
type Result struct {
	Uses []*check.Use
	// Ignored counts the findings a //portlint:ignore directive silenced.
	Ignored int
	// Hints are the remedies of the diagnostics reported (unless
	// Options.HintInMessage put them into the messages).
	Hints []Hint
}

// A Hint is the remedy of the diagnostic reported at Pos with Category
// and Message.
type Hint struct {
	Pos      token.Pos
	Category string
	Message  string
	Hint     string
}

// Analyzer checks with the registry found per package; its flags are
// -registry, -enable, -disable and -test (as the portlint command names them).
var Analyzer = newFlagged()

// New returns an Analyzer that checks against reg with the default checks.
func New(reg *registry.Registry) *analysis.Analyzer {
	return NewWithOptions(Options{Registry: reg})
}

// NewWithOptions returns an Analyzer configured by o.
func NewWithOptions(o Options) *analysis.Analyzer {
	r := &runner{opts: o}
	return &analysis.Analyzer{
		Name:       "portlint",
		Doc:        doc(),
		URL:        URL,
		Run:        r.run,
		ResultType: reflect.TypeOf((*Result)(nil)),
	}
}

// newFlagged builds the package-level Analyzer, whose options come from
// its flags (go vet -vettool and singlechecker set them).
func newFlagged() *analysis.Analyzer {
	f := &flagOpts{}
	r := &runner{flags: f}
	a := &analysis.Analyzer{
		Name:       "portlint",
		Doc:        doc(),
		URL:        URL,
		Run:        r.run,
		ResultType: reflect.TypeOf((*Result)(nil)),
	}
	a.Flags.StringVar(&f.registry, "registry", "", "registry `file` (default: .portlint.yaml's registry, the nearest registry.yaml, the embedded plan)")
	a.Flags.StringVar(&f.enable, "enable", "", "comma-separated `checks` to enable besides the defaults")
	a.Flags.StringVar(&f.disable, "disable", "", "comma-separated `checks` to disable")
	a.Flags.BoolVar(&f.tests, "test", false, "check _test.go files too")
	a.Flags.BoolVar(&f.hints, "hints", false, "write each finding's remedy into its message (\"message; hint: remedy [check]\")")
	return a
}

type flagOpts struct {
	registry, enable, disable string
	tests, hints              bool
	once                      sync.Once
	set                       check.Set
	err                       error
}

func (f *flagOpts) checks() (check.Set, error) {
	f.once.Do(func() {
		f.set = check.DefaultSet()
		en, err := check.ParseList(f.enable)
		if err != nil {
			f.err = err
			return
		}
		dis, err := check.ParseList(f.disable)
		if err != nil {
			f.err = err
			return
		}
		f.set.Apply(en, true)
		f.set.Apply(dis, false)
	})
	return f.set, f.err
}

func doc() string {
	var b strings.Builder
	b.WriteString("check network ports against the port plan\n\n")
	b.WriteString("portlint finds the ports Go code listens on, dials and defaults to and checks\n")
	b.WriteString("them against registry.yaml. Checks:\n")
	for _, c := range check.Checks {
		if c.Tree {
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %s", c.Name, c.Title)
	}
	return b.String()
}

type runner struct {
	opts  Options
	flags *flagOpts
}

func (r *runner) options() (Options, error) {
	if r.flags == nil {
		return r.opts, nil
	}
	set, err := r.flags.checks()
	if err != nil {
		return Options{}, err
	}
	return Options{RegistryPath: r.flags.registry, Enabled: set, Tests: r.flags.tests, HintInMessage: r.flags.hints}, nil
}

// registryFor finds the registry of a package directory, once per directory.
func registryFor(dir, explicit string) (*registry.Registry, error) {
	key := dir + "\x00" + explicit
	srcCache.Lock()
	src, ok := srcCache.m[key]
	if !ok {
		var cfg *config.Config
		if explicit == "" {
			if p := config.Find(dir); p != "" {
				c, err := config.Load(p)
				if err != nil {
					srcCache.Unlock()
					return nil, err
				}
				cfg = c
			}
		}
		src = config.ResolveRegistry(dir, explicit, cfg)
		if srcCache.m == nil {
			srcCache.m = map[string]config.Source{}
		}
		srcCache.m[key] = src
	}
	srcCache.Unlock()
	// one load per registry file per process: Run does no other I/O
	regCache.Lock()
	defer regCache.Unlock()
	if e, ok := regCache.m[src]; ok {
		return e.reg, e.err
	}
	reg, err := config.LoadRegistry(src)
	if regCache.m == nil {
		regCache.m = map[config.Source]regEntry{}
	}
	regCache.m[src] = regEntry{reg, err}
	return reg, err
}

type regEntry struct {
	reg *registry.Registry
	err error
}

var regCache struct {
	sync.Mutex
	m map[config.Source]regEntry
}

var srcCache struct {
	sync.Mutex
	m map[string]config.Source
}

func (r *runner) run(pass *analysis.Pass) (any, error) {
	opts, err := r.options()
	if err != nil {
		return nil, err
	}
	if !opts.Tests && testPackage(pass) {
		return &Result{}, nil // a test helper, fake or mock: its ports are fixtures
	}
	files := selectFiles(pass, opts)
	if len(files) == 0 || !opts.Prefiltered && !mayHaveUses(pass, files) {
		return &Result{}, nil // fast path: nothing here can be a port use
	}
	reg := opts.Registry
	if reg == nil {
		dir := filepath.Dir(pass.Fset.File(files[0].Pos()).Name())
		reg, err = registryFor(dir, opts.RegistryPath)
		if err != nil {
			return nil, err // drivers name the analyzer themselves
		}
	}
	col := newCollector(pass, files)
	col.run()
	col.configured(reg)
	attr := attribute(pass, files, reg)
	uses := merge(pass, col.sites, attr)
	rep := &reporter{pass: pass, reg: reg, enabled: opts.Enabled, attr: attr, hintInMessage: opts.HintInMessage}
	rep.report(uses)
	res := &Result{Ignored: rep.ignored, Hints: rep.hints}
	for _, u := range uses {
		res.Uses = append(res.Uses, &u.Use)
	}
	return res, nil
}

// testPackage reports whether the package is test code outside _test.go
// files: its import path below the module path has a directory named for
// tests (pkg/test/echo, internal/testutil, fake, mocks, e2e).
func testPackage(pass *analysis.Pass) bool {
	p := pass.Pkg.Path()
	if pass.Module != nil && pass.Module.Path != "" {
		if p == pass.Module.Path {
			return false
		}
		p = strings.TrimPrefix(p, pass.Module.Path+"/")
	}
	return check.IsTestDir(p)
}

// selectFiles drops test and generated files unless asked for.
func selectFiles(pass *analysis.Pass, o Options) []*ast.File {
	var out []*ast.File
	for _, f := range pass.Files {
		name := pass.Fset.File(f.Pos()).Name()
		if !o.Tests && strings.HasSuffix(name, "_test.go") {
			continue
		}
		if !o.Generated && ast.IsGenerated(f) && !isCgoOutput(pass.Fset, f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// A use is a check.Use with the token positions the reporter needs.
type use struct {
	check.Use
	pos, end  token.Pos
	fixStart  token.Pos // the digits to replace, when written literally
	fixEnd    token.Pos
	file      *ast.File
	component *registry.Component
}

// merge folds sites that read the same digits into one use per bind
// address, keeping the strongest context; a site that does not know its
// bind joins the strongest one on the same digits that does.
func merge(pass *analysis.Pass, sites []*site, attr *attribution) []*use {
	byPos := map[token.Pos][]*site{}
	var order []token.Pos
	for _, s := range sites {
		if _, ok := byPos[s.pos]; !ok {
			order = append(order, s.pos)
		}
		byPos[s.pos] = append(byPos[s.pos], s)
	}
	var out []*use
	for _, pos := range order {
		group := byPos[pos]
		best := map[string]*site{}
		var binds []string
		var loose *site // strongest site without a known bind
		for _, s := range group {
			if !s.bindKnown {
				if loose == nil || s.prio > loose.prio {
					loose = s
				}
				continue
			}
			b := s.bind.String()
			if prev, ok := best[b]; !ok || s.prio > prev.prio {
				if !ok {
					binds = append(binds, b)
				}
				best[b] = s
			}
		}
		var all []string
		for _, s := range group {
			all = append(all, s.names...)
		}
		if len(binds) == 0 {
			loose.names = all
			out = append(out, newUse(pass, loose, attr))
			continue
		}
		for _, b := range binds {
			s := best[b]
			merged := *s
			if loose != nil && loose.prio > s.prio {
				merged = *loose
				merged.bind, merged.bindKnown = s.bind, true
			}
			merged.names = all
			out = append(out, newUse(pass, &merged, attr))
		}
	}
	return out
}

func newUse(pass *analysis.Pass, s *site, attr *attribution) *use {
	f := fileOf(pass, s.pos)
	comp, via := attr.of(f)
	if s.comp != nil {
		comp, via = s.comp, "type" // a "types" pattern of the registry
	}
	u := &use{pos: s.pos, end: s.end, file: f, component: comp}
	if s.pv.literal() && !isCgoOutput(pass.Fset, f) {
		// a fix in cgo's rewrite would edit the build cache's copy
		u.fixStart, u.fixEnd = s.pv.digits, s.pv.end
	}
	u.Use = check.Use{
		Pos: position(pass.Fset, s.pos), End: position(pass.Fset, s.end),
		Port: s.pv.port, Proto: s.proto, Bind: s.bind, BindKnown: s.bindKnown,
		Role: s.role, Source: s.source, Names: dedupe(s.names),
		HostComputed: s.hostComputed && !s.bindKnown,
		Main:         pass.Pkg.Name() == "main",
		Ref:          s.ref,
		Const:        s.constant,
	}
	if comp != nil {
		u.Component, u.Via = comp.Name, via
	}
	return u
}

// isCgoOutput reports whether f is cmd/cgo's rewrite of a file of the
// package that imports "C" (in the build cache): the type checker sees it
// in place of the file, which it mirrors through //line directives, so its
// uses are the file's own and report at the file's positions. cgo's own
// declarations (_cgo_gotypes.go, no //line before the package clause) are
// generated.
func isCgoOutput(fset *token.FileSet, f *ast.File) bool {
	if f == nil || fset.Position(f.Package).Filename == fset.File(f.Package).Name() {
		return false
	}
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "// Code generated by cmd/cgo;") {
				return true
			}
		}
	}
	return false
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

func position(fset *token.FileSet, p token.Pos) check.Position {
	pp := fset.Position(p)
	return check.Position{File: pp.Filename, Line: pp.Line, Column: pp.Column, Offset: pp.Offset}
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// NewInfo returns a types.Info with the maps the Analyzer reads: Types
// (values of constant expressions, types of expressions), Defs and Uses
// (objects of names; typeutil.Callee reads Uses and Types too), and
// FileVersions. A driver that type-checks for it alone records only these:
// go/types fills the others (Selections, Scopes, Implicits, Instances) for
// every expression, which costs time and memory nothing reads.
func NewInfo() *types.Info {
	return &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		FileVersions: map[*ast.File]string{},
	}
}
