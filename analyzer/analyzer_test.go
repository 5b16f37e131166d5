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

// TestFlagship runs the fixtures written against the engine's plan.
func TestFlagship(t *testing.T) {
	for _, pkg := range []string{"listen", "dial"} {
		t.Run(pkg, func(t *testing.T) {
			analysistest.Run(t, analysistest.TestData(), analyzer.New(flagship(t)), pkg)
		})
	}
}
