// Package config finds and reads portlint's project configuration
// (.portlint.yaml) and decides which registry a run uses:
// an explicit path, the config's "registry", the nearest registry.yaml
// walking up from the working directory, or the embedded default.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/safefile"
	"github.com/portlint/portlint/registry"
)

// FileName is the name of the project configuration file.
const FileName = ".portlint.yaml"

// Config is the content of .portlint.yaml.
type Config struct {
	File     string            // where it was read from
	Dir      string            // its directory: relative paths are relative to it
	Root     string            // the repository it belongs to (RepoRoot of Dir); "" for a file the user named
	Registry string            // registry path, relative to Dir, inside Root
	Include  []string          // globs (relative to Dir) of files to scan; empty: all
	Exclude  []string          // globs of files and directories to skip
	Tests    []string          // globs of files and directories that are test code (checked with -test)
	Enable   []string          // checks to enable
	Disable  []string          // checks to disable
	Severity map[string]string // check name -> error|warning|note
	Baseline string            // baseline file, relative to Dir, inside Root
	Charts   []Chart           // Helm charts: values and overrides to render them with (charts.go)
}

// Find returns the path of the nearest .portlint.yaml in dir or its
// parents up to the project root (see Root), or "".
func Find(dir string) string {
	return walkUp(dir, FileName)
}

// vcsDirs are the entries that mark the root of a version-controlled
// repository.
var vcsDirs = []string{".git", ".hg", ".svn", ".bzr", ".jj", "_darcs", ".fslckout"}

func isVCSRoot(d string) bool {
	for _, v := range vcsDirs {
		if _, err := os.Lstat(filepath.Join(d, v)); err == nil {
			return true
		}
	}
	return false
}

func isModuleRoot(d string) bool {
	st, err := os.Stat(filepath.Join(d, "go.mod"))
	return err == nil && !st.IsDir()
}

// Root returns the directory where discovery of .portlint.yaml and
// registry.yaml stops: the nearest directory at or above dir that holds a
// go.mod or is the root of a repository (.git, .hg, ...). When neither is
// found up to the file system's root, it is dir itself: a plan planted in
// a parent directory of a checkout never applies to it.
func Root(dir string) string {
	start, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Clean(dir)
	}
	for d := start; ; {
		if isModuleRoot(d) || isVCSRoot(d) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return start
		}
		d = parent
	}
}

// RepoRoot returns the root of the repository that holds dir: the nearest
// version-control root at or above it, else Root(dir). Files that a
// repository's own configuration names (a registry in .portlint.yaml or in
// the golangci-lint settings) must lie inside it.
func RepoRoot(dir string) string {
	start, err := filepath.Abs(dir)
	if err != nil {
		return Root(dir)
	}
	for d := start; ; {
		if isVCSRoot(d) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return Root(dir)
		}
		d = parent
	}
}

// walkUp looks for name in dir and its parents, up to Root(dir): a plan
// belongs to a project, and a module inside another repository's tree
// keeps its own.
func walkUp(dir, name string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	root := Root(d)
	for {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		if d == root {
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// An OutsideError says that a repository names a file outside itself.
type OutsideError struct {
	Path string // the file as named
	Real string // where it leads, links resolved
	Root string // the repository root it must stay in
}

func (e *OutsideError) Error() string {
	where := e.Path
	if e.Real != "" && e.Real != e.Path {
		where += " (which leads to " + e.Real + ")"
	}
	return fmt.Sprintf("%s is outside the repository %s; a repository's configuration may name only its own files (name a plan elsewhere with -registry)", where, e.Root)
}

// Contained checks that path, named by a repository whose root is root,
// lies inside it, both as written and with symbolic links resolved. A path
// that does not exist is judged as written.
func Contained(root, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	if !within(absRoot, abs) {
		return &OutsideError{Path: path, Root: absRoot}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil // it does not exist (yet): reading it will say so
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		realRoot = absRoot
	}
	if !within(realRoot, real) {
		return &OutsideError{Path: path, Real: real, Root: absRoot}
	}
	return nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// An Error is a positioned problem in a configuration file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg) }

// Load reads a configuration file strictly: unknown keys, wrong types and
// unknown check names are errors, all reported together.
func Load(path string) (*Config, error) {
	if err := Contained(RepoRoot(filepath.Dir(path)), path); err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	data, err := safefile.Read(path, safefile.MaxConfig)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data)
}

// LoadNamed reads a configuration file the user named (portlint -config):
// it may lie anywhere, and so may the registry it names. Relative paths in
// it are relative to its directory, as for a file found in the tree.
func LoadNamed(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return parse(path, data, false)
}

// Parse decodes configuration data; path names it in errors.
func Parse(path string, data []byte) (*Config, error) { return parse(path, data, true) }

// parse decodes configuration data. A config found in a repository
// (contained) may name only files inside the repository; one the user names
// has no Root and no such bound.
func parse(path string, data []byte, contained bool) (*Config, error) {
	c := &Config{File: path, Dir: filepath.Dir(path)}
	if contained {
		c.Root = RepoRoot(c.Dir)
	}
	var errs []error
	fail := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, &Error{path, n.Line, n.Column, fmt.Sprintf(format, args...)})
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty config is a valid one
		}
		return nil, &Error{path, 1, 1, "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{path, root.Line, root.Column, "the config must be a mapping of keys"}
	}
	str := func(n *yaml.Node, what string) string {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			fail(n, "%s: want text", what)
			return ""
		}
		return n.Value
	}
	list := func(n *yaml.Node, what string) []string {
		if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			return []string{n.Value}
		}
		if n.Kind != yaml.SequenceNode {
			fail(n, "%s: want a list", what)
			return nil
		}
		var out []string
		for _, e := range n.Content {
			if s := str(e, what); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	checks := func(n *yaml.Node, what string) []string {
		names := list(n, what)
		for i, name := range names {
			if name != "all" && check.Lookup(name) == nil {
				at := n
				if n.Kind == yaml.SequenceNode && i < len(n.Content) {
					at = n.Content[i]
				}
				fail(at, "%s: %v", what, &check.UnknownCheckError{Name: name})
			}
		}
		return names
	}
	// inside reports a path the file names outside its repository (a
	// config named with -config has no Root: what the user types may lie
	// anywhere)
	inside := func(v *yaml.Node, key, val string) {
		if val == "" || c.Root == "" {
			return
		}
		p := val
		if !filepath.IsAbs(p) {
			p = filepath.Join(c.Dir, p)
		}
		if err := Contained(c.Root, p); err != nil {
			fail(v, "%s: %v", key, err)
		}
	}
	known := []string{"registry", "include", "exclude", "tests", "checks", "severity", "baseline", "charts"}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "registry":
			c.Registry = str(v, "registry")
			inside(v, "registry", c.Registry)
		case "baseline":
			c.Baseline = str(v, "baseline")
			inside(v, "baseline", c.Baseline)
		case "include":
			c.Include = list(v, "include")
		case "exclude":
			c.Exclude = list(v, "exclude")
		case "tests":
			c.Tests = list(v, "tests")
		case "charts":
			parseCharts(c, v, fail, inside)
		case "checks":
			if v.Kind != yaml.MappingNode {
				fail(v, "checks: want a mapping with enable and disable")
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				ck, cv := v.Content[j], v.Content[j+1]
				switch ck.Value {
				case "enable":
					c.Enable = checks(cv, "checks.enable")
				case "disable":
					c.Disable = checks(cv, "checks.disable")
				default:
					fail(ck, "unknown key %q in checks; known keys: enable, disable", ck.Value)
				}
			}
		case "severity":
			if v.Kind != yaml.MappingNode {
				fail(v, "severity: want a mapping of check names to error, warning or note")
				continue
			}
			c.Severity = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				ck, cv := v.Content[j], v.Content[j+1]
				if check.Lookup(ck.Value) == nil {
					fail(ck, "severity: %v", &check.UnknownCheckError{Name: ck.Value})
					continue
				}
				s := str(cv, "severity."+ck.Value)
				switch s {
				case "error", "warning", "note":
					c.Severity[ck.Value] = s
				default:
					fail(cv, "severity.%s: %q is not error, warning or note", ck.Value, s)
				}
			}
		default:
			fail(k, "unknown key %q in %s; known keys: %s", k.Value, FileName, strings.Join(known, ", "))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// How a run found its registry.
const (
	FromFlag     = "flag"
	FromConfig   = "config"
	FromFound    = "found"
	FromEmbedded = "embedded" // no registry found: the embedded plan
	FromBuiltin  = "builtin"  // -registry builtin: the embedded plan, by name
)

// Builtin is the -registry value that names the embedded plan. A file of
// that name is reached as ./builtin.
const Builtin = "builtin"

// A Source says which registry a run uses and why.
type Source struct {
	Path string // "" for the embedded default
	How  string // FromFlag, FromConfig, FromFound, FromEmbedded or FromBuiltin
	// Root, when set, is the repository that named Path (FromConfig,
	// FromFound): LoadRegistry reads Path only if it lies inside Root,
	// links resolved.
	Root string
}

func (s Source) String() string {
	switch s.How {
	case FromEmbedded:
		return "the embedded default registry"
	case FromBuiltin:
		return "the embedded default registry (from -registry builtin)"
	case FromFlag:
		return s.Path + " (from -registry)"
	case FromConfig:
		return s.Path + " (from " + FileName + ")"
	}
	return s.Path + " (nearest registry.yaml)"
}

// Embedded reports whether the source is the embedded plan, found by
// default or named.
func (s Source) Embedded() bool {
	return s.How == FromEmbedded || s.How == FromBuiltin || s.Path == ""
}

// ResolveRegistry picks the registry: flagPath if set, then cfg.Registry,
// then the nearest registry.yaml in dir or above it up to the module root,
// then the embedded default. A flagPath of Builtin names the embedded plan.
func ResolveRegistry(dir, flagPath string, cfg *Config) Source {
	if flagPath == Builtin {
		return Source{How: FromBuiltin}
	}
	if flagPath != "" {
		if !filepath.IsAbs(flagPath) {
			flagPath = filepath.Join(dir, flagPath)
		}
		return Source{Path: filepath.Clean(flagPath), How: FromFlag}
	}
	if cfg != nil && cfg.Registry != "" {
		p := cfg.Registry
		if !filepath.IsAbs(p) {
			p = filepath.Join(cfg.Dir, p)
		}
		return Source{filepath.Clean(p), FromConfig, cfg.Root}
	}
	if p := walkUp(dir, "registry.yaml"); p != "" {
		return Source{p, FromFound, RepoRoot(filepath.Dir(p))}
	}
	return Source{How: FromEmbedded}
}

// LoadRegistry loads the registry a Source names. Loads are cached per
// process, keyed by path, size and modification time, so an edited file is
// read again and an unchanged one is not.
func LoadRegistry(src Source) (*registry.Registry, error) {
	if src.Embedded() {
		return portlint.DefaultRegistry()
	}
	if src.Root != "" {
		if err := Contained(src.Root, src.Path); err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
	}
	st, err := safefile.Check(src.Path, safefile.MaxRegistry)
	if err != nil {
		return nil, fmt.Errorf("reading registry: %w", err)
	}
	key := cacheKey{src.Path, st.Size(), st.ModTime().UnixNano()}
	cache.Lock()
	defer cache.Unlock()
	if e, ok := cache.m[key]; ok {
		return e.reg, e.err
	}
	reg, err := registry.Load(src.Path)
	if cache.m == nil {
		cache.m = map[cacheKey]cacheEntry{}
	}
	cache.m[key] = cacheEntry{reg, err}
	return reg, err
}

type cacheKey struct {
	path  string
	size  int64
	mtime int64
}

type cacheEntry struct {
	reg *registry.Registry
	err error
}

var cache struct {
	sync.Mutex
	m map[cacheKey]cacheEntry
}
