package registry_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/portlint/portlint/registry"
)

const docsPath = "../docs/registry.md"

var docRuleRE = regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\| (error|warning|info) \\| (load|validation) \\| (.+) \\|$")

// TestDocsRules keeps the rules table of docs/registry.md in step with
// registry.Rules: every rule, with its severity and kind, in order, and no
// rule that does not exist.
func TestDocsRules(t *testing.T) {
	doc := string(readFile(t, docsPath))
	rows := docRuleRE.FindAllStringSubmatch(doc, -1)
	documented := map[string][]string{}
	var order []string
	for _, m := range rows {
		documented[m[1]] = m
		order = append(order, m[1])
		if registry.LookupRule(m[1]) == nil {
			t.Errorf("%s documents rule %q, which registry.Rules does not have", docsPath, m[1])
		}
	}
	var want []string
	for _, r := range registry.Rules {
		want = append(want, r.Name)
		m := documented[r.Name]
		if m == nil {
			t.Errorf("%s does not document rule %s: add a row | `%s` | %s | ... | to its rules table", docsPath, r.Name, r.Name, r.Severity)
			continue
		}
		kind := "validation"
		if r.Load {
			kind = "load"
		}
		if m[2] != r.Severity.String() || m[3] != kind {
			t.Errorf("%s: rule %s is documented as %s %s, but is %s %s", docsPath, r.Name, m[2], m[3], r.Severity, kind)
		}
	}
	if strings.Join(order, " ") != strings.Join(want, " ") && len(order) == len(want) {
		t.Errorf("%s lists the rules in another order than registry.Rules:\n got %v\nwant %v", docsPath, order, want)
	}
}

// TestDocsKeys checks that docs/registry.md has a table row for every key
// of the format (the schema's keys, which TestSchemaKeys ties to the
// loader's).
func TestDocsKeys(t *testing.T) {
	doc := string(readFile(t, docsPath))
	var schema struct {
		Properties map[string]json.RawMessage
		Defs       map[string]struct {
			Properties map[string]json.RawMessage
		} `json:"$defs"`
	}
	if err := json.Unmarshal(readFile(t, schemaPath), &schema); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for k := range schema.Properties {
		keys[k] = true
	}
	for _, d := range schema.Defs {
		for k := range d.Properties {
			keys[k] = true
		}
	}
	if len(keys) < 30 {
		t.Fatalf("found only %d keys in the schema", len(keys))
	}
	for k := range keys {
		if !strings.Contains(doc, "\n| `"+k+"` |") {
			t.Errorf("%s has no table row for key %q", docsPath, k)
		}
	}
}
