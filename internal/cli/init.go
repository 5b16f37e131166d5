package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/registry"
)

func init() {
	registrySubcommands["init"] = &command{name: "init", summary: "draft a registry from the ports the tree uses", run: runRegistryInit}
}

const initUsage = `portlint registry init [-o FILE] [-update FILE] [-group NAME] [flags] [packages and paths]

Drafts a registry from the ports the tree uses, as 'portlint ports' lists
them: one component per main package, compose service, Kubernetes workload
and Helm chart, with the ports each serves (proto and bind), the packages:
and manifests: patterns that attribute them, one group whose pool covers
them, and a comment on each port saying where it was seen. Dialed
dependencies are listed in comments. What the draft cannot decide (two
components on one port, ports outside any sensible pool) is written as a
TODO comment. The draft is checked before it is written: it must validate,
and what portlint still reports against it is listed as TODOs.

-update FILE merges into an existing registry instead: it adds components
and ports that are new, never removes or renumbers, and keeps comments.`

// initPool is where a drafted pool may lie: the registered ports, above
// the system ports and below the dynamic (ephemeral) ones.
var initPool = registry.Interval{Lo: 1024, Hi: 49151}

func runRegistryInit(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "registry init", initUsage)
	f := &lintFlags{}
	out := fs.String("o", "", "write the draft to `file` instead of standard output")
	update := fs.String("update", "", "merge into this registry `file` (written back unless -o names another)")
	group := fs.String("group", "", "the group `name` (default: the module's or directory's name)")
	fs.BoolVar(&f.tests, "test", false, "include _test.go files")
	fs.StringVar(&f.tags, "tags", "", "comma-separated build `tags`")
	fs.BoolVar(&f.noManifests, "no-manifests", false, "Go packages only")
	fs.BoolVar(&f.noGo, "no-go", false, "manifests only")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *group != "" && !validRegistryName(*group) {
		return usageError("portlint registry init: -group %q is not a name: use letters, digits, _ - .", *group)
	}
	dir, err := env.dir()
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		pos = []string{"./..."}
	}
	var base *registry.Registry
	var baseData []byte
	if *update != "" {
		p := *update
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if baseData, err = os.ReadFile(p); err != nil {
			return usageError("portlint registry init: %v", err)
		}
		if base, err = registry.Parse(p, baseData); err != nil {
			return inputError(errors.New(relLines(env, err.Error())))
		}
		if *out == "" {
			*out = *update
		}
	}
	// Pass 1: the inventory, each use attributed to the name its source
	// gives its owner.
	r, err := initRun(env, dir, f, nil, "")
	if err != nil {
		return err
	}
	r.discover = true
	res, err := r.scan(ctx, pos)
	if err != nil {
		return err
	}
	for _, e := range res.errors {
		fmt.Fprintln(env.Stderr, printable(r.relErr(e)))
	}
	patterns, _, _, err := r.splitArgs(pos)
	if err != nil {
		return err
	}
	var pkgs *goPackages
	if !f.noGo && len(patterns) > 0 {
		if pkgs, err = listGoPackages(ctx, dir, patterns, f.tags); err != nil {
			return &ExitError{Code: ExitUsage, Msg: "portlint registry init: " + err.Error()}
		}
	}
	d := newDraft(env, r, base, pkgs, *group)
	d.add(res.uses)
	d.settle()

	outPath := ""
	if *out != "" {
		outPath = *out
		if !filepath.IsAbs(outPath) {
			outPath = filepath.Join(dir, outPath)
		}
	}
	render := func() ([]byte, error) {
		if base != nil {
			return d.merge(baseData)
		}
		return d.render(), nil
	}
	data, err := render()
	if err != nil {
		return &ExitError{Code: ExitInternal, Msg: "portlint registry init: " + err.Error()}
	}
	// Pass 2: the draft must load and validate, and the tree is checked
	// against it; what remains becomes TODOs.
	name := outPath
	if name == "" {
		name = "registry.yaml (draft)"
	}
	reg, err := registry.Parse(name, data)
	if err != nil {
		return &ExitError{Code: ExitInternal, Msg: fmt.Sprintf("portlint registry init: the draft does not load: %v\n%s", err, data)}
	}
	for _, p := range reg.Problems {
		if p.Severity == registry.SevError {
			d.todos = append(d.todos, fmt.Sprintf("the plan: %s [%s]", p.Message, p.Rule))
		}
	}
	r2, err := initRun(env, dir, f, reg, outPath)
	if err != nil {
		return err
	}
	res2, err := r2.scan(ctx, pos)
	if err != nil {
		return err
	}
	remaining := 0
	for _, fd := range res2.findings {
		if fd.Ignored {
			continue
		}
		remaining++
		d.todos = append(d.todos, fmt.Sprintf("%s:%d: %s [%s]", displayPath(env, fd.Pos.File), fd.Pos.Line, fd.Message, fd.Check))
	}
	if len(d.todos) > 0 {
		if data, err = render(); err != nil {
			return &ExitError{Code: ExitInternal, Msg: "portlint registry init: " + err.Error()}
		}
	}
	if outPath == "" {
		_, err = env.Stdout.Write(data)
	} else {
		err = os.WriteFile(outPath, data, 0o644)
	}
	if err != nil {
		return &ExitError{Code: ExitInternal, Msg: "portlint registry init: " + err.Error()}
	}
	verdict := "the tree lints clean against it"
	if remaining > 0 {
		verdict = fmt.Sprintf("%d findings remain against it, listed as TODOs", remaining)
	}
	where := "drafted"
	if outPath != "" {
		where = "wrote " + displayPath(env, outPath) + ":"
	}
	fmt.Fprintf(env.Stderr, "portlint registry init: %s %d components, %d ports, %d TODOs; %s\n", where, d.components(), d.portCount(), d.todoCount(), verdict)
	return nil
}

// initRun is a lint run over the tree with the given registry (nil: an
// empty plan, for the inventory), without the notice about the embedded
// plan: init is how a project gets a plan of its own.
func initRun(env *Env, dir string, f *lintFlags, reg *registry.Registry, regPath string) (*run, error) {
	r := &run{env: env, dir: dir, flags: f, severity: map[string]check.Severity{}, enabled: check.DefaultSet()}
	if p := config.Find(dir); p != "" {
		var err error
		if r.cfg, err = config.Load(p); err != nil {
			return nil, inputError(errors.New(relLines(env, err.Error())))
		}
	}
	if reg == nil {
		var err error
		if reg, err = registry.Parse("(inventory)", []byte("version: 1\ngroups: {all: {pool: \"[1, 65536)\"}}\n")); err != nil {
			return nil, err
		}
	}
	r.reg = reg
	r.src = config.Source{Path: regPath, How: config.FromFlag}
	return r, nil
}

// goPackages is what go list says about the tree's packages.
type goPackages struct {
	module string                // the main module's path
	byFile map[string]*goPackage // absolute file path -> package
	mains  []*goPackage
}

type goPackage struct {
	ImportPath                string
	Name                      string
	Dir                       string
	GoFiles                   []string
	CgoFiles                  []string
	TestGoFiles, XTestGoFiles []string
	Deps                      []string
	Module                    *struct{ Path string }
}

func listGoPackages(ctx context.Context, dir string, patterns []string, tags string) (*goPackages, error) {
	args := []string{"list", "-e", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Deps,Module"}
	if tags != "" {
		args = append(args, "-tags="+tags)
	}
	args = append(args, "--")
	args = append(args, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	gp := &goPackages{byFile: map[string]*goPackage{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		p := &goPackage{}
		if err := dec.Decode(p); err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		if gp.module == "" && p.Module != nil {
			gp.module = p.Module.Path
		}
		for _, fs := range [][]string{p.GoFiles, p.CgoFiles, p.TestGoFiles, p.XTestGoFiles} {
			for _, f := range fs {
				gp.byFile[filepath.Join(p.Dir, f)] = p
			}
		}
		if p.Name == "main" {
			gp.mains = append(gp.mains, p)
		}
	}
	return gp, nil
}

// binaryName is the name go build gives a main package's binary.
func binaryName(importPath string) string {
	b := path.Base(importPath)
	if len(b) > 1 && b[0] == 'v' && strings.Trim(b[1:], "0123456789") == "" && path.Dir(importPath) != "." {
		b = path.Base(path.Dir(importPath))
	}
	return b
}

// A draft is the registry init builds.
type draft struct {
	env   *Env
	run   *run
	base  *registry.Registry // -update: the registry merged into
	pkgs  *goPackages
	group string

	comps    map[string]*draftComp // by folded name
	external map[string]*draftExternal
	unowned  []*check.Use
	todos    []string // what the draft could not decide, for the header
	allow    []int    // ports outside the pool, allowed as extras
	pool     registry.Interval
	poolNote string
}

type draftComp struct {
	name      string
	from      map[string]bool // what it was drafted from
	packages  map[string]bool // import paths
	manifests map[string]bool // file globs
	ports     map[portKey]*draftPort
	existing  *registry.Component
	group     string // a group of its own, when it shares a port with another; "" for the draft's
	groupNote string // why
}

// groupFor names the group of its own of a component: its name, unless
// that is taken.
func (d *draft) groupFor(c *draftComp) string {
	g := c.name
	for i := 2; foldName(g) == foldName(d.group) || d.groupTaken(g, c); i++ {
		g = fmt.Sprintf("%s-%d", c.name, i)
	}
	return g
}

func (d *draft) groupTaken(g string, self *draftComp) bool {
	for _, c := range d.comps {
		if c != self && c.group != "" && foldName(c.group) == foldName(g) {
			return true
		}
	}
	return false
}

func (c *draftComp) groupName(d *draft) string {
	if c.group != "" {
		return c.group
	}
	return d.group
}

type portKey struct {
	lo, hi int
	proto  registry.Proto
}

type draftPort struct {
	key     portKey
	binds   map[string]registry.Bind // the known binds, by String
	anyBind bool                     // a use that binds all addresses
	seen    []check.Position
	sources []string
	todo    string // set when the port is not registered: why
}

type draftExternal struct {
	name  string
	key   portKey
	seen  []check.Position
	count int
}

func newDraft(env *Env, r *run, base *registry.Registry, pkgs *goPackages, group string) *draft {
	d := &draft{env: env, run: r, base: base, pkgs: pkgs, group: group,
		comps: map[string]*draftComp{}, external: map[string]*draftExternal{}}
	if d.group == "" && base != nil && len(base.Groups) > 0 {
		d.group = base.Groups[0].Name
	}
	if d.group == "" {
		name := filepath.Base(r.projectRoot())
		if pkgs != nil && pkgs.module != "" {
			name = binaryName(pkgs.module)
		}
		d.group = sanitizeName(name)
	}
	return d
}

// foldName folds case and the separators _ - . as the registry compares
// component names.
func foldName(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(s))
}

func validRegistryName(s string) bool {
	return s != "" && sanitizeName(s) == s
}

// sanitizeName makes a registry name of s: letters, digits, _ - ., starting
// with a letter or digit, at most 64 bytes.
func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'), r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.TrimLeft(b.String(), "_-.")
	if len(out) > 64 {
		out = out[:64]
	}
	if out == "" {
		return "component"
	}
	return out
}

func (d *draft) comp(name, from string) *draftComp {
	name = sanitizeName(name)
	k := foldName(name)
	c := d.comps[k]
	if c == nil {
		c = &draftComp{name: name, from: map[string]bool{}, packages: map[string]bool{}, manifests: map[string]bool{}, ports: map[portKey]*draftPort{}}
		if d.base != nil {
			if ec := d.base.Component(name); ec != nil {
				c.existing, c.name = ec, ec.Name
			}
		}
		d.comps[k] = c
	}
	if from != "" {
		c.from[from] = true
	}
	return c
}

// rel is a file path relative to the project root, slash-separated.
func (d *draft) rel(p string) string {
	if r, err := filepath.Rel(d.run.projectRoot(), p); err == nil && !startsWithDotDot(r) {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

// goOwner is the component of a Go package: a main package's binary; a
// package that exactly one main package of the tree imports, that main's;
// any other, the module's.
func (d *draft) goOwner(p *goPackage) (name, from string) {
	if d.base != nil {
		if c := d.base.MatchPackage(p.ImportPath); c != nil {
			return c.Name, ""
		}
	}
	if p.Name == "main" {
		return binaryName(p.ImportPath), "the main package " + p.ImportPath
	}
	var users []*goPackage
	for _, m := range d.pkgs.mains {
		for _, dep := range m.Deps {
			if dep == p.ImportPath {
				users = append(users, m)
				break
			}
		}
	}
	if len(users) == 1 {
		return binaryName(users[0].ImportPath), "packages only " + users[0].ImportPath + " imports"
	}
	mod := d.pkgs.module
	if mod == "" {
		mod = p.ImportPath
	}
	why := "library packages no main package of the tree imports"
	if len(users) > 1 {
		why = "library packages several main packages import"
	}
	return binaryName(mod), why
}

// manifestFrom says what kind of owner a manifest use's source names.
// The text is "KIND\x00FILE": fromText joins the files of one kind.
func manifestFrom(u *check.Use, rel string) string {
	switch {
	case strings.HasPrefix(u.Source, "compose"):
		return "the compose service " + u.Component + "\x00" + rel
	case strings.HasPrefix(u.Source, "k8s"), strings.HasPrefix(u.Source, "gateway-api"):
		return "the Kubernetes workload " + u.Component + "\x00" + rel
	case strings.HasPrefix(u.Source, "helm"):
		return "the Helm chart " + u.Component + "\x00" + rel
	}
	return "the manifest " + rel
}

// fromText says what a component was drafted from, the files of each
// kind of owner together.
func fromText(from map[string]bool) string {
	files := map[string][]string{}
	var kinds []string
	for _, k := range sortedKeys(from) {
		kind, file, _ := strings.Cut(k, "\x00")
		if _, ok := files[kind]; !ok {
			kinds = append(kinds, kind)
			files[kind] = nil
		}
		if file != "" {
			files[kind] = append(files[kind], file)
		}
	}
	var parts []string
	for _, k := range kinds {
		fs := files[k]
		switch {
		case len(fs) == 0:
			parts = append(parts, k)
		case len(fs) > 3:
			parts = append(parts, fmt.Sprintf("%s (%s and %d more)", k, strings.Join(fs[:3], ", "), len(fs)-3))
		default:
			parts = append(parts, k+" ("+strings.Join(fs, ", ")+")")
		}
	}
	return strings.Join(parts, "; ")
}

// add attributes the uses to components.
func (d *draft) add(uses []*check.Use) {
	type fileOwners struct {
		owners map[string]bool
		uses   []*check.Use
	}
	files := map[string]*fileOwners{}
	var dials []*check.Use
	for _, u := range uses {
		if u.Port <= 0 || u.Port > registry.MaxPort || u.Ref {
			continue // a constant's use repeats its declaration
		}
		if !u.Role.Serves() {
			dials = append(dials, u)
			continue
		}
		if strings.HasSuffix(u.Pos.File, ".go") && d.pkgs != nil {
			p := d.pkgs.byFile[u.Pos.File]
			if p == nil {
				d.unowned = append(d.unowned, u)
				continue
			}
			name, from := d.goOwner(p)
			c := d.comp(name, from)
			if c.existing == nil || d.base.MatchPackage(p.ImportPath) == nil {
				c.packages[p.ImportPath] = true
			}
			d.port(c, u)
			continue
		}
		fo := files[u.Pos.File]
		if fo == nil {
			fo = &fileOwners{owners: map[string]bool{}}
			files[u.Pos.File] = fo
		}
		fo.uses = append(fo.uses, u)
		if u.Component != "" {
			fo.owners[foldName(sanitizeName(u.Component))] = true
		}
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		fo := files[f]
		rel := d.rel(f)
		var existing *registry.Component
		if d.base != nil {
			existing = d.base.MatchFile(rel)
		}
		for _, u := range fo.uses {
			name := u.Component
			switch {
			case existing != nil:
				name = existing.Name
			case name == "" && len(fo.owners) == 0:
				// a file that names no owner: its own component
				stem := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
				name = stem
			case name == "":
				d.unowned = append(d.unowned, u)
				continue
			}
			c := d.comp(name, manifestFrom(&check.Use{Source: u.Source, Component: name}, rel))
			if existing == nil && len(fo.owners) <= 1 {
				c.manifests[escapeGlob(rel)] = true
			}
			d.port(c, u)
		}
	}
	for _, u := range dials {
		d.dial(u)
	}
}

// escapeGlob escapes the doublestar metacharacters of a file path.
func escapeGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func protoOf(u *check.Use) registry.Proto {
	if u.Proto == "" {
		return registry.TCP
	}
	return u.Proto
}

func (d *draft) port(c *draftComp, u *check.Use) {
	k := portKey{u.Port, u.Last(), protoOf(u)}
	p := c.ports[k]
	if p == nil {
		p = &draftPort{key: k, binds: map[string]registry.Bind{}}
		c.ports[k] = p
	}
	switch {
	case !u.BindKnown:
	case u.Bind.Kind == registry.BindLoopback || u.Bind.Kind == registry.BindIP:
		p.binds[u.Bind.String()] = u.Bind
	default:
		p.anyBind = true
	}
	p.seen = append(p.seen, u.Pos)
	p.sources = append(p.sources, u.Source)
}

// bind is the address the plan gives the port: the one specific address
// every use that states one binds, else all addresses.
func (p *draftPort) bind() registry.Bind {
	if p.anyBind || len(p.binds) != 1 {
		return registry.Any
	}
	for _, b := range p.binds {
		return b
	}
	return registry.Any
}

// dial records a port the tree connects to that no component serves.
func (d *draft) dial(u *check.Use) {
	k := portKey{u.Port, u.Last(), protoOf(u)}
	for _, c := range d.comps {
		for pk := range c.ports {
			if pk.proto.Matches(k.proto) && pk.lo <= k.hi && k.lo <= pk.hi {
				return // a port of the tree's own
			}
		}
	}
	if d.base != nil {
		for _, g := range d.base.Groups {
			if len(d.base.Assignments(g, k.lo)) > 0 {
				return
			}
		}
	}
	name := u.Component
	if name == "" {
		for _, n := range u.Names {
			if n != "" {
				name = n
				break
			}
		}
	}
	if name == "" {
		name = "?"
	}
	key := foldName(name) + "\x00" + strconv.Itoa(k.lo) + "\x00" + string(k.proto)
	e := d.external[key]
	if e == nil {
		e = &draftExternal{name: name, key: k}
		d.external[key] = e
	}
	e.count++
	if len(e.seen) < 3 {
		e.seen = append(e.seen, u.Pos)
	}
}

// ordered returns the components by name.
func (d *draft) ordered() []*draftComp {
	out := make([]*draftComp, 0, len(d.comps))
	for _, c := range d.comps {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return foldName(out[i].name) < foldName(out[j].name) })
	return out
}

func (c *draftComp) orderedPorts() []*draftPort {
	out := make([]*draftPort, 0, len(c.ports))
	for _, p := range c.ports {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].key, out[j].key
		if a.lo != b.lo {
			return a.lo < b.lo
		}
		if a.hi != b.hi {
			return a.hi < b.hi
		}
		return a.proto < b.proto
	})
	return out
}

// settle decides collisions and the pool.
func (d *draft) settle() {
	type taken struct {
		comp string
		p    *draftPort
	}
	var regd []taken
	collides := func(a, b *draftPort) bool {
		return a.key.proto.Matches(b.key.proto) && a.key.lo <= b.key.hi && b.key.lo <= a.key.hi && a.bind().Overlaps(b.bind())
	}
	// A port two components use goes to the one that uses it most (the
	// other often only refers to it), then to the first by name.
	var all []taken
	for _, c := range d.ordered() {
		for _, p := range c.orderedPorts() {
			all = append(all, taken{c.name, p})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return len(all[i].p.seen) > len(all[j].p.seen) })
	// In a new draft, a component that shares a port with another gets a
	// group of its own (hosts apart), said in a TODO; -update never
	// reorganizes a plan, and leaves such a port out, as a TODO.
	apart := map[string]string{}
	for again := true; again; {
		again = false
		regd = regd[:0]
		for _, t := range all {
			c, p := d.comps[foldName(t.comp)], t.p
			p.todo = ""
			if apart[c.name] != "" {
				continue
			}
			if c.existing != nil && d.registeredTo(c.existing, p) {
				p.todo = "-" // already in the plan
				continue
			}
			if d.base != nil {
				if other := d.baseOwner(c, p); other != "" {
					p.todo = fmt.Sprintf("%s is %s's in the plan; %s uses it too: move one of them, or give them distinct binds", p.label(), other, c.name)
					continue
				}
			}
			for _, o := range regd {
				if o.comp == c.name || !collides(o.p, p) {
					continue
				}
				why := fmt.Sprintf("%s uses %s, which %s uses too (%s)", c.name, strings.TrimPrefix(p.label(), "port "), o.comp, d.where(o.p.seen, 1))
				if d.base != nil {
					p.todo = why + ": two components cannot share it on overlapping addresses; move one, or give them distinct binds"
					break
				}
				apart[c.name] = why
				again = true
				break
			}
			if again {
				break
			}
			if p.todo == "" {
				regd = append(regd, t)
			}
		}
	}
	for name, why := range apart {
		c := d.comps[foldName(name)]
		c.group = d.groupFor(c)
		c.groupNote = why + "; it is in a group of its own here, as if it ran on other hosts: if they share hosts, move one of the ports, or give them distinct binds"
		for _, p := range c.ports {
			regd = append(regd, taken{c.name, p})
		}
	}
	// The pool covers the ports the draft registers that lie in the
	// registered range, in whole thousands; the others are allowed extras,
	// each a TODO.
	lo, hi := 0, 0
	extra := map[int]bool{}
	note := func(a, b int) {
		for q := a; q <= b && q-a < 64; q++ {
			if q < initPool.Lo || q > initPool.Hi {
				extra[q] = true
			} else {
				if lo == 0 || q < lo {
					lo = q
				}
				if q > hi {
					hi = q
				}
			}
		}
	}
	for _, t := range regd {
		note(t.p.key.lo, t.p.key.hi)
	}
	for _, u := range d.unowned {
		note(u.Port, u.Last())
	}
	if d.base != nil {
		return // -update keeps the plan's groups; new ports outside them are TODOs
	}
	if lo == 0 {
		d.pool = registry.Interval{Lo: 20000, Hi: 20999}
		d.poolNote = "no port of the tree lies in 1024-49151: the pool is a placeholder; choose the group's ports"
	} else {
		d.pool = registry.Interval{Lo: max(lo/1000*1000, initPool.Lo), Hi: min((hi/1000+1)*1000-1, initPool.Hi)}
	}
	for q := range extra {
		d.allow = append(d.allow, q)
	}
	sort.Ints(d.allow)
}

func (p *draftPort) label() string {
	s := strconv.Itoa(p.key.lo)
	if p.key.hi > p.key.lo {
		s += "-" + strconv.Itoa(p.key.hi)
	}
	if p.key.proto != registry.TCP {
		s += "/" + string(p.key.proto)
	}
	return "port " + s
}

// registeredTo reports whether the plan gives the port to the component.
func (d *draft) registeredTo(c *registry.Component, p *draftPort) bool {
	for _, a := range c.Ports {
		if a.Proto.Matches(p.key.proto) && a.Span.Lo <= p.key.lo && p.key.hi <= a.Span.Hi {
			return true
		}
	}
	return false
}

// baseOwner is the component the plan gives the port to, other than c.
func (d *draft) baseOwner(c *draftComp, p *draftPort) string {
	g := d.base.Group(d.group)
	if c.existing != nil {
		g = c.existing.Group
	}
	for _, a := range d.base.Assignments(g, p.key.lo) {
		if (c.existing == nil || a.Component != c.existing) && a.Proto.Matches(p.key.proto) && a.Bind.Overlaps(p.bind()) {
			return a.Component.Name
		}
	}
	return ""
}

// where lists up to n of the positions, relative, "and N more".
func (d *draft) where(ps []check.Position, n int) string {
	ps = append([]check.Position(nil), ps...)
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
	var parts []string
	seen := map[string]bool{}
	for _, p := range ps {
		s := fmt.Sprintf("%s:%d", d.rel(p.File), p.Line)
		if seen[s] {
			continue
		}
		seen[s] = true
		parts = append(parts, s)
	}
	more := len(parts) - n
	if more > 0 {
		parts = append(parts[:n], fmt.Sprintf("and %d more", more))
	}
	return printable(strings.Join(parts, ", "))
}

func (d *draft) components() int { return len(d.comps) }

func (d *draft) portCount() int {
	n := 0
	for _, c := range d.comps {
		for _, p := range c.ports {
			if p.todo == "" {
				n++
			}
		}
	}
	return n
}

func (d *draft) todoCount() int {
	n := len(d.todos) + len(d.allow) + len(d.unowned)
	if d.poolNote != "" {
		n++
	}
	for _, c := range d.comps {
		if c.groupNote != "" {
			n++
		}
		for _, p := range c.ports {
			if p.todo != "" && p.todo != "-" {
				n++
			}
		}
	}
	return n
}

// yamlName writes a name as a YAML scalar that reads back as that text.
func yamlName(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~":
		return strconv.Quote(s)
	}
	if s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '.' || s[0] == '-') {
		return strconv.Quote(s)
	}
	return s
}

// portEntry is a port assignment in flow style.
func (p *draftPort) entry() string {
	var parts []string
	if p.key.hi > p.key.lo {
		parts = append(parts, fmt.Sprintf("span: %q", fmt.Sprintf("[%d, %d]", p.key.lo, p.key.hi)))
	} else {
		parts = append(parts, fmt.Sprintf("port: %d", p.key.lo))
	}
	if p.key.proto != registry.TCP {
		parts = append(parts, "proto: "+string(p.key.proto))
	}
	if b := p.bind(); b.Kind != registry.BindAny {
		parts = append(parts, "bind: "+strconv.Quote(b.String()))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// seenComment says where a port was seen and how.
func (d *draft) seenComment(p *draftPort) string {
	srcs := map[string]bool{}
	var ss []string
	for _, s := range p.sources {
		if !srcs[s] {
			srcs[s] = true
			ss = append(ss, s)
		}
	}
	sort.Strings(ss)
	if len(ss) > 2 {
		ss = append(ss[:2], "...")
	}
	return "seen at " + d.where(p.seen, 3) + " (" + printable(strings.Join(ss, ", ")) + ")"
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// comment writes text as YAML comment lines at the indent, wrapped.
func comment(b *strings.Builder, indent, text string) {
	text = printable(text)
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(indent)+2+len(line)+1+len(w) > 78 {
			fmt.Fprintf(b, "%s# %s\n", indent, line)
			line = "  " + w
			continue
		}
		if line == "" {
			line = w
		} else {
			line += " " + w
		}
	}
	if line != "" {
		fmt.Fprintf(b, "%s# %s\n", indent, line)
	}
}

// render writes the draft as a new registry.
func (d *draft) render() []byte {
	var b strings.Builder
	comment(&b, "", "A first port plan, drafted by 'portlint registry init' from the ports the tree uses. Review every component and port, settle the TODOs, then run 'portlint registry check' and 'portlint'. The format: docs/registry.md of portlint.")
	d.writeTodos(&b)
	fmt.Fprintf(&b, "version: 1\n")
	fmt.Fprintf(&b, "groups:\n")
	groups := []string{d.group}
	for _, c := range d.ordered() {
		if c.group != "" {
			groups = append(groups, c.group)
		}
	}
	for i, g := range groups {
		fmt.Fprintf(&b, "  %s:\n", yamlName(g))
		if i > 0 {
			comment(&b, "    ", "the hosts of "+g+" alone (see the TODO on the component)")
		}
		if d.poolNote != "" && i == 0 {
			comment(&b, "    ", "TODO: "+d.poolNote)
		}
		fmt.Fprintf(&b, "    pool: %q\n", d.pool.String())
		if len(d.allow) > 0 {
			var ps []string
			for _, p := range d.allow {
				ps = append(ps, strconv.Itoa(p))
			}
			if i == 0 {
				verb := "lie"
				if len(ps) == 1 {
					verb = "lies"
				}
				comment(&b, "    ", fmt.Sprintf("TODO: %s "+verb+" outside any sensible pool (system ports below 1024, dynamic ports above 49151); they are allowed as extras here: confirm each, or move it into the pool", strings.Join(ps, ", ")))
			}
			fmt.Fprintf(&b, "    allow: [%s]\n", strings.Join(ps, ", "))
		}
	}
	fmt.Fprintf(&b, "components:\n")
	for _, c := range d.ordered() {
		d.writeComponent(&b, c, "  ")
	}
	if len(d.comps) == 0 {
		b.WriteString("  []\n")
	}
	d.writeExternal(&b)
	return []byte(b.String())
}

func (d *draft) writeTodos(b *strings.Builder) {
	for _, u := range d.unowned {
		comment(b, "", fmt.Sprintf("TODO: port %d at %s (%s) belongs to no component: attribute it with packages:, manifests: or a portlint:component directive", u.Port, d.where([]check.Position{u.Pos}, 1), u.Source))
	}
	for _, t := range d.todos {
		comment(b, "", "TODO: "+t)
	}
}

func (d *draft) writeComponent(b *strings.Builder, c *draftComp, indent string) {
	if len(c.from) > 0 {
		comment(b, indent, "drafted from "+fromText(c.from))
	}
	fmt.Fprintf(b, "%s- name: %s\n", indent, yamlName(c.name))
	if c.groupNote != "" {
		comment(b, indent+"  ", "TODO: "+c.groupNote)
	}
	fmt.Fprintf(b, "%s  group: %s\n", indent, yamlName(c.groupName(d)))
	if len(c.packages) > 0 {
		fmt.Fprintf(b, "%s  packages:\n", indent)
		for _, p := range sortedKeys(c.packages) {
			fmt.Fprintf(b, "%s    - %s\n", indent, strconv.Quote(p))
		}
	}
	if len(c.manifests) > 0 {
		fmt.Fprintf(b, "%s  manifests:\n", indent)
		for _, m := range sortedKeys(c.manifests) {
			fmt.Fprintf(b, "%s    - %s\n", indent, strconv.Quote(m))
		}
	}
	fmt.Fprintf(b, "%s  ports:\n", indent)
	n := 0
	for _, p := range c.orderedPorts() {
		switch p.todo {
		case "":
			comment(b, indent+"    ", d.seenComment(p))
			fmt.Fprintf(b, "%s    - %s\n", indent, p.entry())
			n++
		case "-":
		default:
			comment(b, indent+"    ", "TODO: "+p.todo+"; "+d.seenComment(p))
			fmt.Fprintf(b, "%s    # - %s\n", indent, p.entry())
		}
	}
	if n == 0 {
		fmt.Fprintf(b, "%s    []\n", indent)
	}
}

func (d *draft) writeExternal(b *strings.Builder) {
	if len(d.external) == 0 {
		return
	}
	var es []*draftExternal
	for _, e := range d.external {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].key.lo != es[j].key.lo {
			return es[i].key.lo < es[j].key.lo
		}
		return es[i].name < es[j].name
	})
	b.WriteString("\n")
	comment(b, "", "Dependencies the tree dials that no component serves: not part of the plan (the registry has no key for external services yet); listed so that none is forgotten.")
	for _, e := range es {
		p := &draftPort{key: e.key}
		where := d.where(e.seen, 3)
		if e.count > len(e.seen) {
			where += fmt.Sprintf(" (%d uses)", e.count)
		}
		comment(b, "", fmt.Sprintf("- %s %s, dialed at %s", e.name, strings.TrimPrefix(p.label(), "port "), where))
	}
}
