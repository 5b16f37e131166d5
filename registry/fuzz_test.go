package registry_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/portlint/portlint/registry"
)

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{
		"20000", "[20000, 20100)", "[28960, 28965]", "(20000, 20100]", "(1, 3)", "28960-28965",
		"[29200-29300]", " [1,2) ", "[65000, 65536)", "(0, 5]", "65535", "0", "70000", "[5, 1)",
		"[1, 1)", "", "[", "[1,", "[1, 2", "[1, 2)x", "1-", "-1", "[1; 2)", "[1, 2x)", "[1, 2é)", "1234567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := registry.ParseInterval(s)
		if err != nil {
			var se *registry.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseInterval(%q): error %T, want *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("ParseInterval(%q): offset %d outside the string", s, se.Offset)
			}
			if utf8.ValidString(s) && !utf8.ValidString(err.Error()) {
				t.Fatalf("ParseInterval(%q): message %q is not UTF-8", s, err.Error())
			}
			return
		}
		if iv.Lo < registry.MinPort || iv.Lo > iv.Hi || iv.Hi > registry.MaxPort {
			t.Fatalf("ParseInterval(%q) = %+v, want 1 <= Lo <= Hi <= 65535", s, iv)
		}
		for _, form := range []string{iv.String(), iv.Dash()} {
			back, err := registry.ParseInterval(form)
			if err != nil || back != iv {
				t.Fatalf("ParseInterval(%q) = %+v, written %q, which parses as %+v, %v", s, iv, form, back, err)
			}
		}
	})
}

func FuzzParseBind(f *testing.F) {
	for _, s := range []string{
		"any", "ANY", "*", "", "0.0.0.0", "::", "[::]", "localhost", "loopback", "127.0.0.1", "::1", "[::1]",
		"10.0.0.7", "fe80::1%eth0", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "$VIP", "${VIP}", "$VIP}", "${VIP",
		"$", "$1", "$$VIP", "localhost:80", "999.1.1.1", "01.2.3.4", " 10.0.0.1 ", "example.com",
	} {
		f.Add(s)
	}
	others := []registry.Bind{registry.Any, registry.Loopback, {Kind: registry.BindIP, Value: "10.9.8.7"}, {Kind: registry.BindVar, Value: "VIP"}}
	f.Fuzz(func(t *testing.T, s string) {
		h := registry.HostBind(s) // never fails, never panics
		b, err := registry.ParseBind(s)
		if err != nil {
			var se *registry.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseBind(%q): error %T, want *SyntaxError", s, err)
			}
			return
		}
		back, err := registry.ParseBind(b.String())
		if err != nil || back != b {
			t.Fatalf("ParseBind(%q) = %+v, written %q, which parses as %+v, %v", s, b, b.String(), back, err)
		}
		// The words any, loopback and varies are the registry's own; code that
		// listens on a host names no such host.
		if kw := strings.ToLower(strings.TrimSpace(s)); kw != "any" && kw != "loopback" && kw != "varies" && h != b {
			t.Fatalf("HostBind(%q) = %+v, but ParseBind says %+v", s, h, b)
		}
		if !b.Overlaps(b) || b.Wider(b) {
			t.Fatalf("%+v: a bind must overlap itself and not be wider than itself", b)
		}
		for _, o := range others {
			if b.Overlaps(o) != o.Overlaps(b) {
				t.Fatalf("Overlaps is not symmetric for %+v and %+v", b, o)
			}
			if b.Wider(o) && o.Wider(b) {
				t.Fatalf("%+v and %+v are each wider than the other", b, o)
			}
		}
		if !registry.Any.Overlaps(b) {
			t.Fatalf("any does not overlap %+v", b)
		}
	})
}

// FuzzParse feeds the loader every fixture, the flagship plan, and what
// the fuzzer makes of them.
func FuzzParse(f *testing.F) {
	files := []string{flagshipPath}
	for _, pat := range []string{"testdata/rules/*/*.yaml", "testdata/broken/*.yaml", "testdata/query/*.yaml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	for _, file := range files {
		f.Add(readFile(f, file))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := registry.Parse("fuzz.yaml", data)
		if err != nil {
			var el registry.ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("error %T %v, want a non-empty ErrorList", err, err)
			}
			for _, d := range el {
				checkDiagnostic(t, d)
				if strings.Contains(d.Message, "internal error") {
					t.Fatalf("the loader panicked: %s", d)
				}
			}
			return
		}
		checkRegistry(t, reg)
	})
}

func checkDiagnostic(t *testing.T, d registry.Diagnostic) {
	t.Helper()
	if d.Pos.File != "fuzz.yaml" || !d.Pos.IsValid() || d.Pos.Col < 1 {
		t.Fatalf("%s: want fuzz.yaml:LINE:COL", d)
	}
	if r := registry.LookupRule(d.Rule); r == nil || r.Severity != d.Severity {
		t.Fatalf("%s: unknown rule or wrong severity", d)
	}
}

// checkRegistry checks that a loaded registry is whole: every pointer the
// queries follow is set, and the queries answer without panicking.
func checkRegistry(t *testing.T, reg *registry.Registry) {
	t.Helper()
	for _, d := range reg.Problems {
		checkDiagnostic(t, d)
		if registry.LookupRule(d.Rule).Load {
			t.Fatalf("load error %s among the problems of a loaded registry", d)
		}
	}
	for _, p := range reg.Planes {
		if p.Group == nil {
			t.Fatalf("plane %s has no group", p.Name)
		}
	}
	for _, r := range reg.Ranges {
		if r.Group == nil {
			t.Fatalf("range %s has no group", r.Name)
		}
		seen := map[*registry.Range]bool{}
		for p := r.Parent; p != nil; p = p.Parent {
			if seen[p] || p.Group != r.Group || !p.Span.ContainsInterval(r.Span) {
				t.Fatalf("range %s: bad parent chain at %s", r.Name, p.Name)
			}
			seen[p] = true
		}
	}
	for _, c := range reg.Components {
		if c.Group == nil || len(c.Groups) == 0 || c.Groups[0] != c.Group {
			t.Fatalf("component %s has no group", c.Name)
		}
		for _, g := range c.Groups {
			if !slices.Contains(g.Components, c) {
				t.Fatalf("component %s is not among the components of its group %s", c.Name, g.Name)
			}
		}
		for _, r := range c.Ranges {
			if r == nil || !c.InGroup(r.Group) {
				t.Fatalf("component %s: range of another group", c.Name)
			}
		}
		for _, p := range c.Ports {
			if p.Component != c || p.Span.Lo < registry.MinPort || p.Span.Lo > p.Span.Hi || p.Span.Hi > registry.MaxPort {
				t.Fatalf("component %s: bad port %+v", c.Name, p)
			}
		}
		if reg.Component(c.Name) == nil {
			t.Fatalf("Component(%q) finds nothing", c.Name)
		}
		reg.MatchPackage(c.Name)
		reg.MatchFile(c.Name)
		reg.MatchLabels(c.Labels)
	}
	for _, r := range reg.Retired {
		if r.Group == nil {
			t.Fatalf("retirement of %d has no group", r.Port)
		}
	}
	checkIndex(t, reg)
	for _, g := range reg.Groups {
		for _, p := range []int{g.Pool.Lo, g.Pool.Hi, (g.Pool.Lo + g.Pool.Hi) / 2} {
			reg.Owners(g, p, registry.ProtoAny, registry.Any)
			reg.RangeAt(g, p)
			reg.UnallocatedAt(g, p)
			reg.RetiredAt(g, p)
			reg.ReservedAt(g, p, registry.TCP)
		}
		for _, r := range g.Ranges {
			for _, p := range reg.Free(r, 3, registry.FreeOptions{}) {
				if !r.Span.Contains(p) || len(reg.Assignments(g, p)) > 0 {
					t.Fatalf("Free(%s) = %d, which is outside it or taken", r.Name, p)
				}
			}
		}
	}
}

// A planBuilder writes a registry whose every choice comes from fuzz
// bytes: groups, planes, nested ranges, ports with binds, protocols, old
// ports, reuses, exceptions, retirements and reservations. Mutating raw
// YAML rarely gets past the parser; this reaches the resolver and the
// validator with plans that are mostly well formed.
type planBuilder struct {
	data []byte
	b    strings.Builder
}

func (p *planBuilder) next() int {
	if len(p.data) == 0 {
		return 0
	}
	v := int(p.data[0])
	p.data = p.data[1:]
	return v
}

func (p *planBuilder) pick(options ...string) string { return options[p.next()%len(options)] }

// port returns a port near 1000, where the pools and ranges are.
func (p *planBuilder) port() int { return 990 + p.next()%40 }

func (p *planBuilder) printf(format string, args ...any) { fmt.Fprintf(&p.b, format, args...) }

func buildPlan(data []byte) []byte {
	p := &planBuilder{data: data}
	p.printf("version: 1\nvars: {VIP: v}\ngroups:\n")
	p.printf("  g0: {pool: \"[%d, %d]\", allow: [%d]}\n", p.port(), 1000+p.next()%40, p.port())
	p.printf("  g1: {pool: \"[1000, 1030)\"}\n")
	p.printf("planes:\n  p0: {group: g0}\n  p1: {group: g0}\n  p2: {group: g1}\n")
	nr := p.next() % 7
	p.printf("ranges:\n")
	for i := 0; i < nr; i++ {
		lo := p.port()
		p.printf("  - {name: r%d, span: \"[%d, %d]\"", i, lo, lo+p.next()%20)
		switch p.next() % 4 {
		case 0:
			p.printf(", group: %s", p.pick("g0", "g1"))
		case 1:
			p.printf(", within: r%d", p.next()%nr)
		default:
			p.printf(", group: %s, within: r%d", p.pick("g0", "g1"), p.next()%nr)
		}
		p.printf(", planes: [%s]", p.pick("", "p0", "p1", "p0, p1", "p2"))
		if p.next()%4 == 0 {
			p.printf(", unallocated: true")
		}
		if p.next()%4 == 0 {
			p.printf(", writtenAs: [\"[%d, %d)\"]", lo, lo+p.next()%20+1)
		}
		p.printf("}\n")
	}
	nc := p.next() % 6
	p.printf("components:\n")
	for i := 0; i < nc; i++ {
		p.printf("  - {name: c%d, group: %s, planes: [%s]", i, p.pick("g0", "g1"), p.pick("", "p0", "p0, p1", "p2"))
		if nr > 0 && p.next()%3 != 0 {
			p.printf(", ranges: [r%d]", p.next()%nr)
		}
		p.printf(", ports: [")
		for j, np := 0, 1+p.next()%3; j < np; j++ {
			if j > 0 {
				p.printf(", ")
			}
			if p.next()%4 == 0 {
				lo := p.port()
				p.printf("{span: \"[%d, %d]\"", lo, lo+p.next()%4)
			} else {
				p.printf("{port: %d", p.port())
			}
			p.printf(", bind: %q, proto: %s", p.pick("any", "127.0.0.1", "$VIP", "10.0.0.1"), p.pick("tcp", "tcp", "udp"))
			switch p.next() % 6 {
			case 0:
				p.printf(", was: %d", p.port())
			case 1:
				p.printf(", was: [%d, \"127.0.0.1:%d\"]", p.port(), p.port())
			case 2:
				p.printf(", reuses: c%d", p.next()%max(nc, 1))
			case 3:
				p.printf(", exception: why")
			case 4:
				p.printf(", pending: open")
			}
			p.printf("}")
		}
		p.printf("]}\n")
	}
	p.printf("retired:\n")
	for i, n := 0, p.next()%3; i < n; i++ {
		p.printf("  - {port: %d, group: %s, owner: %s", p.port(), p.pick("g0", "g1"), p.pick("c0", "c1", "gone"))
		if p.next()%2 == 0 {
			p.printf(", replacedBy: %d", p.port())
		}
		p.printf("}\n")
	}
	p.printf("reserved:\n")
	for i, n := 0, p.next()%3; i < n; i++ {
		lo := p.port()
		p.printf("  - {span: \"[%d, %d]\", owner: x, proto: %s, groups: [%s]}\n", lo, lo+p.next()%5, p.pick("tcp", "udp"), p.pick("", "g0", "g1", "g0, g1"))
	}
	return []byte(p.b.String())
}

func FuzzPlan(f *testing.F) {
	for _, seed := range []string{"", "\x03\x05\x10\x02\x04", "\x06\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := buildPlan(data)
		reg, err := registry.Parse("fuzz.yaml", src)
		if err != nil {
			var el registry.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error %T %v\n%s", err, err, src)
			}
			for _, d := range el {
				checkDiagnostic(t, d)
				if strings.Contains(d.Message, "internal error") {
					t.Fatalf("the loader panicked: %s\n%s", d, src)
				}
			}
			return
		}
		checkRegistry(t, reg)
	})
}

// checkIndex compares the indexed look-ups with a plain search of the plan
// at the ports where answers change: the ends of every span, and the ports
// beside them.
func checkIndex(t *testing.T, reg *registry.Registry) {
	t.Helper()
	var ports []int
	edges := func(iv registry.Interval) {
		ports = append(ports, iv.Lo-1, iv.Lo, iv.Hi, iv.Hi+1)
	}
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			edges(p.Span)
		}
	}
	for _, r := range reg.Reserved {
		edges(r.Span)
	}
	if len(ports) > 400 {
		ports = ports[:400]
	}
	for _, g := range reg.Groups {
		for _, p := range ports {
			var want []*registry.Port
			for _, c := range g.Components {
				for _, a := range c.Ports {
					if a.Span.Contains(p) {
						want = append(want, a)
					}
				}
			}
			if got := reg.Assignments(g, p); !sameSet(got, want) {
				t.Fatalf("Assignments(%s, %d) = %v, want %v", g.Name, p, portNames(got), portNames(want))
			}
			for _, proto := range []registry.Proto{registry.TCP, registry.UDP, registry.ProtoAny} {
				var want, aside []*registry.Reservation
				for _, r := range reg.Reserved {
					if r.Span.Contains(p) && r.Proto.Matches(proto) && r.AppliesTo(g) {
						if r.For != nil {
							aside = append(aside, r)
						} else {
							want = append(want, r)
						}
					}
				}
				if got := reg.ReservedAt(g, p, proto); !sameSet(got, want) {
					t.Fatalf("ReservedAt(%s, %d, %q) = %d reservations, want %d", g.Name, p, proto, len(got), len(want))
				}
				if got := reg.SetAsideAt(g, p, proto); !sameSet(got, aside) {
					t.Fatalf("SetAsideAt(%s, %d, %q) = %d blocks, want %d", g.Name, p, proto, len(got), len(aside))
				}
			}
		}
	}
}

func sameSet[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	n := map[T]int{}
	for _, x := range a {
		n[x]++
	}
	for _, x := range b {
		n[x]--
	}
	for _, v := range n {
		if v != 0 {
			return false
		}
	}
	return true
}
