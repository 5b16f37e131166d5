package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/internal/safefile"
	"github.com/portlint/portlint/registry"
)

func init() {
	register(&command{name: "lint", summary: "check Go packages and manifests against the port plan (the default)", run: runLint})
}

const lintUsage = `portlint [flags] [packages and paths]

Checks the ports that Go packages and deployment manifests use against the
port plan. Arguments are Go package patterns (./...) and manifest files or
directories; the default is ./... . Run 'portlint help' for the checks,
the exit statuses and the other commands.`

// cacheOffAsked are the reasons for a run without the result cache that
// the command line or the environment asked for; any other reason is
// said on standard error.
var cacheOffAsked = map[string]bool{
	"-no-cache":                          true,
	"PORTLINT_CACHE=off":                 true,
	"-no-prefilter":                      true,
	"Go files named on the command line": true,
}

// lintFlags are the flags of a lint run (and, in part, of ports).
type lintFlags struct {
	registryFlags
	json, sarif   bool
	out           string // write the -json or -sarif output to this file; text goes to stdout
	context       int
	fix, diff     bool
	enable        stringsFlag
	disable       stringsFlag
	tests         bool
	tags          string
	unused        bool
	noPrefilter   bool
	noCache       bool
	noManifests   bool
	noGo          bool
	baseline      string // report only findings this baseline does not record
	writeBaseline string // record today's findings
	newFromRev    string // report only findings on lines changed since this revision
	progress      bool   // show progress on stderr even where it is off by default
}

// run is one lint run's state.
type run struct {
	env      *Env
	dir      string
	flags    *lintFlags
	cfg      *config.Config
	src      config.Source
	reg      *registry.Registry
	enabled  check.Set
	severity map[string]check.Severity
	// nestedModules are directories under a ./... root that hold their own
	// go.mod: like the go command, manifest discovery leaves them out.
	nestedModules []string
	// discover attributes manifest uses to the names their sources give
	// (registry init), not to the registry's components.
	discover bool
	// progress is the progress display on stderr, nil when off.
	progress *progress
}

// lintFlagSet defines the flags of a lint run.
func lintFlagSet(env *Env, f *lintFlags) *flag.FlagSet {
	fs := newFlagSet(env, "portlint", lintUsage)
	f.registryFlags.add(fs)
	fs.BoolVar(&f.json, "json", false, "print findings as JSON (one object per line)")
	fs.BoolVar(&f.sarif, "sarif", false, "print findings as SARIF 2.1.0")
	fs.StringVar(&f.out, "o", "", "write the -json or -sarif output to `file`, and the findings as text to standard output")
	fs.IntVar(&f.context, "c", -1, "print `N` lines of source context around each finding")
	fs.BoolVar(&f.fix, "fix", false, "apply suggested fixes")
	fs.BoolVar(&f.diff, "diff", false, "print suggested fixes as a unified diff instead of applying them")
	fs.Var(&f.enable, "enable", "comma-separated `checks` to enable besides the defaults")
	fs.Var(&f.disable, "disable", "comma-separated `checks` to disable")
	fs.BoolVar(&f.tests, "test", false, "check _test.go files too")
	fs.StringVar(&f.tags, "tags", "", "comma-separated build `tags`")
	fs.BoolVar(&f.unused, "unused", false, "report registered ports that nothing in the tree uses (enables check unused)")
	fs.BoolVar(&f.noPrefilter, "no-prefilter", false, "load every package with types, not only those that can hold a port use")
	fs.BoolVar(&f.noCache, "no-cache", false, "analyze every package again, neither replaying nor storing cached results")
	fs.BoolVar(&f.noManifests, "no-manifests", false, "check Go packages only")
	fs.BoolVar(&f.noGo, "no-go", false, "check manifests only")
	fs.StringVar(&f.baseline, "baseline", "", "report only findings the baseline `file` does not record (default: baseline in .portlint.yaml)")
	fs.StringVar(&f.writeBaseline, "write-baseline", "", "record today's findings in `file` and exit 0")
	fs.StringVar(&f.newFromRev, "new-from-rev", "", "report only findings on lines changed since the git `revision`")
	fs.BoolVar(&f.progress, "progress", false, "show progress on stderr even when it is not a terminal or CI is set (a terminal shows it by default for runs over a second)")
	fs.String("C", "", "run as if started in `dir` (the first argument, as for the go command)")
	return fs
}

func runLint(ctx context.Context, env *Env, args []string) error {
	f := &lintFlags{}
	fs := lintFlagSet(env, f)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if c := fs.Lookup("C"); c.Value.String() != "" {
		return usageError("portlint: -C must be the first argument")
	}
	if f.json && f.sarif {
		return usageError("portlint: -json and -sarif cannot be combined")
	}
	if f.fix && f.diff {
		return usageError("portlint: -fix and -diff cannot be combined")
	}
	if f.out != "" && !f.json && !f.sarif {
		return usageError("portlint: -o writes the -json or -sarif output to a file; name one of them")
	}
	if f.out != "" && (f.diff || f.writeBaseline != "") {
		return usageError("portlint: -o cannot be combined with -diff or -write-baseline")
	}
	if f.writeBaseline != "" && (f.baseline != "" || f.newFromRev != "" || f.fix || f.diff) {
		return usageError("portlint: -write-baseline records every finding; it cannot be combined with -baseline, -new-from-rev, -fix or -diff")
	}
	r, err := newRun(env, f)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		pos = []string{"./..."}
	}
	if wantProgress(f.progress, env.Stderr, os.Getenv) {
		r.startProgress()
	}
	res, err := r.scan(ctx, pos)
	r.progress.finish()
	if err != nil {
		return err
	}
	if f.writeBaseline != "" {
		for _, e := range res.errors {
			fmt.Fprintln(env.Stderr, printable(r.relErr(e)))
		}
		if len(res.errors) > 0 {
			return usageError("portlint: -write-baseline: not written: packages or manifests could not be read")
		}
		return r.writeBaseline(f.writeBaseline, res.findings)
	}
	if p := r.baselinePath(); p != "" {
		if err := r.applyBaseline(p, res); err != nil {
			return err
		}
	}
	if f.newFromRev != "" {
		if err := r.newFromRev(ctx, f.newFromRev, res); err != nil {
			return err
		}
	}
	return r.output(res)
}

// newRun resolves the configuration, the registry and the enabled checks.
func newRun(env *Env, f *lintFlags) (*run, error) {
	dir, err := env.dir()
	if err != nil {
		return nil, err
	}
	r := &run{env: env, dir: dir, flags: f, severity: map[string]check.Severity{}}
	if r.cfg, err = projectConfig(dir, &f.registryFlags); err != nil {
		return nil, inputError(errors.New(relLines(env, err.Error())))
	}
	r.src = config.ResolveRegistry(dir, f.path, r.cfg)
	noticeEmbedded(env, r.src)
	if f.v && r.src.How != config.FromEmbedded {
		fmt.Fprintf(env.Stderr, "portlint: using %s\n", r.src)
	}
	if r.reg, err = config.LoadRegistry(r.src); err != nil {
		return nil, inputError(errors.New(relLines(env, err.Error())))
	}
	if n := countErrors(r.reg); n > 0 {
		fmt.Fprintf(env.Stderr, "portlint: warning: the registry has %d errors; run 'portlint registry check'\n", n)
	}
	r.enabled = check.DefaultSet()
	if r.cfg != nil {
		r.enabled.Select(r.cfg.Enable, r.cfg.Disable)
		for k, v := range r.cfg.Severity {
			r.severity[k] = check.Severity(v)
		}
	}
	for _, n := range append(append([]string(nil), f.enable...), f.disable...) {
		if n != "all" && check.Lookup(n) == nil {
			return nil, usageError("portlint: %v", &check.UnknownCheckError{Name: n})
		}
	}
	r.enabled.Select(f.enable, f.disable)
	if f.unused {
		r.enabled[check.Unused] = true
	}
	return r, nil
}

func countErrors(reg *registry.Registry) int {
	n := 0
	for _, d := range reg.Problems {
		if d.Severity == registry.SevError {
			n++
		}
	}
	return n
}

// scanResult is everything a run found.
type scanResult struct {
	findings []finding.Finding
	uses     []*check.Use
	errors   []string
	goPkgs   int
	// goMatched counts the packages the patterns named, broken or not
	goMatched int
	files     int      // manifests scanned
	read      int      // YAML and JSON files read, manifests or not
	notes     []string // what manifest scanning skipped
	loud      []string // notes the text output prints without -v: Go files left unchecked
	verbose   []string // how the run went, for -v in text: packages the typed load sent to go/packages
	ignored   int      // Go findings the analyzer silenced (manifest ones are kept, marked)
}

// splitArgs separates Go package patterns from manifest files and
// directories to search for manifests. An argument that names a path (as
// the go command reads it: absolute, or starting with . or ..) must exist.
func (r *run) splitArgs(args []string) (patterns, manifestRoots, manifestFiles []string, err error) {
	for _, a := range args {
		if isPathArg(a) {
			root := strings.TrimSuffix(strings.TrimSuffix(a, "/..."), "...")
			if root == "" {
				root = "/"
			}
			if !filepath.IsAbs(root) {
				root = filepath.Join(r.dir, root)
			}
			if _, err := os.Stat(root); err != nil {
				return nil, nil, nil, usageError("portlint: %s: %v", a, pathErrReason(err))
			}
		}
		p := a
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.dir, p)
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			if isManifestName(p) {
				manifestFiles = append(manifestFiles, p)
				continue
			}
			patterns = append(patterns, a)
			continue
		}
		root := strings.TrimSuffix(strings.TrimSuffix(p, "/..."), "...")
		if st, err := os.Stat(root); err == nil && st.IsDir() {
			manifestRoots = append(manifestRoots, root)
			if !strings.HasSuffix(a, "...") && !hasGoFiles(root) {
				// a directory of manifests (./deploy, deploy): the go
				// command would say "no Go files" or look in std
				continue
			}
		}
		patterns = append(patterns, a)
		if strings.HasSuffix(a, "...") {
			r.nestedModules = append(r.nestedModules, nestedModules(root)...)
		}
	}
	return
}

// hasGoFiles reports whether dir holds a .go file of its own (not in a
// subdirectory): whether the go command can read it as a package.
func hasGoFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true // let the go command say what is wrong
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			return true
		}
	}
	return false
}

// isPathArg reports whether the go command reads a pattern as a file
// system path rather than an import path.
func isPathArg(a string) bool {
	return filepath.IsAbs(a) || a == "." || a == ".." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../") ||
		strings.HasPrefix(a, "."+string(filepath.Separator)) || strings.HasPrefix(a, ".."+string(filepath.Separator))
}

// pathErrReason returns the reason of a *fs.PathError, without its path.
func pathErrReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isManifestName(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// scan runs the Go analysis and the manifest scan, then the whole-tree
// checks.
func (r *run) scan(ctx context.Context, args []string) (*scanResult, error) {
	patterns, roots, files, err := r.splitArgs(args)
	if err != nil {
		return nil, err
	}
	res := &scanResult{}
	// The manifests are read while go list and the type checker work.
	type manifestScan struct {
		ms  *manifestSet
		err error
	}
	manifests := make(chan manifestScan, 1)
	if !r.flags.noManifests {
		go func() {
			ms, err := r.scanManifestFiles(ctx, roots, files)
			manifests <- manifestScan{ms, err}
		}()
	} else {
		manifests <- manifestScan{}
	}
	if !r.flags.noGo && len(patterns) > 0 && !namesFiles(patterns) && !inGoModule(r.dir) {
		fmt.Fprintf(r.env.Stderr, "portlint: Go packages skipped: no go.mod (or go.work) in %s or above; manifests checked\n", r.dir)
		patterns = nil
	}
	if !r.flags.noGo && len(patterns) > 0 {
		a := analyzer.NewWithOptions(analyzer.Options{Registry: r.reg, Enabled: r.enabled, Tests: r.flags.tests, Prefiltered: !r.flags.noPrefilter})
		cache, cacheOff := r.cacheFor()
		gr, err := runGo(ctx, goOptions{dir: r.dir, patterns: patterns, tests: r.flags.tests, tags: r.flags.tags, prefilter: !r.flags.noPrefilter, analyzer: a, cache: cache, progress: r.progress})
		if err != nil {
			<-manifests
			return nil, &ExitError{Code: ExitUsage, Msg: "portlint: " + err.Error()}
		}
		if cacheOff == "" {
			cacheOff = gr.cacheOff
		}
		// a cache that cannot be written slows the next run; it is not
		// an error of this one
		if strings.HasPrefix(cacheOff, "cannot create the cache directory") {
			res.notes = append(res.notes, "result cache off: "+cacheOff)
		}
		if gr.cacheErr != nil {
			res.notes = append(res.notes, "result cache: results not stored: "+gr.cacheErr.Error())
		}
		switch {
		case r.flags.v && cacheOff != "":
			fmt.Fprintf(r.env.Stderr, "portlint: result cache off: %s\n", cacheOff)
		case r.flags.v:
			fmt.Fprintf(r.env.Stderr, "portlint: %d of %d packages from the cache\n", gr.cached, gr.units)
		case cacheOff != "" && !cacheOffAsked[cacheOff]:
			// the next run will take as long as this one: say why, once
			fmt.Fprintf(r.env.Stderr, "portlint: result cache off: %s\n", cacheOff)
		}
		for _, f := range gr.findings {
			if !r.skipped(f.Pos.File) {
				res.findings = append(res.findings, f)
			}
		}
		for _, u := range gr.uses {
			if !r.skipped(u.Pos.File) {
				res.uses = append(res.uses, u)
			}
		}
		res.errors = append(res.errors, gr.errors...)
		res.notes = append(res.notes, gr.notes...)
		res.loud = append(res.loud, gr.notes...)
		res.verbose = append(res.verbose, gr.verbose...)
		res.goPkgs = gr.loaded
		res.goMatched = gr.matched + len(gr.errors)
		res.ignored = gr.ignored
	}
	scanned := <-manifests
	ms := scanned.ms
	if scanned.err != nil {
		return nil, scanned.err
	}
	if ms != nil {
		res.uses = append(res.uses, ms.uses()...)
		res.errors = append(res.errors, ms.errors...)
		res.notes = append(res.notes, ms.notes...)
		res.files = len(ms.files)
		res.read = ms.read
	}
	goAsked := len(patterns) > 0 && !r.flags.noGo
	manifestsAsked := len(roots)+len(files) > 0 && !r.flags.noManifests
	if (goAsked || manifestsAsked) && res.goMatched == 0 && res.read == 0 && res.files == 0 && len(res.errors) == 0 {
		// like go vet: nothing to check is not a clean result
		return nil, usageError("portlint: %s matched no packages or manifests", strings.Join(args, " "))
	}
	// The whole-tree checks see every use; a YAML directive that silences
	// one is marked used before the per-file checks judge directives.
	tree, used := r.treeFindings(res.uses, ms)
	res.findings = append(dropUsedDirectives(res.findings, used), tree...)
	wired, wiredNotes := r.wiringFindings(ms, res.uses)
	res.findings = append(res.findings, wired...)
	res.notes = append(res.notes, wiredNotes...)
	if ms != nil {
		res.findings = append(res.findings, ms.check(&check.Checker{Reg: r.reg, Enabled: r.enabled})...)
	}
	res.errors = tidyErrors(r.dir, res.errors)
	var offs offsets
	for i := range res.findings {
		if s, ok := r.severity[res.findings[i].Check]; ok {
			res.findings[i].Severity = s
		}
		offs.complete(&res.findings[i])
	}
	withholdOccupied(res.findings, res.uses)
	relateConstUses(res.findings, res.uses)
	sortFindings(res.findings)
	res.findings = dedupeFindings(res.findings)
	return res, nil
}

// withholdOccupied drops the fix of a retired port whose replacement the
// component already serves somewhere in the tree, and says why in the
// finding: applied, it would make the component listen twice on one port
// (the agent's legacy endpoint moved onto the port its API listens on
// builds and lints clean, and fails at start). The analyzer checks this
// within a package; only the whole tree sees a listener in another one.
func withholdOccupied(fs []finding.Finding, uses []*check.Use) {
	type at struct {
		file      string
		line, col int
	}
	var byPos map[at][]*check.Use
	for i := range fs {
		f := &fs[i]
		if f.Check != check.Retired || len(f.Fixes) == 0 || len(f.Fixes[0].Edits) == 0 {
			continue
		}
		port, err := strconv.Atoi(f.Fixes[0].Edits[0].New)
		if err != nil {
			continue
		}
		if byPos == nil {
			byPos = map[at][]*check.Use{}
			for _, u := range uses {
				k := at{u.Pos.File, u.Pos.Line, u.Pos.Column}
				byPos[k] = append(byPos[k], u)
			}
		}
		for _, u := range byPos[at{f.Pos.File, f.Pos.Line, f.Pos.Column}] {
			if u.Component != f.Component {
				continue
			}
			if occ := check.Occupant(u, port, uses); occ != nil {
				f.Message += check.OccupiedNote(u.Component, port)
				f.Hint = check.OccupiedHint(u.Component, port)
				f.Related = append(f.Related, finding.Related{Pos: occ.Pos, Message: fmt.Sprintf("%s listens on %d here", u.Component, port)})
				f.Fixes = nil
				break
			}
		}
	}
}

// relateConstUses lists, with a finding at a port constant's declaration,
// every use of the constant in other packages of the tree: the constant's
// violation is reported once, where it is declared, and its uses, which
// change with it, are its related positions. The analyzer sees one package
// at a time; only the whole tree sees the uses.
func relateConstUses(fs []finding.Finding, uses []*check.Use) {
	type at struct {
		file      string
		line, col int
	}
	decl := map[at]string{}           // a constant's declaration -> the constant
	refs := map[string][]*check.Use{} // a constant -> its uses elsewhere
	for _, u := range uses {
		switch {
		case u.Const == "":
		case u.Ref:
			refs[u.Const] = append(refs[u.Const], u)
		default:
			decl[at{u.Pos.File, u.Pos.Line, u.Pos.Column}] = u.Const
		}
	}
	if len(refs) == 0 {
		return
	}
	for _, rs := range refs {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Pos.Before(rs[j].Pos) })
	}
	for i := range fs {
		f := &fs[i]
		c, ok := decl[at{f.Pos.File, f.Pos.Line, f.Pos.Column}]
		if !ok {
			continue
		}
		name := c[strings.LastIndexByte(c, '.')+1:]
		var last check.Position
		for _, u := range refs[c] {
			if u.Pos == last {
				continue // one use on two addresses
			}
			last = u.Pos
			f.Related = append(f.Related, finding.Related{Pos: u.Pos, Message: name + " used here", Kind: finding.RelatedUse})
		}
	}
}

// tidyErrors splits load errors into lines and drops what repeats: go
// list's "# package" headers and "-: " prefixes, and a second error at a
// position already reported (the compiler and the type checker both
// report a type error; a syntax error cascades). Relative paths, as go
// list prints the compiler's, are made absolute from dir, like the rest.
func tidyErrors(dir string, errs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range errs {
		for _, l := range strings.Split(e, "\n") {
			l = strings.TrimSpace(strings.TrimPrefix(l, "-: "))
			if l == "" || strings.HasPrefix(l, "# ") {
				continue
			}
			key := l
			if parts := strings.SplitN(l, ":", 4); len(parts) == 4 {
				if !filepath.IsAbs(parts[0]) && strings.HasSuffix(parts[0], ".go") {
					parts[0] = filepath.Join(dir, parts[0])
					l = strings.Join(parts, ":")
				}
				key = parts[0] + ":" + parts[1] + ":" + parts[2]
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, l)
		}
	}
	return out
}

// dedupeFindings drops a finding that repeats the one before it: the same
// check and message at the same place, as when two uses share a constant
// (a listener on two addresses reads one retired port). Its fixes, the
// same edits, are kept once.
func dedupeFindings(fs []finding.Finding) []finding.Finding {
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := out[len(out)-1]
			if p.Pos == f.Pos && p.End == f.End && p.Check == f.Check && p.Message == f.Message && p.Ignored == f.Ignored {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// A directiveLine is where a Go portlint:ignore directive sits.
type directiveLine struct {
	file string
	line int
}

// dropUsedDirectives drops the analyzer's "suppresses nothing" findings
// for Go directives that silenced a whole-tree finding, which no single
// package can see.
func dropUsedDirectives(fs []finding.Finding, used map[directiveLine]bool) []finding.Finding {
	if len(used) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Check == check.Directive && strings.Contains(f.Message, "suppresses nothing") && used[directiveLine{f.Pos.File, f.Pos.Line}] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// treeFindings runs the checks that need every use of the tree. It also
// returns the Go directives that silenced one of them.
func (r *run) treeFindings(uses []*check.Use, ms *manifestSet) ([]finding.Finding, map[directiveLine]bool) {
	var trs []check.TreeResult
	if r.enabled[check.Duplicate] {
		trs = append(trs, check.Duplicates(r.reg, uses, func(p string) string { return displayPath(r.env, p) })...)
	}
	if r.enabled[check.Unused] {
		trs = append(trs, check.UnusedPorts(r.reg, uses)...)
	}
	var out []finding.Finding
	used := map[directiveLine]bool{}
	for _, tr := range trs {
		f := finding.Finding{Check: tr.Check, Message: tr.Message, Hint: tr.Hint, Pos: tr.At, End: tr.At, Severity: check.Lookup(tr.Check).Severity}
		if tr.Use != nil {
			f.End, f.Component = tr.Use.End, tr.Use.Component
		}
		for _, rel := range tr.Related {
			f.Related = append(f.Related, finding.Related{Pos: rel.Pos, Message: rel.Message})
		}
		if mf := ms.file(f.Pos.File); mf != nil {
			mf.Suppress(&f)
		} else if at := lineIgnores(f.Pos.File, f.Pos.Line, f.Check); at > 0 {
			f.Ignored = true
			used[directiveLine{f.Pos.File, at}] = true
		}
		out = append(out, f)
	}
	return out, used
}

// lineIgnores returns the line of a portlint:ignore comment on the line,
// or on the line above, that names the check, or 0. Tree checks are
// suppressed this way in Go files.
func lineIgnores(file string, line int, name string) int {
	data, err := safefile.Read(file, safefile.MaxSource)
	if err != nil || line < 1 {
		return 0
	}
	lines := strings.Split(string(data), "\n")
	for _, l := range []int{line - 1, line - 2} {
		if l < 0 || l >= len(lines) {
			continue
		}
		text := lines[l]
		i := strings.Index(text, check.IgnorePrefix)
		if i < 0 {
			continue
		}
		if ig, ok, err := check.ParseIgnore(text[i:]); ok && err == nil && ig.Matches(name) {
			return l + 1
		}
	}
	return 0
}

func sortFindings(fs []finding.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Message < b.Message
	})
}

// inGoModule reports whether dir lies in a Go module or workspace: a
// go.mod or go.work in it or above.
func inGoModule(dir string) bool {
	if os.Getenv("GO111MODULE") == "off" {
		return true // GOPATH mode: packages need no go.mod
	}
	for d := dir; ; d = filepath.Dir(d) {
		for _, n := range []string{"go.mod", "go.work"} {
			if _, err := os.Stat(filepath.Join(d, n)); err == nil {
				return true
			}
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// nestedModules returns the directories below root (not root itself) that
// hold a go.mod, relative to root and slash-separated.
func nestedModules(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "node_modules" || name == "testdata") {
			return filepath.SkipDir
		}
		if p != root {
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				rel, _ := filepath.Rel(root, p)
				out = append(out, filepath.ToSlash(rel))
				return filepath.SkipDir
			}
		}
		return nil
	})
	return out
}
