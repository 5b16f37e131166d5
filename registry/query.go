package registry

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// index holds the look-up structures built once after loading, so that the
// queries the checks ask for every port are map or binary-search look-ups.
type index struct {
	groups   map[string]*Group
	planes   map[string]*Plane
	ranges   map[string]*Range
	comps    map[string]*Component // exact names
	names    map[string]*Component // folded names and aliases
	byGroup  map[*Group]*groupIndex
	reserved spanIndex[*Reservation]
	pkgs     []pkgPattern
	types    []typePattern
	keys     []keyPattern
}

type groupIndex struct {
	single      map[int][]*Port
	spans       spanIndex[*Port] // assignments of more than one port
	segs        []segment        // allocated ranges, disjoint segments sorted by Lo
	unallocated []*Range
	retired     map[int][]*Retirement
}

// A segment is a run of ports covered by the same chain of ranges.
type segment struct {
	span  Interval
	chain []*Range // innermost first
}

// pkgPattern is one component's import-path patterns: a package is the
// component's when a positive pattern matches it and no negated one does.
type pkgPattern struct {
	pos, neg []*regexp.Regexp
	c        *Component
}

func (reg *Registry) buildIndex() {
	ix := &reg.idx
	ix.groups = map[string]*Group{}
	ix.planes = map[string]*Plane{}
	ix.ranges = map[string]*Range{}
	ix.comps = map[string]*Component{}
	ix.names = map[string]*Component{}
	ix.byGroup = map[*Group]*groupIndex{}
	for _, g := range reg.Groups {
		ix.groups[g.Name] = g
		ix.byGroup[g] = &groupIndex{single: map[int][]*Port{}, retired: map[int][]*Retirement{}}
	}
	for _, p := range reg.Planes {
		ix.planes[p.Name] = p
	}
	for _, r := range reg.Ranges {
		ix.ranges[r.Name] = r
	}
	for _, c := range reg.Components {
		ix.comps[c.Name] = c
		ix.names[normName(c.Name)] = c
		for _, a := range c.Aliases {
			if _, taken := ix.names[normName(a)]; !taken {
				ix.names[normName(a)] = c
			}
		}
		for _, g := range c.Groups {
			gi := ix.byGroup[g]
			for _, p := range c.Ports {
				if gi == nil {
					continue
				}
				if p.Span.IsSingle() {
					gi.single[p.Span.Lo] = append(gi.single[p.Span.Lo], p)
				} else {
					gi.spans.items = append(gi.spans.items, p)
				}
			}
		}
		if len(c.Packages) > 0 {
			pp := pkgPattern{c: c}
			for _, pat := range c.Packages {
				if rest, ok := negated(pat); ok {
					pp.neg = append(pp.neg, compilePkgPattern(rest))
				} else {
					pp.pos = append(pp.pos, compilePkgPattern(pat))
				}
			}
			ix.pkgs = append(ix.pkgs, pp)
		}
		for _, pat := range c.Types {
			if tp, ok := compileTypePattern(pat, c); ok {
				ix.types = append(ix.types, tp)
			}
		}
		for _, pat := range c.Keys {
			ix.keys = append(ix.keys, compileKeyPattern(pat, c))
		}
	}
	for _, r := range reg.Retired {
		if gi := ix.byGroup[r.Group]; gi != nil {
			gi.retired[r.Port] = append(gi.retired[r.Port], r)
		}
	}
	for _, g := range reg.Groups {
		gi := ix.byGroup[g]
		var alloc []*Range
		for _, r := range g.Ranges {
			if r.Unallocated {
				gi.unallocated = append(gi.unallocated, r)
			} else {
				alloc = append(alloc, r)
			}
		}
		gi.segs = buildSegments(alloc)
		gi.spans.build(func(p *Port) Interval { return p.Span })
	}
	ix.reserved.items = append([]*Reservation(nil), reg.Reserved...)
	ix.reserved.build(func(r *Reservation) Interval { return r.Span })
}

// A spanIndex finds the items whose spans hold a port: the items sorted by
// the start of their spans (file order among equals), with the highest end
// so far beside each, so that a look-up stops as soon as nothing earlier
// can reach the port.
type spanIndex[T any] struct {
	items []T
	spans []Interval
	maxHi []int
}

func (x *spanIndex[T]) build(span func(T) Interval) {
	sort.SliceStable(x.items, func(i, j int) bool { return span(x.items[i]).Lo < span(x.items[j]).Lo })
	x.spans = make([]Interval, len(x.items))
	x.maxHi = make([]int, len(x.items))
	hi := 0
	for i, it := range x.items {
		x.spans[i] = span(it)
		hi = max(hi, x.spans[i].Hi)
		x.maxHi[i] = hi
	}
}

// at calls fn, in order of span start, for each item whose span holds p.
func (x *spanIndex[T]) at(p int, fn func(T)) {
	end := sort.Search(len(x.spans), func(i int) bool { return x.spans[i].Lo > p })
	first := end
	for first > 0 && x.maxHi[first-1] >= p {
		first--
	}
	for i := first; i < end; i++ {
		if x.spans[i].Hi >= p {
			fn(x.items[i])
		}
	}
}

// buildSegments cuts the port line at every range boundary and records, for
// each piece, the ranges covering it, innermost first. A sweep keeps it
// O(pieces × nesting depth).
func buildSegments(rs []*Range) []segment {
	if len(rs) == 0 {
		return nil
	}
	var cuts []int
	for _, r := range rs {
		cuts = append(cuts, r.Span.Lo, r.Span.Hi+1)
	}
	sort.Ints(cuts)
	cuts = compactInts(cuts)
	byLo := append([]*Range(nil), rs...)
	sort.Slice(byLo, func(i, j int) bool { return byLo[i].Span.Lo < byLo[j].Span.Lo })
	var active []*Range
	var segs []segment
	next := 0
	for i := 0; i+1 < len(cuts); i++ {
		lo, hi := cuts[i], cuts[i+1]-1
		kept := active[:0]
		for _, r := range active {
			if r.Span.Hi >= lo {
				kept = append(kept, r)
			}
		}
		active = kept
		for next < len(byLo) && byLo[next].Span.Lo <= lo {
			if byLo[next].Span.Hi >= lo {
				active = append(active, byLo[next])
			}
			next++
		}
		if len(active) == 0 {
			continue
		}
		chain := append([]*Range(nil), active...)
		sort.SliceStable(chain, func(a, b int) bool { return chain[a].Span.Len() < chain[b].Span.Len() })
		segs = append(segs, segment{Interval{lo, hi}, chain})
	}
	return segs
}

func compactInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// compilePkgPattern turns an import-path pattern into a regexp. "..." matches
// any string (as in go list), "*" any run within one path element, a leading
// "*/" any module prefix, and "x/..." also matches "x".
func compilePkgPattern(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	rest := pat
	if strings.HasPrefix(rest, "*/") {
		b.WriteString("(?:.*/)?")
		rest = rest[2:]
	}
	if strings.HasSuffix(rest, "/...") {
		b.WriteString(pkgGlob(strings.TrimSuffix(rest, "/...")))
		b.WriteString("(?:/.*)?")
	} else {
		b.WriteString(pkgGlob(rest))
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func pkgGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "..."):
			b.WriteString(".*")
			i += 3
		case s[i] == '*':
			b.WriteString("[^/]*")
			i++
		default:
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
			i++
		}
	}
	return b.String()
}

// Group returns the named group, or nil.
func (reg *Registry) Group(name string) *Group { return reg.idx.groups[name] }

// Plane returns the named plane, or nil.
func (reg *Registry) Plane(name string) *Plane { return reg.idx.planes[name] }

// Range returns the named range, or nil.
func (reg *Registry) Range(name string) *Range { return reg.idx.ranges[name] }

// Component returns the component with this name or alias. Case and the
// separators "_", "-" and "." are folded, so "admin-dam" finds admin_dam.
func (reg *Registry) Component(name string) *Component {
	if c := reg.idx.comps[name]; c != nil {
		return c
	}
	return reg.idx.names[normName(name)]
}

// Assignments returns every live assignment in group g whose port or span
// holds p, whatever its protocol and bind address.
func (reg *Registry) Assignments(g *Group, p int) []*Port {
	gi := reg.idx.byGroup[g]
	if gi == nil {
		return nil
	}
	out := gi.single[p]
	var extra []*Port
	gi.spans.at(p, func(s *Port) { extra = append(extra, s) })
	if extra == nil {
		return out
	}
	return append(append([]*Port(nil), out...), extra...)
}

// Owners returns the assignments in g that a listener on (p, proto, bind)
// would collide with: same port, matching protocol, overlapping binds.
func (reg *Registry) Owners(g *Group, p int, proto Proto, bind Bind) []*Port {
	var out []*Port
	for _, a := range reg.Assignments(g, p) {
		if a.Proto.Matches(proto) && a.Bind.Overlaps(bind) {
			out = append(out, a)
		}
	}
	return out
}

// RangesAt returns the allocated ranges of g holding p, innermost first.
func (reg *Registry) RangesAt(g *Group, p int) []*Range {
	gi := reg.idx.byGroup[g]
	if gi == nil {
		return nil
	}
	i := sort.Search(len(gi.segs), func(i int) bool { return gi.segs[i].span.Hi >= p })
	if i < len(gi.segs) && gi.segs[i].span.Contains(p) {
		return gi.segs[i].chain
	}
	return nil
}

// RangeAt returns the innermost allocated range of g holding p, or nil.
func (reg *Registry) RangeAt(g *Group, p int) *Range {
	if rs := reg.RangesAt(g, p); len(rs) > 0 {
		return rs[0]
	}
	return nil
}

// UnallocatedAt returns the unallocated range of g holding p, or nil.
func (reg *Registry) UnallocatedAt(g *Group, p int) *Range {
	gi := reg.idx.byGroup[g]
	if gi == nil {
		return nil
	}
	for _, r := range gi.unallocated {
		if r.Span.Contains(p) {
			return r
		}
	}
	return nil
}

// RetiredAt returns the retirements of port p in group g; a nil g means
// every group.
func (reg *Registry) RetiredAt(g *Group, p int) []*Retirement {
	if g != nil {
		if gi := reg.idx.byGroup[g]; gi != nil {
			return gi.retired[p]
		}
		return nil
	}
	var out []*Retirement
	for _, gr := range reg.Groups {
		out = append(out, reg.idx.byGroup[gr].retired[p]...)
	}
	return out
}

// ReservedAt returns the platform reservations holding p that apply to
// group g (nil: any group) and protocol proto (ProtoAny: any). Blocks set
// aside for a component of the plan are not among them: see SetAsideAt.
func (reg *Registry) ReservedAt(g *Group, p int, proto Proto) []*Reservation {
	var out []*Reservation
	reg.idx.reserved.at(p, func(r *Reservation) {
		if r.For == nil && r.Proto.Matches(proto) && r.AppliesTo(g) {
			out = append(out, r)
		}
	})
	return out
}

// SetAsideAt returns the blocks holding p that the plan sets aside for one
// of its components ("reserved" with "for"), in group g (nil: any group),
// for protocol proto (ProtoAny: any).
func (reg *Registry) SetAsideAt(g *Group, p int, proto Proto) []*Reservation {
	var out []*Reservation
	reg.idx.reserved.at(p, func(r *Reservation) {
		if r.For != nil && r.Proto.Matches(proto) && r.AppliesTo(g) {
			out = append(out, r)
		}
	})
	return out
}

// GroupsWithPort returns the groups whose pool or allowed extras hold p,
// the groups without a pool that assign p or hold it in a range (the ports
// of a plan of fixed ports are the ones it lists), the groups that set p
// aside for one of their components, and those that give it to an
// external dependency.
func (reg *Registry) GroupsWithPort(p int) []*Group {
	var out []*Group
	for _, g := range reg.Groups {
		if g.InPool(p) || (!g.HasPool() && (len(reg.Assignments(g, p)) > 0 || reg.RangeAt(g, p) != nil)) || len(reg.SetAsideAt(g, p, ProtoAny)) > 0 || assignsExternal(reg.Assignments(g, p)) {
			out = append(out, g)
		}
	}
	return out
}

func assignsExternal(ps []*Port) bool {
	for _, p := range ps {
		if p.Component.External {
			return true
		}
	}
	return false
}

// negated reports whether a package pattern or manifest glob is negated
// ("!*/test/...") and returns it without the "!".
func negated(pat string) (string, bool) {
	if strings.HasPrefix(pat, "!") {
		return pat[1:], true
	}
	return pat, false
}

// MatchPackage returns the component whose Go import-path patterns match
// the package path, or nil. A component's negated patterns ("!*/test/...")
// take back what its positive ones match; the first matching component in
// file order wins.
func (reg *Registry) MatchPackage(importPath string) *Component {
	for _, p := range reg.idx.pkgs {
		if anyMatch(p.pos, importPath) && !anyMatch(p.neg, importPath) {
			return p.c
		}
	}
	return nil
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// MatchFile returns the component whose manifest globs match the
// slash-separated path, relative to the project root, or nil. Negated
// globs ("!deploy/test/**") take back what a component's others match.
func (reg *Registry) MatchFile(rel string) *Component {
	rel = path.Clean(strings.TrimPrefix(rel, "./"))
	for _, c := range reg.Components {
		in, out := false, false
		for _, g := range c.Manifests {
			rest, neg := negated(g)
			if ok, _ := doublestar.Match(rest, rel); ok {
				if neg {
					out = true
				} else {
					in = true
				}
			}
		}
		if in && !out {
			return c
		}
	}
	return nil
}

// MatchLabels returns the component whose "labels" selector the given
// Kubernetes labels satisfy, or nil.
func (reg *Registry) MatchLabels(labels map[string]string) *Component {
	if len(labels) == 0 {
		return nil
	}
	for _, c := range reg.Components {
		if len(c.Labels) == 0 {
			continue
		}
		ok := true
		for k, v := range c.Labels {
			if labels[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return c
		}
	}
	return nil
}

// FreeOptions tunes Free.
type FreeOptions struct {
	// IncludeRetired lets retired ports count as free: the plan allows a
	// retired port to be reassigned when the new owner says so ("reuses").
	IncludeRetired bool
}

// Free returns up to n of the lowest ports in r that no component has,
// that the platform does not reserve and (unless opts.IncludeRetired) that
// no component has retired.
func (reg *Registry) Free(r *Range, n int, opts FreeOptions) []int {
	var out []int
	for p := r.Span.Lo; p <= r.Span.Hi && len(out) < n; p++ {
		if reg.isTaken(r.Group, p, opts) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// FreeCount counts the free ports of r as Free defines them.
func (reg *Registry) FreeCount(r *Range, opts FreeOptions) int {
	n := 0
	for p := r.Span.Lo; p <= r.Span.Hi; p++ {
		if !reg.isTaken(r.Group, p, opts) {
			n++
		}
	}
	return n
}

func (reg *Registry) isTaken(g *Group, p int, opts FreeOptions) bool {
	if len(reg.Assignments(g, p)) > 0 || len(reg.ReservedAt(g, p, ProtoAny)) > 0 || len(reg.SetAsideAt(g, p, ProtoAny)) > 0 {
		return true
	}
	return !opts.IncludeRetired && len(reg.RetiredAt(g, p)) > 0
}
