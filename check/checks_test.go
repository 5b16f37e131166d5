package check_test

import (
	"testing"

	"github.com/portlint/portlint/check"
)

// TestSelect checks the order: "all" first, then the checks named.
func TestSelect(t *testing.T) {
	s := check.DefaultSet()
	s.Select([]string{"bind"}, []string{"all"})
	for _, c := range check.Checks {
		if s[c.Name] != (c.Name == "bind") {
			t.Errorf("-disable all -enable bind: %s is %v", c.Name, s[c.Name])
		}
	}
	s = check.DefaultSet()
	s.Select([]string{"all"}, []string{"unused"})
	for _, c := range check.Checks {
		if s[c.Name] != (c.Name != "unused") {
			t.Errorf("-enable all -disable unused: %s is %v", c.Name, s[c.Name])
		}
	}
}

func TestTestPaths(t *testing.T) {
	for rel, want := range map[string]bool{
		"pkg/test/echo":                  true,
		"pkg/test/framework/components":  true,
		"pilot/pkg/serviceregistry/mock": true,
		"internal/testutil":              true,
		"tests/integration/pilot":        true,
		"pkg/e2e-tests/x":                true,
		"integration_test":               true,
		"pkg/kube/fake":                  true,
		"model/zipkin/fixtures":          true,
		"cmd/server":                     false,
		"pkg/testing":                    false, // a package named testing may be the product's (a test-run service)
		"pkg/latest":                     false,
		"contest/server":                 false,
		"pkg/attest":                     false,
		".":                              false,
	} {
		if got := check.IsTestDir(rel); got != want {
			t.Errorf("IsTestDir(%q) = %v, want %v", rel, got, want)
		}
	}
	for rel, want := range map[string]bool{
		"deploy/test/web.yaml": true,
		"test.yaml":            false,
		"deploy/web.yaml":      false,
		"e2e/kind.yaml":        true,
	} {
		if got := check.IsTestFile(rel); got != want {
			t.Errorf("IsTestFile(%q) = %v, want %v", rel, got, want)
		}
	}
}
