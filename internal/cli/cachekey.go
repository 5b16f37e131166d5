package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
//   - the main module's go.mod and go.sum, when there is one;
//   - the import path and, for the package (with -test, also its test
//     variant, external test package and test main), its ID, name, module
//     and the name and SHA-256 of each Go file;
//   - for every package it reaches, its ID, module version and the
//     file of its export data in the build cache, which the go command
//     names by the SHA-256 of its content.
//
// All of it comes from the go list the run does anyway (-deps -export):
// what the type checker reads of an imported package is its export data,
// whatever module, workspace, vendor directory or replacement it came
// from, so the key needs neither the module graph nor the network.
// Nothing is cached under GOFLAGS=-overlay (the files read are not the
// files compiled), nor for a package that did not list, parse or build
// cleanly, that uses cgo, or that reaches a package without export data.

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

// A keyer computes the packages' cache keys.
type keyer struct {
	global   []byte
	l        *listing
	keys     map[string]string // by import path; "" means not cached
	deps     map[string][]byte // by package ID: what depSum hashed
	gomod    string            // the main module's go.mod ("" outside a module)
	modData  [2][]byte         // go.mod and go.sum as hashed
	verified map[string]bool   // files found unchanged after the load
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
func newKeyer(o goOptions, l *listing, env goSettings) (*keyer, string) {
	if env.err != nil {
		return nil, env.err.Error()
	}
	v := env.vars
	for _, f := range strings.Fields(v["GOFLAGS"]) {
		if f = "-" + strings.TrimLeft(f, "-"); strings.HasPrefix(f, "-overlay") {
			return nil, "GOFLAGS has " + f
		}
	}
	k := &keyer{
		l:        l,
		keys:     map[string]string{},
		deps:     map[string][]byte{},
		verified: map[string]bool{},
	}
	h := sha256.New()
	field(h, cacheFormat, string(o.cache.ident), "go env")
	for _, name := range goEnvVars {
		field(h, name, v[name])
	}
	if gomod := v["GOMOD"]; gomod != "" && gomod != os.DevNull {
		gomodData, err := os.ReadFile(gomod)
		if err != nil {
			return nil, err.Error()
		}
		gosumData, err := os.ReadFile(filepath.Join(filepath.Dir(gomod), "go.sum"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err.Error()
		}
		k.gomod, k.modData = gomod, [2][]byte{gomodData, gosumData}
		field(h, "main", gomod, string(gomodData), string(gosumData))
	} else {
		field(h, "no main module")
	}
	k.global = h.Sum(nil)
	for _, u := range l.relevant {
		if key := k.unitKey(u); key != nil {
			k.keys[u] = hex.EncodeToString(key)
		}
	}
	return k, ""
}

// unitKey returns the key of the import path u, or nil when its result
// is not to be cached.
func (k *keyer) unitKey(u string) []byte {
	g := slices.Clone(k.l.byUnit[u])
	if len(g) == 0 {
		return nil
	}
	sort.SliceStable(g, func(i, j int) bool { return g[i].pkg.ID < g[j].pkg.ID })
	h := sha256.New()
	h.Write(k.global)
	field(h, "package", u)
	for _, lp := range g {
		p := lp.pkg
		// cgo: what the compiler sees is generated
		if lp.broken || lp.scan.Cgo() || len(lp.sums) != len(p.GoFiles) || !k.l.graph.isClean(p) {
			return nil
		}
		field(h, "id", p.ID, p.Name, p.PkgPath)
		moduleField(h, p.Module)
		for i, name := range p.GoFiles {
			field(h, name, string(lp.sums[i][:]))
		}
		k.importsField(h, p)
	}
	return h.Sum(nil)
}

// moduleField hashes a package's module.
func moduleField(h hash.Hash, m *packages.Module) {
	if m == nil {
		field(h, "no module")
		return
	}
	field(h, "module", m.Path, m.Version, strconv.FormatBool(m.Main))
	if r := m.Replace; r != nil {
		field(h, "replace", r.Path, r.Version, r.Dir)
	}
}

// importsField hashes p's imports: each import path and what depSum says
// of the package it resolves to.
func (k *keyer) importsField(h hash.Hash, p *packages.Package) {
	paths := make([]string, 0, len(p.Imports))
	for path := range p.Imports {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		field(h, "import", path, string(k.depSum(p.Imports[path])))
	}
}

// depSum hashes what a package importing p can see of it: its ID, module
// and export data (named by its content's SHA-256), and the same of what
// it imports.
func (k *keyer) depSum(p *packages.Package) []byte {
	if s, ok := k.deps[p.ID]; ok {
		return s
	}
	k.deps[p.ID] = nil // not reached again before it is done: the graph has no cycles
	h := sha256.New()
	field(h, "id", p.ID, p.Name, p.PkgPath, p.ExportFile)
	moduleField(h, p.Module)
	k.importsField(h, p)
	s := h.Sum(nil)
	k.deps[p.ID] = s
	return s
}

// unchanged reports whether what u's key was computed from is as it was:
// go.mod and go.sum, and the files of u's packages, which the load gave
// its roots. A file edited while the run loaded it would otherwise store
// a result under the key of its old content. (What u imports is named by
// the content of its export data.)
func (k *keyer) unchanged(u string, roots []*rootResult) bool {
	if k.gomod != "" {
		for i, name := range []string{k.gomod, filepath.Join(filepath.Dir(k.gomod), "go.sum")} {
			data, err := safefile.Read(name, safefile.MaxSource)
			if err != nil && !errors.Is(err, os.ErrNotExist) || !bytes.Equal(data, k.modData[i]) {
				return false
			}
		}
	}
	listed := map[string]*listedPkg{}
	for _, lp := range k.l.byUnit[u] {
		listed[lp.pkg.ID] = lp
	}
	for _, r := range roots {
		lp := listed[r.pkg.ID]
		if lp == nil || !slices.Equal(lp.pkg.GoFiles, r.pkg.GoFiles) {
			return false
		}
	}
	for _, lp := range k.l.byUnit[u] {
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
	return true
}
