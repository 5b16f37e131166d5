package plugin

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/portlint/portlint/internal/config"
)

// registryFile is the name the per-package registry search looks for.
const registryFile = "registry.yaml"

// maxWalk bounds the search for registries below the module root; past it
// the digest covers what was found and packages using other registries are
// reported at run time.
const maxWalk = 200_000

// A planDigest is the digest of every registry and .portlint.yaml a run can
// read, taken when golangci-lint starts. Its analyzer carries the digest in
// its name, which golangci-lint puts in the key of its result cache.
type planDigest struct {
	root     string          // module root; paths below it enter the digest relative to it
	explicit string          // the registry setting, when set: the only registry read
	files    map[string]bool // canonical paths of the files digested
	sum      [sha256.Size]byte

	warnTo io.Writer // where run warns: os.Stderr
	dirs   sync.Map  // package directories already checked
	warned sync.Map  // paths already warned about
}

// fingerprint digests the files a run reads as its plan: the explicit
// registry when the registry setting names it, with the .portlint.yaml whose
// checks the plugin starts from; else every .portlint.yaml and
// registry.yaml in the directories above wd and root and in the tree below
// root, with the registries those .portlint.yaml files name.
func fingerprint(root, wd, explicit string) (*planDigest, error) {
	d := &planDigest{root: canon(root), explicit: explicit, files: map[string]bool{}, warnTo: os.Stderr}
	var found []string
	add := func(p string) {
		p = canon(p)
		if !d.files[p] {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				d.files[p] = true
				found = append(found, p)
			}
		}
	}
	if explicit != "" {
		add(explicit)
		if p := config.Find(wd); p != "" {
			add(p) // its checks are the plugin's starting point
		}
	} else {
		for _, start := range []string{wd, root} {
			for dir := start; ; {
				add(filepath.Join(dir, config.FileName))
				add(filepath.Join(dir, registryFile))
				parent := filepath.Dir(dir)
				if parent == dir {
					break
				}
				dir = parent
			}
		}
		n := 0
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable: the analyzer cannot read it either
			}
			if n++; n > maxWalk {
				return filepath.SkipAll
			}
			if e.IsDir() {
				if path != root && skipDir(e.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if name := e.Name(); name == registryFile || name == config.FileName {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, p := range slices.Clone(found) {
			if filepath.Base(p) != config.FileName {
				continue
			}
			cfg, err := config.Load(p)
			if err != nil {
				return nil, err
			}
			if src := config.ResolveRegistry(cfg.Dir, "", cfg); src.How == config.FromConfig {
				add(src.Path)
			}
		}
	}
	slices.Sort(found)
	h := sha256.New()
	fmt.Fprintf(h, "portlint plan digest 1\n")
	for _, p := range found {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s %x\n", d.rel(p), sha256.Sum256(data))
	}
	h.Sum(d.sum[:0])
	return d, nil
}

// skipDir reports whether the go command skips a directory in patterns
// such as ./..., or whether it cannot hold Go packages worth a walk.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		name == "testdata" || name == "vendor" || name == "node_modules"
}

// rel names a file in the digest: relative to the module root when below
// it, so that checkouts in different places share golangci-lint's cache.
func (d *planDigest) rel(p string) string {
	if r, err := filepath.Rel(d.root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// canon returns an absolute path with symbolic links resolved, so that the
// paths of the walk and those golangci-lint's packages report compare.
func canon(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// name is the analyzer's name: an identifier holding the digest.
func (d *planDigest) name() string {
	return fmt.Sprintf("portlint_plan_%x", d.sum[:8])
}

// analyzer returns the analyzer that carries the digest. It reports
// nothing; when a package turns out to use a registry the digest does not
// cover, it warns once on stderr.
func (d *planDigest) analyzer() *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: d.name(),
		Doc: "digest of the port plans portlint reads\n\n" +
			"It reports nothing. Its name holds a digest of the registries, so that\n" +
			"golangci-lint's result cache is not reused once a registry changes.",
		Run: d.run,
	}
}

func (d *planDigest) run(pass *analysis.Pass) (any, error) {
	if d.explicit != "" || len(pass.Files) == 0 {
		return nil, nil // one registry, digested at start
	}
	dir := filepath.Dir(pass.Fset.File(pass.Files[0].Pos()).Name())
	if _, seen := d.dirs.LoadOrStore(dir, true); seen {
		return nil, nil
	}
	var used []string
	var cfg *config.Config
	if p := config.Find(dir); p != "" {
		used = append(used, p)
		cfg, _ = config.Load(p) // a broken config is the portlint analyzer's to report
	}
	if src := config.ResolveRegistry(dir, "", cfg); src.Path != "" {
		used = append(used, src.Path)
	}
	for _, p := range used {
		if d.files[canon(p)] {
			continue
		}
		if _, done := d.warned.LoadOrStore(p, true); !done {
			fmt.Fprintf(d.warnTo, "WARN [portlint] %s was not found when golangci-lint started, so its result cache will not notice edits to it: set linters.settings.custom.portlint.settings.registry, or run 'golangci-lint cache clean' after editing it\n", p)
		}
	}
	return nil, nil
}
