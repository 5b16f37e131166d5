package registry_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/portlint/portlint/registry"
)

// The synthetic plan: 4 groups, each with a pool of 50,000 ports cut into
// 50 ranges of 1,000, each split into 4 sub-ranges of 250; 2,500
// components per group (10,000 in all) with 3 ports each, one on loopback,
// one that replaced an old port, and every tenth with a run of 5 more.
const (
	synthGroups     = 4
	synthComponents = 10_000
)

var synthOnce = sync.OnceValue(func() []byte {
	var b strings.Builder
	b.WriteString("version: 1\ntitle: synthetic\ngroups:\n")
	for g := range synthGroups {
		fmt.Fprintf(&b, "  g%d: {pool: \"[10000, 60000)\"}\n", g)
	}
	b.WriteString("planes:\n")
	for g := range synthGroups {
		for p := range 3 {
			fmt.Fprintf(&b, "  g%d.p%d: {group: g%d}\n", g, p, g)
		}
	}
	b.WriteString("ranges:\n")
	for g := range synthGroups {
		for r := range 50 {
			lo := 10000 + r*1000
			fmt.Fprintf(&b, "  - {name: g%d.r%d, group: g%d, span: \"[%d, %d)\", planes: [g%d.p0, g%d.p1, g%d.p2]}\n", g, r, g, lo, lo+1000, g, g, g)
			for s := range 4 {
				fmt.Fprintf(&b, "  - {name: g%d.r%d.s%d, within: g%d.r%d, span: \"[%d, %d)\", planes: [g%d.p%d]}\n", g, r, s, g, r, lo+s*250, lo+s*250+250, g, s%3)
			}
		}
	}
	b.WriteString("components:\n")
	perGroup := synthComponents / synthGroups
	for i := range synthComponents {
		g, j := i/perGroup, i%perGroup
		base := 10000 + j*20
		r, s := (j*20)/1000, ((j*20)%1000)/250
		fmt.Fprintf(&b, "  - name: c%d\n    group: g%d\n    planes: [g%d.p%d]\n    ranges: [g%d.r%d.s%d]\n", i, g, g, s%3, g, r, s)
		if i%10 == 0 {
			fmt.Fprintf(&b, "    packages: [\"*/cmd/c%d/...\"]\n", i)
		}
		fmt.Fprintf(&b, "    ports:\n      - {port: %d, was: %d}\n      - {port: %d, bind: 127.0.0.1}\n      - {port: %d, proto: udp}\n", base, 1000+j, base+1, base+2)
		if i%10 == 0 {
			fmt.Fprintf(&b, "      - {span: \"[%d, %d]\"}\n", base+10, base+14)
		}
	}
	b.WriteString("reserved:\n")
	for k := range 50 {
		fmt.Fprintf(&b, "  - {port: %d, owner: platform %d, groups: [g%d]}\n", 10000+k*1000+7, k, k%synthGroups)
	}
	return []byte(b.String())
})

var synthReg = sync.OnceValues(func() (*registry.Registry, error) { return registry.Parse("synthetic.yaml", synthOnce()) })

// TestSyntheticLoads checks that a large plan without a single alias loads:
// size alone is no reason to refuse a registry.
func TestSyntheticLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a 10,000-component plan")
	}
	reg, err := synthReg()
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Components) != synthComponents {
		t.Fatalf("%d components, want %d", len(reg.Components), synthComponents)
	}
	for _, d := range reg.Problems {
		if d.Severity == registry.SevError {
			t.Fatalf("the synthetic plan has an error: %s", d)
		}
	}
}

func synthetic(b *testing.B) *registry.Registry {
	b.Helper()
	reg, err := synthReg()
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range reg.Problems {
		if d.Severity == registry.SevError {
			b.Fatalf("the synthetic plan has an error: %s", d)
		}
	}
	if len(reg.Components) != synthComponents {
		b.Fatalf("%d components, want %d", len(reg.Components), synthComponents)
	}
	return reg
}

// A query is one lookup: a group and a port.
type query struct {
	g *registry.Group
	p int
}

// queries spreads lookups over every group's pool and a little beyond, so
// that hits and misses both count.
func queries(reg *registry.Registry) []query {
	var qs []query
	for _, g := range reg.Groups {
		lo, hi := g.Pool.Lo-100, g.Pool.Hi+100
		for p := lo; p <= hi; p += max(1, (hi-lo)/997) {
			qs = append(qs, query{g, p})
		}
	}
	return qs
}

// sink keeps the compiler from dropping the lookups.
var sink int

// requireHit fails the benchmark unless some query finds something: a
// benchmark of lookups that all miss measures nothing useful.
func requireHit(b *testing.B, qs []query, hit func(query) bool) {
	b.Helper()
	for _, q := range qs {
		if hit(q) {
			return
		}
	}
	b.Fatalf("none of %d queries found anything", len(qs))
}

func benchRegistries(b *testing.B, run func(b *testing.B, reg *registry.Registry, qs []query)) {
	b.Run("flagship", func(b *testing.B) {
		reg := flagship(b)
		run(b, reg, queries(reg))
	})
	b.Run("synthetic-10k", func(b *testing.B) {
		reg := synthetic(b)
		run(b, reg, queries(reg))
	})
}

func BenchmarkOwners(b *testing.B) {
	benchRegistries(b, func(b *testing.B, reg *registry.Registry, qs []query) {
		requireHit(b, qs, func(q query) bool { return len(reg.Owners(q.g, q.p, registry.TCP, registry.Any)) > 0 })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			q := qs[i%len(qs)]
			sink += len(reg.Owners(q.g, q.p, registry.TCP, registry.Any))
		}
	})
}

func BenchmarkRangeAt(b *testing.B) {
	benchRegistries(b, func(b *testing.B, reg *registry.Registry, qs []query) {
		requireHit(b, qs, func(q query) bool { return reg.RangeAt(q.g, q.p) != nil })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			q := qs[i%len(qs)]
			if reg.RangeAt(q.g, q.p) != nil {
				sink++
			}
		}
	})
}

func BenchmarkRetiredAt(b *testing.B) {
	benchRegistries(b, func(b *testing.B, reg *registry.Registry, _ []query) {
		// Query the old ports, where the retirements are.
		var qs []query
		for _, r := range reg.Retired {
			qs = append(qs, query{r.Group, r.Port}, query{r.Group, r.Port + 50_000})
		}
		requireHit(b, qs, func(q query) bool { return len(reg.RetiredAt(q.g, q.p)) > 0 })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			q := qs[i%len(qs)]
			sink += len(reg.RetiredAt(q.g, q.p))
		}
	})
}

func BenchmarkReservedAt(b *testing.B) {
	benchRegistries(b, func(b *testing.B, reg *registry.Registry, qs []query) {
		// The flagship reserves ports outside the pools: ask there too.
		for _, r := range reg.Reserved {
			for _, g := range reg.Groups {
				qs = append(qs, query{g, r.Span.Lo}, query{g, r.Span.Hi + 1})
			}
		}
		requireHit(b, qs, func(q query) bool { return len(reg.ReservedAt(q.g, q.p, registry.TCP)) > 0 })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			q := qs[i%len(qs)]
			sink += len(reg.ReservedAt(q.g, q.p, registry.TCP))
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct {
		name string
		data func() []byte
	}{
		{"flagship", func() []byte { return readFile(b, flagshipPath) }},
		{"synthetic-10k", synthOnce},
	} {
		b.Run(tc.name, func(b *testing.B) {
			data := tc.data()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := registry.Parse(tc.name+".yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
