package manifest

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// skipDirs are never walked into.
var skipDirs = map[string]bool{"vendor": true, "testdata": true, "node_modules": true, ".git": true}

// sniffSize is how much of a file Discover reads to decide.
const sniffSize = 64 << 10

// manifestRE finds what makes a file worth scanning: the top-level keys of
// the recognised formats, or a key that says port, addr, listen, bind or
// endpoint.
var manifestRE = regexp.MustCompile(`(?im)^\s*"?(apiVersion|kind|services|static_resources|dynamic_resources|networking|socket_address)"?\s*:` +
	`|^type:\s*(Dataplane|ZoneIngress|ZoneEgress|MeshGateway)\b` +
	`|(port|ports|addr|address|listen|bind|endpoint|endpoints|url)"?\s*:|(PORT|ADDR|LISTEN)[A-Z_]*=`)

// Discover returns the manifests under the roots, sorted: files named .yaml,
// .yml or .json whose first 64 KiB hold a manifest's keys or a port
// context. It skips vendor/, testdata/, node_modules/ and hidden
// directories, well-known files that are not manifests (CI workflows,
// Chart.yaml, linter configs), and whatever an exclude glob matches. An
// exclude glob is matched against the path relative to its root, the path
// as walked, and (when it has no "/") the base name; a matched directory is
// skipped whole. A root that is a file is returned as it is when its
// extension fits. A file that cannot be read is returned too, so that the
// caller's read names the error instead of the walk ending on it.
func Discover(roots []string, exclude []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, root := range roots {
		st, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if hasManifestExt(root) {
				add(root)
			}
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if p != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".") || excluded(exclude, rel, p, d.Name())) {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !hasManifestExt(p) || skipByName(rel) || excluded(exclude, rel, p, d.Name()) {
				return nil
			}
			if ok, err := sniff(p); err != nil || ok {
				add(p) // unreadable: the caller reads it and names the error
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
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

func sniff(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, sniffSize)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, err
	}
	return manifestRE.Match(buf[:n]), nil
}
