package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/portlint/portlint/internal/safefile"
)

// skipDirs are never walked into.
var skipDirs = map[string]bool{"vendor": true, "testdata": true, "node_modules": true, ".git": true}

// sniffSize is how much of a file Discover reads to decide.
const sniffSize = 64 << 10

// manifestRE finds what makes a file worth scanning: the top-level keys of
// the recognised formats (and a kustomization's patches, which change the
// pods of other files), or a key that says port, addr, listen, bind or
// endpoint.
var manifestRE = regexp.MustCompile(`(?im)^\s*"?(apiVersion|kind|services|static_resources|dynamic_resources|networking|socket_address|patches|patchesStrategicMerge|patchesJson6902|replacements)"?\s*:` +
	`|^type:\s*(Dataplane|ZoneIngress|ZoneEgress|MeshGateway)\b` +
	`|(port|ports|addr|address|listen|bind|endpoint|endpoints|url|urls|brokers?|targets?|upstreams?|servers|peers?)"?\s*:|(PORT|ADDR|LISTEN)[A-Z_]*=`)

// A Skip is a path discovery did not check: a directory it could not
// read (Err set: the run is incomplete) or a file it did not open (a FIFO,
// socket or device, a link to a directory).
type Skip struct {
	Path   string
	Reason string
	Err    bool
}

// Discover returns the manifests under the roots, sorted: files named .yaml,
// .yml or .json whose first 64 KiB of content (comment lines aside) hold a
// manifest's keys or a port context. It skips vendor/, testdata/,
// node_modules/ and hidden directories, well-known files that are not
// manifests (CI workflows, Chart.yaml, linter configs), and whatever an
// exclude glob matches. An exclude glob is matched against the path
// relative to its root, the path as walked, and (when it has no "/") the
// base name; a matched directory is skipped whole. A root that is a file is
// returned as it is when its extension fits; a root that is a link to a
// directory is walked. Inside a root, a link to a regular file is
// followed; a link to a directory is not (like ./... in the go command),
// and is reported. A FIFO, socket or device is never opened and is
// reported; so is a directory that cannot be read, after which the walk
// goes on. A file that cannot be read is returned, so that the caller's
// read names the error. The error is for a root that does not exist. The
// walk is sequential; the files it finds are sniffed on every core.
func Discover(roots []string, exclude []string) ([]string, []Skip, error) {
	seen := map[string]bool{}
	var out []string
	var skips []Skip
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	// candidates are the files to sniff: the path as named and as walked
	var candidates [][2]string
	walked := map[string]bool{}
	for _, root := range roots {
		st, err := os.Stat(root)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			if hasManifestExt(root) {
				add(root)
			}
			continue
		}
		// walk a linked root through its target, naming paths as given
		walkRoot := root
		if t, err := filepath.EvalSymlinks(root); err == nil && t != root {
			walkRoot = t
		}
		err = filepath.WalkDir(walkRoot, func(wp string, d fs.DirEntry, err error) error {
			p := wp
			if walkRoot != root {
				if rel, rerr := filepath.Rel(walkRoot, wp); rerr == nil {
					p = filepath.Join(root, rel)
				}
			}
			if err != nil {
				if d != nil && d.IsDir() || wp == walkRoot {
					skips = append(skips, Skip{Path: p, Reason: "cannot read directory: " + pathErr(err), Err: true})
					return filepath.SkipDir
				}
				skips = append(skips, Skip{Path: p, Reason: "cannot read: " + pathErr(err), Err: true})
				return nil
			}
			rel, _ := filepath.Rel(walkRoot, wp)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if wp != walkRoot && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".") || excluded(exclude, rel, p, d.Name())) {
					return filepath.SkipDir
				}
				return nil
			}
			if !hasManifestExt(p) || skipByName(rel) || excluded(exclude, rel, p, d.Name()) {
				return nil
			}
			mode := d.Type()
			if mode&fs.ModeSymlink != 0 {
				st, err := os.Stat(wp)
				if err != nil {
					skips = append(skips, Skip{Path: p, Reason: "not followed: a broken symbolic link"})
					return nil
				}
				mode = st.Mode().Type()
				if st.IsDir() {
					skips = append(skips, Skip{Path: p, Reason: "not followed: a symbolic link to a directory"})
					return nil
				}
			}
			if k := safefile.Kind(mode); k != "" {
				skips = append(skips, Skip{Path: p, Reason: "not read: a " + k})
				return nil
			}
			if !walked[p] {
				walked[p] = true
				candidates = append(candidates, [2]string{p, wp})
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	for i, ok := range sniffAll(candidates) {
		if ok {
			add(candidates[i][0])
		}
	}
	sort.Strings(out)
	return out, skips, nil
}

// sniffAll sniffs the walked paths of files on GOMAXPROCS workers and
// reports, for each, whether it is returned: it looks like a manifest, or
// it cannot be read (the caller's read names the error).
func sniffAll(files [][2]string) []bool {
	keep := make([]bool, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ok, err := sniff(files[i][1])
				keep[i] = ok || err != nil
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return keep
}

// pathErr returns the reason of a *fs.PathError, without its path.
func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func hasManifestExt(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func excluded(globs []string, rel, p, base string) bool {
	p = filepath.ToSlash(p)
	for _, g := range globs {
		g = strings.TrimPrefix(filepath.ToSlash(g), "./")
		if ok, _ := doublestar.Match(g, rel); ok {
			return true
		}
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
		if !strings.Contains(g, "/") {
			if ok, _ := doublestar.Match(g, base); ok {
				return true
			}
		}
	}
	return false
}

// sniff reports whether the file looks like a manifest: its first
// sniffSize bytes of content, leaving out blank and comment lines (a
// license header of any length), match manifestRE. It reads at most the
// size a manifest may have.
func sniff(p string) (bool, error) {
	f, err := safefile.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.LimitReader(f, safefile.MaxManifest), 64<<10)
	var content []byte
	for len(content) < sniffSize {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// a line longer than the buffer is content
			content = append(content, line...)
			for err == bufio.ErrBufferFull {
				line, err = r.ReadSlice('\n')
			}
			continue
		}
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			content = append(content, line...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, err
		}
	}
	return sniffMatch(content), nil
}

// sniffNeedles hold a literal of every alternative of manifestRE, in lower
// case: content without any of them cannot match, and is turned away
// without running the expression (most of a tree's JSON and YAML files).
var sniffNeedles = [][]byte{
	[]byte("apiversion"), []byte("kind"), []byte("services"), []byte("static_resources"),
	[]byte("dynamic_resources"), []byte("networking"), []byte("socket_address"), []byte("patches"),
	[]byte("replacements"), []byte("type:"), []byte("port"), []byte("addr"), []byte("listen"),
	[]byte("bind"), []byte("endpoint"), []byte("url"), []byte("broker"), []byte("target"),
	[]byte("upstream"), []byte("servers"), []byte("peer"),
}

// sniffMatch reports whether content matches manifestRE.
func sniffMatch(content []byte) bool {
	// as the expression's (?i) folds: ToLower maps the Kelvin sign to k;
	// the long s, the only other letter that folds to an ASCII one, to s
	lower := bytes.ToLower(content)
	if long := []byte("\u017f"); bytes.Contains(lower, long) {
		lower = bytes.ReplaceAll(lower, long, []byte("s"))
	}
	for _, n := range sniffNeedles {
		if bytes.Contains(lower, n) {
			return manifestRE.Match(content)
		}
	}
	return false
}
