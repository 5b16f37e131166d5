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
