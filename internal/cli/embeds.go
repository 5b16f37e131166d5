package cli

import (
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/portlint/portlint/internal/safefile"
)

// embedders finds the Go package that embeds a file (//go:embed): a
// configuration a package compiles into its binary is its component's
// default, whatever the file's name says (cmd/jaeger/internal embeds
// all-in-one.yaml as the v2 binary's defaults). Results are cached per
// directory; directories outside a Go module embed nothing.
type embedders struct {
	dirs map[string][]embedDirective // directory -> its Go files' patterns
	mods map[string]string           // module root -> module path ("" when none)
}

// An embedDirective is one //go:embed pattern of a package directory.
type embedDirective struct{ pattern string }

// packageOf returns the import path of the package whose //go:embed
// directives name the file, or "".
func (e *embedders) packageOf(file string) string {
	if e.dirs == nil {
		e.dirs, e.mods = map[string][]embedDirective{}, map[string]string{}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	root, modPath := e.module(filepath.Dir(abs))
	if modPath == "" {
		return ""
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		rel, err := filepath.Rel(d, abs)
		if err != nil {
			return ""
		}
		rel = filepath.ToSlash(rel)
		for _, ed := range e.directives(d) {
			if embedMatches(ed.pattern, rel) {
				pkgRel, err := filepath.Rel(root, d)
				if err != nil {
					return ""
				}
				if pkgRel == "." {
					return modPath
				}
				return modPath + "/" + filepath.ToSlash(pkgRel)
			}
		}
		if d == root || filepath.Dir(d) == d {
			return ""
		}
	}
}

// embedMatches reports whether a //go:embed pattern names rel, a path
// below the package directory: the file itself or a directory above it.
func embedMatches(pattern, rel string) bool {
	pattern = strings.TrimPrefix(pattern, "all:")
	for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if ok, _ := path.Match(pattern, p); ok {
			return true
		}
	}
	return false
}

// module returns the root and path of the module holding dir.
func (e *embedders) module(dir string) (string, string) {
	for d := dir; ; d = filepath.Dir(d) {
		if p, ok := e.mods[d]; ok {
			return d, p
		}
		data, err := safefile.Read(filepath.Join(d, "go.mod"), safefile.MaxSource)
		if err == nil {
			p := modfile.ModulePath(data)
			e.mods[d] = p
			return d, p
		}
		if filepath.Dir(d) == d {
			return "", ""
		}
	}
}

// directives returns the //go:embed patterns of the Go files (tests
// left out) in dir.
func (e *embedders) directives(dir string) []embedDirective {
	if ds, ok := e.dirs[dir]; ok {
		return ds
	}
	var out []embedDirective
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		n := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		data, err := safefile.Read(filepath.Join(dir, n), safefile.MaxSource)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//go:embed ")
			if !ok {
				continue
			}
			for _, p := range embedPatterns(rest) {
				out = append(out, embedDirective{p})
			}
		}
	}
	e.dirs[dir] = out
	return out
}

// embedPatterns splits the patterns of a //go:embed line: words, or Go
// string literals ("a b.yaml", `c.yaml`).
func embedPatterns(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		switch s[0] {
		case '"', '`':
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return out
			}
			lit := s[:end+2]
			if v, err := strconv.Unquote(lit); err == nil {
				out = append(out, v)
			}
			s = s[end+2:]
		default:
			i := strings.IndexAny(s, " \t")
			if i < 0 {
				i = len(s)
			}
			out = append(out, s[:i])
			s = s[i:]
		}
	}
	return out
}
