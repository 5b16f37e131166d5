package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/internal/safefile"
)

// A package's result is cached under a SHA-256 key over:
//
//   - the run's identity (runIdentity): the portlint executable's
//     content, the registry's source and bytes, .portlint.yaml's path and
//     bytes, the enabled checks, -test, -tags and the working directory;
//   - the go command's settings (goEnvVars): toolchain version and
//     GOROOT, target, GOFLAGS, cgo, experiments;
//   - the main module's go.mod and go.sum, and the path, directory and
//     go.mod of every module replaced by a local directory;
//   - the import path and, for every package it reaches through imports
//     that are listed or local (in the main module or a module replaced
//     by a directory), the package's ID, name, module and the name and
//     SHA-256 of each Go file. With -test, a package's test files, its
//     external test package and test main count as its own.
//
// Imports of other modules are fixed by go.mod and go.sum, and of the
// standard library by the toolchain. Where that does not hold, nothing
// is cached: a go.work workspace, a vendor directory, GOFLAGS with
// -modfile, -overlay or -mod=vendor, GOPATH mode; and for a package
// that reaches a package that did not list or parse, a cgo package, or,
// when a module outside the local ones requires a local one (so that a
// dependency may import local code), any package of another module.

// cacheOptions say where results are cached and what, besides the Go
// code, decides them.
type cacheOptions struct {
	store *resultCache
	ident []byte // see runIdentity
}

// field writes strings to h, each with its length, so that no two lists
// of strings hash alike.
func field(h hash.Hash, s ...string) {
	for _, x := range s {
		fmt.Fprintf(h, "%d:%s;", len(x), x)
	}
}

// runIdentity hashes what decides a package's result besides the Go code
// and the go command: the portlint executable, the registry, the
// configuration, the checks, -test, -tags and the working directory
// (messages and positions are kept as a run computes them).
func (r *run) runIdentity(store *resultCache) ([]byte, error) {
	exe, err := store.exeHash()
	if err != nil {
		return nil, fmt.Errorf("cannot hash the portlint executable: %v", err)
	}
	h := sha256.New()
	field(h, cacheFormat, "exe", string(exe))
	field(h, "registry", r.src.How, r.src.Path, r.reg.File, string(r.reg.Data))
	if r.cfg != nil {
		data, err := safefile.Read(r.cfg.File, safefile.MaxConfig)
		if err != nil {
			return nil, err
		}
		field(h, "config", r.cfg.File, string(data))
	} else {
		field(h, "no config")
	}
	var checks []string
	for name, on := range r.enabled {
		if on {
			checks = append(checks, name)
		}
	}
	sort.Strings(checks)
	field(h, "checks")
	field(h, checks...)
	field(h, "tests", strconv.FormatBool(r.flags.tests), "tags", r.flags.tags, "dir", r.dir)
	return h.Sum(nil), nil
}

// cacheFor returns the result cache for the run's Go half, or nil and
// why there is none.
func (r *run) cacheFor() (*cacheOptions, string) {
	if r.flags.noCache {
		return nil, "-no-cache"
	}
	store, why := openCache()
	if store == nil {
		return nil, why
	}
	ident, err := r.runIdentity(store)
	if err != nil {
		return nil, err.Error()
	}
	return &cacheOptions{store: store, ident: ident}, ""
}

// goEnvVars are the go command's settings that a package's types can
// depend on.
var goEnvVars = []string{
	"GOVERSION", "GOROOT", "GOOS", "GOARCH", "GOFLAGS", "GOEXPERIMENT",
	"CGO_ENABLED", "GO111MODULE", "GOMOD", "GOWORK", "GOMODCACHE", "GOPATH",
	"GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64",
	"GORISCV64", "GOWASM", "GODEBUG", "CC", "CGO_CFLAGS", "CGO_CPPFLAGS",
	"CGO_LDFLAGS", "GOTOOLCHAIN",
}

// goSettings is the go command's view of goEnvVars.
type goSettings struct {
	vars map[string]string
	err  error
}

// goCmd runs the go command in dir and returns its standard output; a
// failure says what the go command printed on standard error.
func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// startGoSettings runs go env in dir; the result arrives on the channel.
func startGoSettings(ctx context.Context, dir string) <-chan goSettings {
	c := make(chan goSettings, 1)
	go func() {
		out, err := goCmd(ctx, dir, append([]string{"env", "-json"}, goEnvVars...)...)
		if err != nil {
			c <- goSettings{err: err}
			return
		}
		e := goSettings{vars: map[string]string{}}
		e.err = json.Unmarshal(out, &e.vars)
		c <- e
	}()
	return c
}

// moduleFacts are what the cache needs to know of the main module's
// requirements.
type moduleFacts struct {
	// Main is the main module's path.
	Main string `json:"main"`
	// Local are the modules replaced by a directory (the main module is
	// local too, but is in the key already).
	Local []localModule `json:"local"`
	// BackEdge says a module outside the local ones requires a local one.
	BackEdge bool `json:"back_edge"`
}

// A localModule is a module replaced by a directory.
type localModule struct {
	Path  string `json:"path"`
	Dir   string `json:"dir"`
	GoMod string `json:"go_mod"` // hex SHA-256 of its go.mod ("" when it has none)
}

// goModSum returns the hex SHA-256 of dir/go.mod, or "" when there is none.
func goModSum(dir string) string {
	data, err := safefile.Read(filepath.Join(dir, "go.mod"), safefile.MaxSource)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// moduleFacts returns the module facts of the main module at gomod,
// cached under a key over its go.mod and go.sum, as long as the replacing
// directories' go.mod files are unchanged.
func (c *resultCache) moduleFacts(ctx context.Context, vars map[string]string, gomod, gosum []byte) (*moduleFacts, error) {
	h := sha256.New()
	field(h, cacheFormat, "modules", vars["GOVERSION"], vars["GOFLAGS"], vars["GOMOD"], string(gomod), string(gosum))
	key := hex.EncodeToString(h.Sum(nil))
	p := filepath.Join(c.dir, "modules", key)
	if payload := c.read(p, key); payload != nil {
		mf := &moduleFacts{}
		if json.Unmarshal(payload, mf) == nil {
			fresh := true
			for _, m := range mf.Local {
				fresh = fresh && goModSum(m.Dir) == m.GoMod
			}
			if fresh {
				c.touch(p)
				return mf, nil
			}
		}
	}
	mf, err := readModuleFacts(ctx, filepath.Dir(vars["GOMOD"]))
	if err != nil {
		return nil, err
	}
	if payload, err := json.Marshal(mf); err == nil {
		_ = c.write(p, key, payload) // not stored: asked again next run
	}
	return mf, nil
}

// readModuleFacts asks the go command for the replacements of the main
// module in dir (go mod edit -json) and its requirement graph (go mod
// graph).
func readModuleFacts(ctx context.Context, dir string) (*moduleFacts, error) {
	run := func(args ...string) ([]byte, error) { return goCmd(ctx, dir, args...) }
	out, err := run("mod", "edit", "-json")
	if err != nil {
		return nil, err
	}
	var gm struct {
		Module  struct{ Path string }
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(out, &gm); err != nil {
		return nil, fmt.Errorf("go mod edit -json: %v", err)
	}
	if gm.Module.Path == "" {
		return nil, errors.New("go mod edit -json: no module path")
	}
	mf := &moduleFacts{Main: gm.Module.Path}
	local := map[string]bool{mf.Main: true}
	for _, r := range gm.Replace {
		if r.New.Version != "" {
			continue // another module version, fixed by go.sum
		}
		d := r.New.Path
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		mf.Local = append(mf.Local, localModule{Path: r.Old.Path, Dir: d, GoMod: goModSum(d)})
		local[r.Old.Path] = true
	}
	sort.Slice(mf.Local, func(i, j int) bool { return mf.Local[i].Path < mf.Local[j].Path })
	if out, err = run("mod", "graph"); err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(out), "\n") {
		from, to, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		from, _, _ = strings.Cut(from, "@")
		to, _, _ = strings.Cut(to, "@")
		if !local[from] && local[to] {
			mf.BackEdge = true
		}
	}
	return mf, nil
}

// A keyer computes the packages' cache keys.
type keyer struct {
	global   []byte
	groups   map[string][]*listedPkg // by import path (see unitPath)
	local    []string                // the local modules' paths
	backEdge bool
	keys     map[string]string   // by import path; "" means not cached
	closures map[string][]string // the import paths a package reaches
	why      map[string]string   // why a package is not cached
	gomod    string              // the main module's go.mod
	modData  [2][]byte           // go.mod and go.sum as hashed
	verified map[string]bool     // files found unchanged after the load
}

// key returns the cache key of the package with import path u, or "" when
// its result is not to be cached.
func (k *keyer) key(u string) string {
	if k == nil {
		return ""
	}
	return k.keys[u]
}

// newKeyer returns a keyer for the relevant packages of l, or nil and why
// the result cache cannot be used in this build.
func newKeyer(ctx context.Context, o goOptions, buildFlags []string, l *listing, env goSettings) (*keyer, string) {
	if env.err != nil {
		return nil, env.err.Error()
	}
	v := env.vars
	gomod := v["GOMOD"]
	if gomod == "" || gomod == os.DevNull {
		return nil, "not in a module"
	}
	if w := v["GOWORK"]; w != "" && w != "off" {
		return nil, "a go.work workspace"
	}
	modMode := ""
	for _, f := range strings.Fields(v["GOFLAGS"]) {
		f = "-" + strings.TrimLeft(f, "-")
		switch {
		case strings.HasPrefix(f, "-modfile"), strings.HasPrefix(f, "-overlay"):
			return nil, "GOFLAGS has " + f
		case strings.HasPrefix(f, "-mod="):
			modMode = strings.TrimPrefix(f, "-mod=")
		}
	}
	dir := filepath.Dir(gomod)
	if _, err := os.Stat(filepath.Join(dir, "vendor", "modules.txt")); modMode == "vendor" || (err == nil && modMode != "mod" && modMode != "readonly") {
		return nil, "packages from a vendor directory"
	}
	gomodData, err := os.ReadFile(gomod)
	if err != nil {
		return nil, err.Error()
	}
	gosumData, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err.Error()
	}
	mf, err := o.cache.store.moduleFacts(ctx, v, gomodData, gosumData)
	if err != nil {
		return nil, err.Error()
	}
	mainPath := mf.Main
	h := sha256.New()
	field(h, cacheFormat, string(o.cache.ident), "go env")
	for _, name := range goEnvVars {
		field(h, name, v[name])
	}
	field(h, "main", mainPath, gomod, string(gomodData), string(gosumData))
	k := &keyer{
		groups:   map[string][]*listedPkg{},
		local:    []string{mainPath},
		backEdge: mf.BackEdge,
		keys:     map[string]string{},
		closures: map[string][]string{},
		why:      map[string]string{},
		gomod:    gomod,
		modData:  [2][]byte{gomodData, gosumData},
		verified: map[string]bool{},
	}
	for _, m := range mf.Local {
		field(h, "local", m.Path, m.Dir, m.GoMod)
		k.local = append(k.local, m.Path)
	}
	field(h, "back edge", strconv.FormatBool(mf.BackEdge))
	k.global = h.Sum(nil)
	pkgs := make([]*packages.Package, len(l.named))
	for i, lp := range l.named {
		pkgs[i] = lp.pkg
	}
	tested := testedPaths(pkgs)
	for _, lp := range l.named {
		u := unitPath(lp.pkg, tested)
		k.groups[u] = append(k.groups[u], lp)
	}
	for _, lp := range l.more {
		k.groups[lp.pkg.PkgPath] = append(k.groups[lp.pkg.PkgPath], lp)
	}
	if err := k.resolve(ctx, o, buildFlags, l); err != nil {
		return nil, err.Error()
	}
	return k, ""
}

// maxListRounds bounds how many times resolve lists local packages that
// neither the patterns nor moduleParams listed.
const maxListRounds = 4

// resolve finds what each relevant package reaches, listing and reading
// local packages no listing covered, and computes the keys.
func (k *keyer) resolve(ctx context.Context, o goOptions, buildFlags []string, l *listing) error {
	for round := 0; ; round++ {
		missing := map[string]bool{}
		for _, u := range l.relevant {
			_, _, miss := k.closure(u)
			for _, p := range miss {
				missing[p] = true
			}
		}
		if len(missing) == 0 || round == maxListRounds {
			break
		}
		paths := make([]string, 0, len(missing))
		for p := range missing {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		cfg := &packages.Config{
			Context:    ctx,
			Dir:        o.dir,
			Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule,
			BuildFlags: buildFlags,
			Env:        os.Environ(),
		}
		pkgs, err := packages.Load(cfg, paths...)
		if err != nil {
			return fmt.Errorf("listing packages: %v", err)
		}
		read := make([]*listedPkg, len(pkgs))
		parallel(len(pkgs), func(i int) {
			read[i] = readPkg(l.fset, pkgs[i], parser.ImportsOnly, true)
		})
		for _, lp := range read {
			k.groups[lp.pkg.PkgPath] = append(k.groups[lp.pkg.PkgPath], lp)
		}
		for _, p := range paths {
			if k.groups[p] == nil {
				// not listed under its own path: nothing reaching it is cached
				k.groups[p] = []*listedPkg{{pkg: &packages.Package{ID: p, PkgPath: p}, broken: true}}
			}
		}
	}
	sums := map[string][]byte{}
	for _, u := range l.relevant {
		paths, why, miss := k.closure(u)
		if why == "" && len(miss) > 0 {
			why = "reaches " + miss[0] + ", which was not listed"
		}
		if why != "" {
			k.why[u] = why
			continue
		}
		h := sha256.New()
		h.Write(k.global)
		field(h, "package", u)
		for _, p := range paths {
			s, ok := sums[p]
			if !ok {
				s = k.groupSum(p)
				sums[p] = s
			}
			field(h, p, string(s))
		}
		k.keys[u] = hex.EncodeToString(h.Sum(nil))
		k.closures[u] = paths
	}
	return nil
}

// isLocal reports whether the import path lies in a local module.
func (k *keyer) isLocal(path string) bool {
	for _, m := range k.local {
		if path == m || strings.HasPrefix(path, m+"/") {
			return true
		}
	}
	return false
}

// isStd reports whether a path outside the local modules is in the
// standard library: its first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// closure returns the sorted import paths of the listed packages u reaches
// (u included), or why its result cannot be cached, and the local
// packages it reaches that no listing covered.
func (k *keyer) closure(u string) (paths []string, why string, missing []string) {
	seen := map[string]bool{u: true}
	stack := []string{u}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		g := k.groups[p]
		if g == nil {
			missing = append(missing, p)
			continue
		}
		paths = append(paths, p)
		for _, lp := range g {
			if lp.broken {
				return nil, p + " did not list or parse", nil
			}
			for _, f := range lp.files {
				for _, imp := range f.Imports {
					path, err := strconv.Unquote(imp.Path.Value)
					if err != nil {
						return nil, p + " has a bad import", nil
					}
					switch {
					case path == "C":
						return nil, p + " uses cgo", nil
					case seen[path]:
					case k.groups[path] != nil || k.isLocal(path):
						seen[path] = true
						stack = append(stack, path)
					case k.backEdge && !isStd(path):
						return nil, "a module outside the local ones requires a local one, and " + p + " imports " + path, nil
					}
				}
			}
		}
	}
	sort.Strings(paths)
	sort.Strings(missing)
	return paths, "", missing
}

// groupSum hashes the listed packages of an import path: ID, name,
// module, and each Go file's name and SHA-256.
func (k *keyer) groupSum(path string) []byte {
	g := slices.Clone(k.groups[path])
	sort.SliceStable(g, func(i, j int) bool { return g[i].pkg.ID < g[j].pkg.ID })
	h := sha256.New()
	for _, lp := range g {
		p := lp.pkg
		field(h, "id", p.ID, p.Name, p.PkgPath)
		if m := p.Module; m != nil {
			field(h, "module", m.Path, m.Version, strconv.FormatBool(m.Main))
			if r := m.Replace; r != nil {
				field(h, "replace", r.Path, r.Version, r.Dir)
			}
		}
		for i, name := range p.GoFiles {
			field(h, name, string(lp.sums[i][:]))
		}
	}
	return h.Sum(nil)
}

// unchanged reports whether what u's key was computed from is as it was:
// go.mod and go.sum, the files of every package u reaches, and the files
// the load gave its roots. A file edited while the run loaded it would
// otherwise store a result under the key of its old content.
func (k *keyer) unchanged(u string, roots []*rootResult) bool {
	for i, name := range []string{k.gomod, filepath.Join(filepath.Dir(k.gomod), "go.sum")} {
		data, err := safefile.Read(name, safefile.MaxSource)
		if err != nil && !errors.Is(err, os.ErrNotExist) || !bytes.Equal(data, k.modData[i]) {
			return false
		}
	}
	listed := map[string]*listedPkg{}
	for _, lp := range k.groups[u] {
		listed[lp.pkg.ID] = lp
	}
	for _, r := range roots {
		lp := listed[r.pkg.ID]
		if lp == nil || !slices.Equal(lp.pkg.GoFiles, r.pkg.GoFiles) {
			return false
		}
	}
	for _, p := range k.closures[u] {
		for _, lp := range k.groups[p] {
			for i, name := range lp.pkg.GoFiles {
				if k.verified[name] {
					continue
				}
				data, err := safefile.Read(name, safefile.MaxSource)
				if err != nil || sha256.Sum256(data) != lp.sums[i] {
					return false
				}
				k.verified[name] = true
			}
		}
	}
	return true
}
