package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// Each scanner family has a fuzz target seeded with its fixtures. They
// check what must hold for any input: no panic, no hang, a *Error with a
// position or nothing, every use positioned exactly on its digits, and
// fixes that apply and rescan cleanly.

func FuzzK8s(f *testing.F)     { fuzzFamily(f, "x.yaml", "k8s", "misc") }
func FuzzCompose(f *testing.F) { fuzzFamily(f, "docker-compose.yaml", "compose") }
func FuzzMesh(f *testing.F)    { fuzzFamily(f, "mesh.yaml", "kuma", "envoy", "istio") }
func FuzzHelm(f *testing.F)    { fuzzFamily(f, "chart/values.yaml", "helm") }
func FuzzConfig(f *testing.F)  { fuzzFamily(f, "config.yaml", "config", "negative") }

func fuzzFamily(f *testing.F, name string, formats ...string) {
	for _, format := range formats {
		for _, p := range fixtures(f, format) {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	reg := flagship(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkInvariants(name, data, reg); err != nil {
			t.Fatal(err)
		}
	})
}

// checkInvariants scans data and checks what must hold whatever the input.
func checkInvariants(name string, data []byte, r *registry.Registry) error {
	start := time.Now()
	f, err := Scan(name, data, Options{Registry: r, Rel: name})
	if d := time.Since(start); d > 3*time.Second && len(data) < 1<<20 {
		return fmt.Errorf("scanning %d bytes took %v", len(data), d)
	}
	if f == nil {
		return fmt.Errorf("Scan returned no File")
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return fmt.Errorf("Scan returned %T, want *Error: %v", err, err)
		}
		if e.Pos.Line < 1 || e.Pos.Column < 1 || e.Pos.Offset < 0 || e.Pos.Offset > len(data) {
			return fmt.Errorf("error without a position: %v", e)
		}
	}
	for _, n := range f.Notes {
		if n.Pos.Line < 1 || n.Pos.Offset > len(data) {
			return fmt.Errorf("note without a position: %v", n)
		}
	}
	for _, u := range f.Uses {
		if u.Pos.Offset < 0 || u.Pos.Offset > u.End.Offset || u.End.Offset > len(data) {
			return fmt.Errorf("use of %d at offsets %d-%d outside the %d bytes", u.Port, u.Pos.Offset, u.End.Offset, len(data))
		}
		if err := consistent(data, u.Pos); err != nil {
			return err
		}
		text := string(data[u.Pos.Offset:u.End.Offset])
		want := strconv.Itoa(u.Port)
		if u.PortEnd > 0 {
			want += "-" + strconv.Itoa(u.PortEnd)
		}
		if !f.Named(u) && text != want {
			return fmt.Errorf("use of %s (%s) at %s spans %q", want, u.Source, u.Pos, text)
		}
	}
	if r == nil {
		return nil
	}
	c := &check.Checker{Reg: r}
	fixed := ApplyFixes(data, Check(f, c))
	if !bytes.Equal(fixed, data) {
		f2, _ := Scan(name, fixed, Options{Registry: r, Rel: name})
		Check(f2, c)
	}
	return nil
}

// TestMalformed feeds the scanners what real trees and attackers hold:
// every case ends in a positioned *Error, a note, or nothing, quickly.
func TestMalformed(t *testing.T) {
	reg := flagship(t)
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	deepMap := strings.Repeat("a:\n ", 5000)
	var bomb strings.Builder
	bomb.WriteString("a: &a [\"port: 8080\", \"x\"]\n")
	for i := 'b'; i <= 'z'; i++ {
		fmt.Fprintf(&bomb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	bomb.WriteString("servers: *z\nport: *z\n")
	for _, tc := range []struct {
		name, src string
		err       string // a substring of the *Error, or "" for none
		note      string // a substring of a note, or ""
		partial   bool   // the note says part of the file went unchecked
	}{
		{"tab indentation", "services:\n\tagent:\n\t\tports: [\"8099:8099\"]\n", "2:1: not valid YAML: found character that cannot start any token", "", false},
		{"unclosed quote", "port: \"8080\nlisten: :80\n", "not valid YAML: found unexpected end of stream", "", false},
		{"binary junk", "\x00\x01\x02ELF\x7f\xff\xfe", "1:8: not valid UTF-8", "", false},
		{"invalid utf-8 later", "port: 8080\nname: caf\xe9\n", "2:10: not valid UTF-8", "", false},
		{"control character", "port: 8080\nname: a\x01b\n", "not valid YAML: control characters are not allowed", "", false},
		{"utf-16", "\xff\xfep\x00o\x00", "1:1: UTF-16 text", "", false},
		{"deep flow nesting", deep, "exceeded max depth", "", false},
		{"deep block nesting", deepMap, "", "", false},
		{"alias bomb", bomb.String(), "", "expands too many aliases", true},
		{"self alias", "a: &a {b: *a, port: 8080}\nc: *a\n", "", "", false},
		{"merge of itself", "a: &a {<<: *a, port: 20200}\n", "", "", false},
		{"empty", "", "", "", false},
		{"only comments", "# portlint:ignore retired nothing\n", "", "", false},
		{"template without end", "port: {{ .Values.port\nlisten: \":8099\"\n", "", "skipped 1 template action", false},
		{"jinja", "{% if x %}\nport: 8080\n{% endif %}\n", "", "skipped 2 template actions", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			f, err := Scan("x.yaml", []byte(tc.src), Options{Registry: reg})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one containing %q", err, tc.err)
			}
			if tc.note != "" {
				found := false
				for _, n := range f.Notes {
					if strings.Contains(n.Message, tc.note) {
						found = true
						if n.Incomplete != tc.partial {
							t.Errorf("note %v: incomplete = %v, want %v", n, n.Incomplete, tc.partial)
						}
					}
				}
				if !found {
					t.Errorf("notes %v, want one containing %q", f.Notes, tc.note)
				}
			}
			if err := checkInvariants("x.yaml", []byte(tc.src), reg); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestLargeFile checks that a 50 MB file is refused with a note, at once.
func TestLargeFile(t *testing.T) {
	data := bytes.Repeat([]byte("- port: 8080\n"), 50<<20/13)
	start := time.Now()
	f, err := Scan("big.yaml", data, Options{Registry: flagship(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Notes) != 1 || !strings.Contains(f.Notes[0].Message, "not scanned") || f.Notes[0].Pos.Line != 1 || !f.Notes[0].Incomplete {
		t.Errorf("notes %v, want one saying the file was not scanned", f.Notes)
	}
	if len(f.Uses) != 0 {
		t.Errorf("%d uses in a file too large to scan", len(f.Uses))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}
