// Package plugin makes portlint a golangci-lint v2 module plugin.
//
// Importing the package registers the linter "portlint" with
// github.com/golangci/plugin-module-register. A golangci-lint built with it
// (golangci-lint custom, or tools/custom-gcl in this repository) runs
// portlint when .golangci.yml enables it:
//
//	linters:
//	  enable: [portlint]
//	  settings:
//	    custom:
//	      portlint:
//	        type: module
//	        settings:
//	          registry: registry.yaml
//	          disable: [unregistered]
//
// The plugin checks Go code only: golangci-lint drops findings located in
// other files, so manifests are checked by the portlint command.
//
// golangci-lint caches results per package, keyed by the package's Go files
// and the names of the analyzers that ran. The registry is not a Go file, so
// the plugin returns, beside the portlint analyzer, a second analyzer that
// does nothing but carry a digest of every registry and .portlint.yaml the
// run can use in its name: an edited registry changes the name, and with it
// the cache key.
package plugin

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/registry"
)

// Name is the linter's name in golangci-lint: the key under
// linters.settings.custom, the name in linters.enable and in
// //nolint:portlint directives.
const Name = "portlint"

func init() {
	register.Plugin(Name, New)
}

// Settings are the plugin's settings, the "settings" mapping under
// linters.settings.custom.portlint in .golangci.yml. Unknown keys are
// errors.
type Settings struct {
	// Registry is the registry file. A relative path is resolved against
	// the module root: the directory of the nearest go.mod at or above the
	// directory golangci-lint runs in. golangci-lint tells a plugin nothing
	// but its settings, so the location of .golangci.yml is not known.
	// Empty: each package uses .portlint.yaml's registry, else the nearest
	// registry.yaml above it, else the plan built into portlint.
	Registry string `json:"registry"`
	// Enable lists checks to turn on besides the defaults ("all" for every
	// check).
	Enable []string `json:"enable"`
	// Disable lists checks to turn off.
	Disable []string `json:"disable"`
	// Tests checks _test.go files too. golangci-lint must load them as
	// well (run.tests, on by default).
	Tests bool `json:"tests"`
	// Generated checks generated files too. golangci-lint hides findings
	// in generated files unless linters.exclusions.generated is "disable".
	Generated bool `json:"generated"`
}

// settingNames lists the keys Settings accepts, for error messages.
func settingNames() string {
	t := reflect.TypeFor[Settings]()
	var names []string
	for i := range t.NumField() {
		names = append(names, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	return strings.Join(names, ", ")
}

// New decodes the settings and returns the plugin; golangci-lint calls it
// once per run with linters.settings.custom.portlint.settings.
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("portlint settings: %w (the settings are %s)", err, settingNames())
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return newPlugin(s, wd)
}

// portlintPlugin is the register.LinterPlugin golangci-lint drives.
type portlintPlugin struct {
	opts analyzer.Options
	root string // module root: relative paths are resolved against it
	wd   string // where golangci-lint runs
}

func newPlugin(s Settings, wd string) (*portlintPlugin, error) {
	p := &portlintPlugin{wd: wd, root: moduleRoot(wd)}
	enabled := check.DefaultSet()
	if path := config.Find(wd); path != "" {
		cfg, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		enabled.Select(cfg.Enable, cfg.Disable)
	}
	enable, errEnable := checkNames("enable", s.Enable, true)
	disable, errDisable := checkNames("disable", s.Disable, false)
	if err := errors.Join(errEnable, errDisable); err != nil {
		return nil, err
	}
	enabled.Select(enable, disable)
	// golangci-lint prints the message alone: the remedy goes into it
	p.opts = analyzer.Options{Enabled: enabled, Tests: s.Tests, Generated: s.Generated, HintInMessage: true}
	if s.Registry != "" {
		path := s.Registry
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.root, path)
		}
		path = filepath.Clean(path)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("portlint settings: registry %s: no such file (a relative path is resolved against the module root %s)", path, p.root)
		}
		// .golangci.yml is the repository's own: what it names stays inside.
		reg, err := config.LoadRegistry(config.Source{Path: path, How: config.FromFlag, Root: config.RepoRoot(p.root)})
		if err != nil {
			return nil, fmt.Errorf("portlint settings: %w", err)
		}
		warnProblems(path, reg)
		p.opts.RegistryPath = path
	}
	return p, nil
}

// checkNames validates one of the enable and disable lists. An entry may
// itself be a comma-separated list, as on the portlint command line.
func checkNames(key string, list []string, on bool) ([]string, error) {
	var out, bad []string
	for _, entry := range list {
		names, err := check.ParseList(entry)
		if err != nil {
			bad = append(bad, fmt.Sprintf("portlint settings: %s: %v", key, err))
			continue
		}
		for _, n := range names {
			if c := check.Lookup(n); on && c != nil && c.Tree {
				bad = append(bad, fmt.Sprintf("portlint settings: %s: check %q needs the whole tree, which a golangci-lint plugin never sees; the portlint command runs it", key, n))
			}
		}
		out = append(out, names...)
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "\n"))
	}
	return out, nil
}

// warnProblems says on stderr that a registry has errors, as the portlint
// command does: findings against a broken plan are unreliable.
func warnProblems(path string, reg *registry.Registry) {
	n := 0
	for _, d := range reg.Problems {
		if d.Severity == registry.SevError {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(os.Stderr, "WARN [portlint] %s has %d errors; run 'portlint registry check'\n", path, n)
	}
}

// BuildAnalyzers returns the portlint analyzer and the analyzer whose name
// carries the digest of the registries.
func (p *portlintPlugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	plan, err := fingerprint(p.root, p.wd, p.opts.RegistryPath)
	if err != nil {
		return nil, err
	}
	return []*analysis.Analyzer{analyzer.NewWithOptions(p.opts), plan.analyzer()}, nil
}

// GetLoadMode asks golangci-lint for type information: portlint resolves
// constant port expressions and the callees of net and net/http calls.
func (p *portlintPlugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}

// moduleRoot returns the directory of the nearest go.mod at or above dir,
// or dir itself when there is none.
func moduleRoot(dir string) string {
	for d := dir; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
