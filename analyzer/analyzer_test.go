package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/registry"
)

func flagship(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := portlint.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestFlagship runs the fixtures written against the engine's plan, in one
// load so that they share type-checking.
func TestFlagship(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)),
		"listen", "dial", "defaults", "resolve", "checks", "unattributed", "attrfile",
		"example.com/engine/cmd/webserver", "example.com/tools/polycube", "ignore", "negatives")
}

// TestFixes applies the retired-port fixes and compares with .golden files:
// a literal, a string, a struct tag, and a named constant fixed once at its
// declaration.
func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.New(flagship(t)), "fix")
}

// TestDiscoveredRegistry runs the flag-configured Analyzer, which finds the
// registry.yaml beside the package: a plan that reassigns a retired port.
func TestDiscoveredRegistry(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "reassign")
}
