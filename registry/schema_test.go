package registry_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/registry"
)

const schemaPath = "../schema/registry.schema.json"

var compileSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// Compile checks the schema against its meta-schema too.
	return c.Compile(schemaPath)
})

func registrySchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := compileSchema()
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaPath, err)
	}
	return sch
}

// yamlToJSON turns a YAML document into the JSON value an editor's schema
// validation sees: aliases and merge keys resolved, every key a string.
func yamlToJSON(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(stringKeys(v))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

func stringKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = stringKeys(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = stringKeys(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = stringKeys(e)
		}
	}
	return v
}

func validateYAML(t *testing.T, data []byte) error {
	t.Helper()
	v, err := yamlToJSON(data)
	if err != nil {
		t.Fatalf("converting to JSON: %v", err)
	}
	return registrySchema(t).Validate(v)
}

// fixtureFiles lists every registry file of the package's tests.
func fixtureFiles(t *testing.T) []string {
	t.Helper()
	var all []string
	for _, pat := range []string{"testdata/rules/*/*.yaml", "testdata/broken/*.yaml", "testdata/query/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, m...)
	}
	if len(all) < 50 {
		t.Fatalf("found only %d fixtures", len(all))
	}
	return all
}

func TestSchemaAcceptsValidRegistries(t *testing.T) {
	if err := validateYAML(t, readFile(t, flagshipPath)); err != nil {
		t.Errorf("%s: %v", flagshipPath, err)
	}
	valid := 0
	for _, file := range fixtureFiles(t) {
		data := readFile(t, file)
		if _, err := registry.Parse(file, data); err != nil {
			continue // not a valid registry
		}
		valid++
		if err := validateYAML(t, data); err != nil {
			t.Errorf("%s loads, but the schema rejects it: %v", file, err)
		}
	}
	if valid < 30 {
		t.Errorf("only %d valid fixtures", valid)
	}
}

// TestSchemaRejects checks the schema against registries the loader
// rejects for their shape: the fixtures of the shape rules, and more.
func TestSchemaRejects(t *testing.T) {
	files := []string{"testdata/broken/unknown-key.yaml", "testdata/broken/wrong-type.yaml", "testdata/broken/bad-interval.yaml", "testdata/broken/port-70000.yaml"}
	for _, rule := range []string{"unknown-key", "wrong-type", "bad-value"} {
		m, _ := filepath.Glob(filepath.Join(rulesDir, rule, "fires*.yaml"))
		files = append(files, m...)
	}
	files = append(files, filepath.Join(rulesDir, "missing-key", "fires.yaml"))
	for _, file := range files {
		data := readFile(t, file)
		if _, err := registry.Parse(file, data); err == nil {
			t.Errorf("%s loads; it should not", file)
		}
		if err := validateYAML(t, data); err == nil {
			t.Errorf("the schema accepts %s", file)
		}
	}
	const base = "version: 1\ngroups:\n  g: {pool: \"[1000, 2000)\"}\n"
	for _, tc := range []struct{ name, src string }{
		{"unknown top-level key", base + "owners: []\n"},
		{"unknown key in a port", base + "components:\n  - {name: a, group: g, ports: [{port: 1000, listen: true}]}\n"},
		{"no version", "groups:\n  g: {pool: 1000}\n"},
		{"version 2", "version: 2\ngroups:\n  g: {pool: 1000}\n"},
		{"port as text", base + "components:\n  - {name: a, group: g, ports: [{port: \"1000\"}]}\n"},
		{"port 0", base + "components:\n  - {name: a, group: g, ports: [{port: 0}]}\n"},
		{"port and span", base + "components:\n  - {name: a, group: g, ports: [{port: 1000, span: \"[1000, 1002)\"}]}\n"},
		{"neither port nor span", base + "components:\n  - {name: a, group: g, ports: [{proto: tcp}]}\n"},
		{"ports as a mapping", base + "components:\n  - {name: a, group: g, ports: {port: 1000}}\n"},
		{"unallocated as text", base + "ranges:\n  - {name: r, group: g, span: 1000, unallocated: \"yes\"}\n"},
		{"range without group or within", base + "ranges:\n  - {name: r, span: 1000}\n"},
		{"interval with a stray letter", base + "ranges:\n  - {name: r, group: g, span: \"[1000, 1100x)\"}\n"},
		{"interval of seven digits", base + "ranges:\n  - {name: r, group: g, span: \"[1000, 0001100)\"}\n"},
		{"bad protocol", base + "components:\n  - {name: a, group: g, ports: [{port: 1000, proto: http}]}\n"},
		{"bind with a port", base + "components:\n  - {name: a, group: g, ports: [{port: 1000, bind: \"127.0.0.1:80\"}]}\n"},
		{"bind with one brace", base + "vars: {VIP: x}\ncomponents:\n  - {name: a, group: g, ports: [{port: 1000, bind: \"$VIP}\"}]}\n"},
		{"was without a port", base + "components:\n  - {name: a, group: g, ports: [{port: 1000, was: \"127.0.0.1\"}]}\n"},
		{"bad variable name", base + "vars:\n  1VIP: x\n"},
		{"null group", "version: 1\ngroups:\n  g:\n"},
		{"reservation without owner", base + "reserved:\n  - {port: 80}\n"},
		{"retirement without group", base + "retired:\n  - {port: 80, owner: x}\n"},
		{"component name null", base + "components:\n  - {name: null, group: g}\n"},
		{"labels as a list", base + "components:\n  - {name: a, group: g, labels: [app]}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := registry.Parse("reg.yaml", []byte(tc.src)); err == nil {
				t.Errorf("the loader accepts it")
			}
			if err := validateYAML(t, []byte(tc.src)); err == nil {
				t.Errorf("the schema accepts it")
			}
		})
	}
}

// TestSchemaAcceptsEdges checks forms the loader accepts that a schema
// could easily miss.
func TestSchemaAcceptsEdges(t *testing.T) {
	const base = "version: 1\ngroups:\n  g: {pool: \"[1000, 2000)\", allow: 80}\n"
	for _, tc := range []struct{ name, src string }{
		{"nothing but groups", "version: 1\ngroups:\n"},
		{"empty lists", base + "ranges:\ncomponents: []\nretired:\nreserved:\nplanes:\nvars:\n"},
		{"a single name for a list", base + "planes: {P: {group: g}}\ncomponents:\n  - {name: a, group: g, planes: P, aliases: aa, packages: x/..., manifests: \"d/**\", ports: [{port: 1000, was: 8080}]}\n"},
		{"numbers as text", base + "components:\n  - {name: 42, group: g, doc: 7, since: 2024-04-07, ports: [{port: 1000, name: 80, purpose: true}]}\n"},
		{"intervals in every notation", base + "ranges:\n  - {name: a, group: g, span: \"1000-1009\"}\n  - {name: b, group: g, span: \"(1009, 1020]\"}\n  - {name: c, group: g, span: \" [1100 , 1200) \"}\n  - {name: d, group: g, span: \"[1200-1300]\", writtenAs: \"[1200, 1301)\"}\n  - {name: e, group: g, span: 1500}\n"},
		{"binds", base + "vars: {$VIP: v}\ncomponents:\n  - name: a\n    group: g\n    ports:\n      - {port: 1000, bind: \"${VIP}\"}\n      - {port: 1001, bind: \"::1\"}\n      - {port: 1002, bind: \"[fe80::1%eth0]\"}\n      - {port: 1003, bind: LOCALHOST}\n      - {port: 1004, bind: \"*\"}\n      - {port: 1005, bind: \"\"}\n      - {port: 1006, bind: 10.1.2.3, proto: UDP6}\n      - {port: 1007, was: [\"[::1]:7000\", \"$VIP:7001\", \":7002\", 7003]}\n"},
		{"a group without a pool", "version: 1\ngroups:\n  g: {doc: x}\n  h: {}\ncomponents:\n  - {name: a, group: g, ports: [{port: 80}]}\n"},
		{"merge keys", base + "components:\n  - &a {name: a, group: g, ports: [{port: 1000}]}\n  - {<<: *a, name: b, ports: [{port: 1001}]}\n"},
		{"a reservation span and protocol", base + "reserved:\n  - {span: \"[30000, 32767]\", owner: NodePort, proto: Udp, groups: g}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := registry.Parse("reg.yaml", []byte(tc.src)); err != nil {
				t.Fatalf("the loader rejects it: %v", err)
			}
			if err := validateYAML(t, []byte(tc.src)); err != nil {
				t.Errorf("the schema rejects it: %v", err)
			}
		})
	}
}

var knownKeysRE = regexp.MustCompile(`known keys: (.*?) \[unknown-key\]`)

// TestSchemaKeys checks that each object of the schema lists exactly the
// keys the loader knows: the loader names them when it meets an unknown key.
func TestSchemaKeys(t *testing.T) {
	var schema struct {
		Properties map[string]json.RawMessage
		Defs       map[string]struct {
			Properties           map[string]json.RawMessage
			AdditionalProperties *bool
		} `json:"$defs"`
		AdditionalProperties *bool
	}
	if err := json.Unmarshal(readFile(t, schemaPath), &schema); err != nil {
		t.Fatal(err)
	}
	const z = "zzzzzzzzzz" // resembles no key, so the loader lists them all
	const base = "version: 1\ngroups:\n  g: {pool: 1000}\n"
	for _, tc := range []struct{ def, src string }{
		{"", base + z + ": 1\n"},
		{"group", "version: 1\ngroups:\n  g: {pool: 1000, " + z + ": 1}\n"},
		{"plane", base + "planes:\n  p: {group: g, " + z + ": 1}\n"},
		{"range", base + "ranges:\n  - {name: r, group: g, span: 1000, " + z + ": 1}\n"},
		{"component", base + "components:\n  - {name: a, group: g, " + z + ": 1}\n"},
		{"portEntry", base + "components:\n  - {name: a, group: g, ports: [{port: 1000, " + z + ": 1}]}\n"},
		{"retirement", base + "retired:\n  - {port: 1000, group: g, owner: x, " + z + ": 1}\n"},
		{"reservation", base + "reserved:\n  - {port: 1000, owner: x, " + z + ": 1}\n"},
	} {
		_, err := registry.Parse("reg.yaml", []byte(tc.src))
		m := knownKeysRE.FindStringSubmatch(fmt.Sprint(err))
		if m == nil {
			t.Errorf("%s: no list of known keys in %v", tc.def, err)
			continue
		}
		loader := strings.Split(m[1], ", ")
		props, closed := schema.Properties, schema.AdditionalProperties
		if tc.def != "" {
			props, closed = schema.Defs[tc.def].Properties, schema.Defs[tc.def].AdditionalProperties
		}
		var keys []string
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sort.Strings(loader)
		if !slices.Equal(keys, loader) {
			t.Errorf("schema %q has keys %q; the loader knows %q", tc.def, keys, loader)
		}
		if closed == nil || *closed {
			t.Errorf("schema %q must set additionalProperties: false", tc.def)
		}
	}
}

// TestSchemaDescriptions checks that every property carries help for the
// YAML language server.
func TestSchemaDescriptions(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, schemaPath), &doc); err != nil {
		t.Fatal(err)
	}
	count := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			if l, ok := v.([]any); ok {
				for i, e := range l {
					walk(fmt.Sprintf("%s/%d", path, i), e)
				}
			}
			return
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k, p := range props {
				count++
				pm, _ := p.(map[string]any)
				if d, _ := pm["description"].(string); d == "" {
					t.Errorf("%s/properties/%s has no description", path, k)
				}
			}
		}
		for k, e := range m {
			walk(path+"/"+k, e)
		}
	}
	walk("#", doc)
	if count < 50 {
		t.Errorf("found only %d properties", count)
	}
}
