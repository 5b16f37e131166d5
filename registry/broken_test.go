package registry_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/portlint/portlint/registry"
)

// Broken registries live in testdata/broken, each stating its load errors
// in "# want:" comments (see rules_test.go). A few that cannot carry a
// comment are built here.

const brokenDir = "testdata/broken"

// parseInTime parses data, failing the test if Parse panics or takes
// longer than a few seconds.
func parseInTime(t *testing.T, file string, data []byte) (*registry.Registry, error) {
	t.Helper()
	type result struct {
		reg *registry.Registry
		err error
		pan any
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{pan: r}
			}
		}()
		reg, err := registry.Parse(file, data)
		done <- result{reg: reg, err: err}
	}()
	select {
	case r := <-done:
		if r.pan != nil {
			t.Fatalf("Parse panicked: %v", r.pan)
		}
		return r.reg, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Parse did not return within 10s")
	}
	return nil, nil
}

// loadErrors parses data, which must not load, and returns its errors.
func loadErrors(t *testing.T, file string, data []byte) registry.ErrorList {
	t.Helper()
	_, err := parseInTime(t, file, data)
	if err == nil {
		t.Fatal("the registry loads; want load errors")
	}
	var el registry.ErrorList
	if !errors.As(err, &el) {
		t.Fatalf("Parse returned %T, want an ErrorList: %v", err, err)
	}
	for _, d := range el {
		if !d.Pos.IsValid() || d.Pos.Col < 1 || d.Pos.File != file {
			t.Errorf("%s: want file:line:col in %s", d, file)
		}
		if r := registry.LookupRule(d.Rule); r == nil || !r.Load {
			t.Errorf("%s: rule %q is not a load rule", d, d.Rule)
		}
		if d.Severity != registry.SevError {
			t.Errorf("%s: a load error must have severity error", d)
		}
		if strings.Contains(d.Message, "internal error") {
			t.Errorf("%s: the decoder failed instead of reporting", d)
		}
	}
	// The error text is what the CLI prints: file:line:col: message [rule].
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(el) {
		t.Errorf("error text has %d lines for %d errors", len(lines), len(el))
	}
	for i, l := range lines {
		if i < len(el) {
			d := el[i]
			if want := d.Pos.String() + ": " + d.Message + " [" + d.Rule + "]"; l != want {
				t.Errorf("error line %q, want %q", l, want)
			}
		}
	}
	return el
}

func TestBrokenRegistries(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(brokenDir, "*.yaml"))
	if len(files) < 10 {
		t.Fatalf("found %d broken registries in %s", len(files), brokenDir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data := readFile(t, file)
			ws := readWants(t, data)
			if len(ws) == 0 {
				t.Fatal("no want comments")
			}
			name := filepath.ToSlash(file)
			var ds []registry.Diagnostic
			for _, d := range loadErrors(t, name, data) {
				ds = append(ds, d)
			}
			checkWants(t, ds, ws)
		})
	}
}

func TestBrokenRegistriesBuilt(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string // "line:col: message substring [rule]"
	}{
		{"empty", nil, `1:1: the registry is empty; it needs at least "version: 1" [yaml]`},
		{"blank", []byte("\n\n   \n"), `1:1: the registry is empty [yaml]`},
		{"empty document", []byte("---\n"), `2:1: the registry is empty [yaml]`},
		{"null", []byte("~\n"), `1:1: the registry is empty [yaml]`},
		{"scalar", []byte("just words\n"), `1:1: the registry: want a mapping of keys, found the text "just words" [wrong-type]`},
		{"list", []byte("- version: 1\n"), `1:1: the registry: want a mapping of keys, found a list [wrong-type]`},
		{"too large", bytes.Repeat([]byte("#\n"), 9<<20), `1:1: the registry is 18874368 bytes; the limit is 16777216 [yaml]`},
		{"huge number", []byte("version: 1\ngroups:\n  g: {pool: 123456789012345678901234567890}\n"), `3:13: group g pool: 123456789012345678901234567890 is too large a number [bad-value]`},
		{"bad glob", []byte("version: 1\ngroups:\n  g: {pool: 1000}\ncomponents:\n  - {name: a, group: g, manifests: [\"deploy/[a\"]}\n"), `5:37: component a manifests: "deploy/[a" is not a valid glob [bad-value]`},
		{"within itself", []byte("version: 1\ngroups:\n  g: {pool: 1000}\nranges:\n  - {name: r, within: r, span: 1000}\n"), `5:12: range r has no "group", and its "within" chain (r -> r) names none [missing-key]`},
		{"unknown alias", []byte("version: 1\ngroups:\n  g: *pool\n"), `3:6: not valid YAML: unknown anchor 'pool' referenced [yaml]`},
		{"unclosed flow", []byte("version: 1\ngroups: {g: {pool: 1000}\n\nranges: []\n"), `2:1: not valid YAML: did not find expected ',' or '}' [yaml]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			el := loadErrors(t, "reg.yaml", tc.data)
			pos, rest, _ := strings.Cut(tc.want, ": ")
			msg, rule, _ := strings.Cut(strings.TrimSuffix(rest, "]"), " [")
			for _, d := range el {
				if d.Rule == rule && strings.TrimPrefix(d.Pos.String(), "reg.yaml:") == pos && strings.Contains(d.Message, msg) {
					return
				}
			}
			t.Errorf("no error %s among\n%v", tc.want, el)
		})
	}
}

// TestUTF16 checks that a registry saved as UTF-16 loads: YAML allows it,
// and the checks for bytes that are not UTF-8 must leave it alone.
func TestUTF16(t *testing.T) {
	src := "version: 1\ngroups:\n  g: {pool: \"[1000, 2000)\"}\ncomponents:\n  - {name: 网关, group: g, ports: [{port: 1000}]}\n"
	le := []byte{0xFF, 0xFE}
	for _, r := range utf16.Encode([]rune(src)) {
		le = append(le, byte(r), byte(r>>8))
	}
	reg, err := parseInTime(t, "utf16.yaml", le)
	if err != nil {
		t.Fatal(err)
	}
	if c := reg.Component("网关"); c == nil || c.Ports[0].Pos.Line != 5 {
		t.Errorf("component 网关 = %+v, want it with its port on line 5", c)
	}
}
