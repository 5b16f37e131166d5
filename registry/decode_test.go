package registry_test

import (
	"testing"

	"github.com/portlint/portlint/registry"
)

// TestMergeKeys checks YAML merge keys: keys written in the mapping win
// over merged ones, and among merged mappings the first wins.
func TestMergeKeys(t *testing.T) {
	src := `version: 1
groups:
  g: {pool: "[1000, 2000)"}
  h: {pool: "[1000, 2000)"}
components:
  - &a {name: a, group: g, doc: from a, ports: [{port: 1000}]}
  - &b {name: b, group: h, doc: from b, since: "2024", ports: [{port: 1001}]}
  - <<: [*a, *b]
    name: c
    ports: [{port: 1002}]
  - <<: *b
    name: d
    group: g
    doc: its own
    ports: [{port: 1003}]
`
	reg, err := registry.Parse("merge.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, group, doc, since string }{
		{"c", "g", "from a", "2024"},
		{"d", "g", "its own", "2024"},
	} {
		c := reg.Component(tc.name)
		if c == nil {
			t.Fatalf("no component %s", tc.name)
		}
		if c.Group.Name != tc.group || c.Doc != tc.doc || c.Since != tc.since {
			t.Errorf("component %s: group %s, doc %q, since %q; want %s, %q, %q", tc.name, c.Group.Name, c.Doc, c.Since, tc.group, tc.doc, tc.since)
		}
	}
	// A key twice in one mapping is an error; once written and once merged
	// is not.
	_, err = registry.Parse("twice.yaml", []byte("version: 1\ngroups:\n  g: {pool: 1000, pool: 1001}\n"))
	if err == nil || err.Error() != `twice.yaml:3:19: key "pool" appears twice in group g [duplicate-name]` {
		t.Errorf("got %v, want the duplicate key", err)
	}
}
