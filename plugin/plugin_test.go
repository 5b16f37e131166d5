package plugin_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	_ "github.com/portlint/portlint/plugin"
)

// build goes the way golangci-lint goes: the registered constructor, the
// settings as YAML decodes them, then BuildAnalyzers.
func build(t *testing.T, settings any) []*analysis.Analyzer {
	t.Helper()
	newPlugin, err := register.GetPlugin("portlint")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(settings)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.GetLoadMode(); got != register.LoadModeTypesInfo {
		t.Errorf("GetLoadMode() = %q, want %q", got, register.LoadModeTypesInfo)
	}
	analyzers, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	if err := analysis.Validate(analyzers); err != nil {
		t.Fatal(err)
	}
	if len(analyzers) != 2 || analyzers[0].Name != "portlint" || !strings.HasPrefix(analyzers[1].Name, "portlint_plan_") {
		t.Fatalf("BuildAnalyzers() = %v, want portlint and portlint_plan_<digest>", analyzers)
	}
	return analyzers
}

// TestPlugin checks a package through the registered plugin, with the
// registry given relative to the module root and unregistered disabled:
// test files are skipped, //portlint:ignore holds.
func TestPlugin(t *testing.T) {
	analyzers := build(t, map[string]any{
		"registry": "plugin/testdata/registry.yaml",
		"disable":  []any{"unregistered"},
	})
	analysistest.Run(t, analysistest.TestData(), analyzers[0], "plugintest")
}

// TestPluginTests turns the tests setting on: a test file's finding is
// reported.
func TestPluginTests(t *testing.T) {
	analyzers := build(t, map[string]any{
		"registry": "plugin/testdata/registry.yaml",
		"tests":    true,
	})
	analysistest.Run(t, analysistest.TestData(), analyzers[0], "withtests")
}

// TestSettingsErrors feeds settings golangci-lint would pass for a
// mistyped .golangci.yml: each must fail, saying what is wrong.
func TestSettingsErrors(t *testing.T) {
	newPlugin, err := register.GetPlugin("portlint")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		settings map[string]any
		want     []string
	}{
		{"unknown key", map[string]any{"reigstry": "registry.yaml"},
			[]string{`unknown field "reigstry"`, "the settings are registry, enable, disable, tests, generated"}},
		{"list as text", map[string]any{"disable": "unregistered"},
			[]string{"cannot unmarshal string", "disable"}},
		{"tests as text", map[string]any{"tests": "yes"},
			[]string{"cannot unmarshal string", "tests"}},
		{"unknown check", map[string]any{"enable": []any{"retird"}},
			[]string{`enable: unknown check "retird"; the checks are conflict,`}},
		{"unknown check in a comma list", map[string]any{"disable": []any{"bind,reserve"}},
			[]string{`disable: unknown check "reserve"`}},
		{"whole-tree check", map[string]any{"enable": []any{"duplicate"}},
			[]string{`check "duplicate" needs the whole tree`}},
		{"missing registry", map[string]any{"registry": "testdata/registry.yaml"},
			[]string{"registry " + filepath.Join(moduleRoot(t), "testdata", "registry.yaml") + ": no such file", "resolved against the module root"}},
		{"registry outside the repository", map[string]any{"registry": "/etc/passwd"},
			[]string{"/etc/passwd is outside the repository", "portlint settings"}},
		{"broken registry", map[string]any{"registry": "plugin/testdata/broken.yaml"},
			[]string{"broken.yaml:3:", "portlint settings"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newPlugin(tc.settings)
			if err == nil {
				t.Fatalf("New(%v) succeeded", tc.settings)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New(%v) = %q, want it to say %q", tc.settings, err, w)
				}
			}
		})
	}
}

// TestNoSettings builds the plugin as a .golangci.yml without a settings
// mapping does.
func TestNoSettings(t *testing.T) {
	build(t, nil)
	build(t, map[string]any{})
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..") // the test runs in plugin/
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestImports keeps plugin-module-register out of the command and the
// analyzer: only the plugin package may pull it in.
func TestImports(t *testing.T) {
	const register = "github.com/golangci/plugin-module-register/register"
	pkgs := []string{".", "../cmd/portlint", "../internal/cli", "../analyzer", "../check", "../registry", "../manifest"}
	out, err := exec.Command("go", append([]string{"list", "-f", `{{.ImportPath}} {{join .Deps " "}}`}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(pkgs) {
		t.Fatalf("go list printed %d packages, want %d:\n%s", len(lines), len(pkgs), out)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		imports := slices.Contains(f[1:], register)
		if isPlugin := f[0] == "github.com/portlint/portlint/plugin"; imports != isPlugin {
			t.Errorf("%s imports %s: %v, want %v", f[0], register, imports, isPlugin)
		}
	}
}
