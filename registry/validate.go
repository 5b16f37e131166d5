package registry

import (
	"fmt"
	"sort"
	"strings"
)

// validate checks the plan for contradictions (errors) and open gaps
// (warnings). It runs after the registry has loaded and resolved, so every
// reference is known to exist.
func (reg *Registry) validate() []Diagnostic {
	v := &validator{reg: reg}
	v.ranges()
	v.ports()
	v.pools()
	return v.out
}

type validator struct {
	reg  *Registry
	out  []Diagnostic
	seen map[[3]string]bool
}

// add records a finding once: a component in several groups has its ports
// checked in each, and what holds in both is said once.
func (v *validator) add(p Pos, rule string, rel []Related, format string, args ...any) {
	r := LookupRule(rule)
	msg := fmt.Sprintf(format, args...)
	k := [3]string{p.String(), rule, msg}
	if v.seen[k] {
		return
	}
	if v.seen == nil {
		v.seen = map[[3]string]bool{}
	}
	v.seen[k] = true
	v.out = append(v.out, Diagnostic{Pos: p, Severity: r.Severity, Rule: rule, Message: msg, Related: rel})
}

func (v *validator) ranges() {
	for _, g := range v.reg.Groups {
		var alloc []*Range
		for _, r := range g.Ranges {
			if g.HasPool() && !g.Pool.ContainsInterval(r.Span) {
				v.add(r.SpanPos, "range-outside-pool", []Related{{g.PoolPos, "pool of group " + g.Name}},
					"range %s %s reaches outside the pool %s of group %s", r.Name, r.Span, g.Pool, g.Name)
			}
			if w := r.Within; w != nil {
				if w.Group != r.Group {
					v.add(r.Pos, "within-mismatch", []Related{{w.Pos, "range " + w.Name}}, "range %s is in group %s but within %s of group %s", r.Name, groupName(r.Group), w.Name, groupName(w.Group))
				} else if !w.Span.ContainsInterval(r.Span) || w.Span == r.Span {
					v.add(r.SpanPos, "within-mismatch", []Related{{w.SpanPos, "range " + w.Name}}, "range %s %s is declared within %s %s but is not inside it", r.Name, r.Span, w.Name, w.Span)
				}
			}
			for _, s := range r.WrittenAs {
				if iv, err := ParseInterval(s); err == nil && iv != r.Span {
					v.add(r.SpanPos, "written-as", nil, "range %s is written both as %s and as %q in the plan; they differ at %s, and the registry uses %s", r.Name, r.Span, s, symDiff(r.Span, iv), r.Span)
				}
			}
			if !r.Unallocated {
				alloc = append(alloc, r)
			}
		}
		sort.SliceStable(alloc, func(i, j int) bool { return alloc[i].Span.Lo < alloc[j].Span.Lo })
		for i, a := range alloc {
			for _, b := range alloc[i+1:] {
				if b.Span.Lo > a.Span.Hi {
					break
				}
				if (a.Span.ContainsInterval(b.Span) || b.Span.ContainsInterval(a.Span)) && a.Span != b.Span {
					continue
				}
				x, _ := a.Span.Intersect(b.Span)
				v.add(b.SpanPos, "range-overlap", []Related{{a.SpanPos, "range " + a.Name}},
					"range %s %s overlaps range %s %s at %s without either containing the other", b.Name, b.Span, a.Name, a.Span, x)
			}
		}
		for _, u := range g.Ranges {
			if !u.Unallocated {
				continue
			}
			for _, a := range alloc {
				x, ok := u.Span.Intersect(a.Span)
				if !ok || (a.Parent != nil && a.Parent.Span.Overlaps(u.Span)) {
					continue // reported once, for the outermost overlapping range
				}
				v.add(u.SpanPos, "unallocated-overlap", []Related{{a.SpanPos, "range " + a.Name}},
					"unallocated range %s %s overlaps allocated range %s %s at %s", u.Name, u.Span, a.Name, a.Span, x)
			}
		}
		for _, r := range alloc {
			v.splitGap(r)
		}
	}
}

// splitGap reports ports of a range that is divided among its planes (each
// child takes planes no sibling has, together all the parent's planes) but
// whose children leave holes: those ports belong to no plane.
func (v *validator) splitGap(r *Range) {
	if len(r.Planes) < 2 || len(r.Children) < 2 {
		return
	}
	seen := map[*Plane]bool{}
	for _, c := range r.Children {
		if len(c.Planes) == 0 {
			return
		}
		for _, p := range c.Planes {
			if seen[p] {
				return // children share a plane: not a split by plane
			}
			seen[p] = true
		}
	}
	for _, p := range r.Planes {
		if !seen[p] {
			return
		}
	}
	var holes []string
	next := r.Span.Lo
	for _, c := range r.Children {
		if c.Span.Lo > next {
			holes = append(holes, Interval{next, c.Span.Lo - 1}.Dash())
		}
		next = max(next, c.Span.Hi+1)
	}
	if next <= r.Span.Hi {
		holes = append(holes, Interval{next, r.Span.Hi}.Dash())
	}
	if len(holes) == 0 {
		return
	}
	var names []string
	for _, c := range r.Children {
		names = append(names, c.Name)
	}
	v.add(r.SpanPos, "split-gap", nil, "range %s %s is split by plane into %s, but port %s is in none of them and so belongs to no plane",
		r.Name, r.Span, strings.Join(names, ", "), strings.Join(holes, ", "))
}

func groupName(g *Group) string {
	if g == nil {
		return "(none)"
	}
	return g.Name
}

func symDiff(a, b Interval) string {
	var parts []string
	if a.Lo != b.Lo {
		parts = append(parts, Interval{min(a.Lo, b.Lo), max(a.Lo, b.Lo) - 1}.Dash())
	}
	if a.Hi != b.Hi {
		parts = append(parts, Interval{min(a.Hi, b.Hi) + 1, max(a.Hi, b.Hi)}.Dash())
	}
	return "port " + strings.Join(parts, " and ")
}

func (v *validator) ports() {
	for _, g := range v.reg.Groups {
		var all []*Port // in file order
		for _, c := range g.Components {
			for _, p := range c.Ports {
				v.retiredReuse(g, c, p)
				if c.External || p.IsService() {
					// A dependency on other hosts, or a port on a
					// Service's address: nothing to place, nothing to
					// collide with.
					continue
				}
				all = append(all, p)
				v.placement(g, c, p)
				v.reservedPort(g, c, p)
			}
		}
		v.conflicts(g, all)
	}
}

// conflicts reports each pair of assignments in g that collide, at the
// later of the two in file order. A sweep over the assignments sorted by
// port compares only those whose spans overlap.
func (v *validator) conflicts(g *Group, all []*Port) {
	order := make(map[*Port]int, len(all))
	for i, p := range all {
		order[p] = i
	}
	byLo := append([]*Port(nil), all...)
	sort.SliceStable(byLo, func(i, j int) bool { return byLo[i].Span.Lo < byLo[j].Span.Lo })
	type clash struct{ a, b *Port } // a after b in file order
	var clashes []clash
	var active []*Port
	for _, p := range byLo {
		kept := active[:0]
		for _, q := range active {
			if q.Span.Hi >= p.Span.Lo {
				kept = append(kept, q)
			}
		}
		active = kept
		for _, q := range active {
			if !p.Proto.Matches(q.Proto) || !p.Bind.Overlaps(q.Bind) {
				continue
			}
			if order[p] > order[q] {
				clashes = append(clashes, clash{p, q})
			} else {
				clashes = append(clashes, clash{q, p})
			}
		}
		active = append(active, p)
	}
	sort.SliceStable(clashes, func(i, j int) bool {
		if order[clashes[i].a] != order[clashes[j].a] {
			return order[clashes[i].a] < order[clashes[j].a]
		}
		return order[clashes[i].b] < order[clashes[j].b]
	})
	for _, c := range clashes {
		a, b := c.a, c.b
		x, _ := a.Span.Intersect(b.Span)
		v.add(a.Pos, "port-conflict", []Related{{b.Pos, "assigned to " + b.Component.Name}},
			"port %s is assigned to %s (bind %s) and to %s (bind %s) in group %s; the bind addresses overlap",
			x.Dash(), a.Component.Name, a.Bind, b.Component.Name, b.Bind, g.Name)
	}
}

// placement checks that a port lies in its component's ranges and its
// group's pool, unless an exception says why not.
func (v *validator) placement(g *Group, c *Component, p *Port) {
	allowed := true
	for q := p.Span.Lo; q <= p.Span.Hi; q++ {
		if !g.Allowed(q) {
			allowed = false
			break
		}
	}
	if allowed || p.Exception != "" || v.inOwnBlock(g, c, p) {
		return
	}
	var where []string
	rule := ""
	if g.HasPool() && !g.Pool.ContainsInterval(p.Span) {
		rule = "outside-pool"
		where = append(where, fmt.Sprintf("outside the pool %s of group %s", g.Pool, g.Name))
	} else if rs := c.RangesIn(g); len(rs) > 0 && !inAny(rs, p.Span) {
		rule = "outside-ranges"
		owner := v.reg.RangeAt(g, p.Span.Lo)
		desc := "in no range"
		if owner != nil {
			desc = "in range " + owner.Name
		}
		where = append(where, fmt.Sprintf("outside its ranges (%s), %s", rangeNames(rs), desc))
	} else if u := v.reg.UnallocatedAt(g, p.Span.Lo); u != nil && v.reg.RangeAt(g, p.Span.Lo) == nil {
		rule = "in-unallocated"
		where = append(where, fmt.Sprintf("inside the unallocated range %s", u.Name))
	}
	if p.Pending != "" {
		msg := fmt.Sprintf("%s keeps port %s, which the plan has not settled (%s)", c.Name, p.Span.Dash(), p.Pending)
		if len(where) > 0 {
			msg += "; it lies " + strings.Join(where, "; ")
		}
		v.add(p.Pos, "pending-port", nil, "%s", msg)
		return
	}
	if rule != "" {
		v.add(p.Pos, rule, nil, "%s port %s lies %s; move it or give an \"exception\"", c.Name, p.Span.Dash(), strings.Join(where, "; "))
	}
}

func inAny(rs []*Range, iv Interval) bool {
	for _, r := range rs {
		if r.Span.ContainsInterval(iv) {
			return true
		}
	}
	return false
}

func rangeNames(rs []*Range) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Name)
	}
	return strings.Join(s, ", ")
}

func (v *validator) reservedPort(g *Group, c *Component, p *Port) {
	seen := map[*Reservation]bool{}
	for q := p.Span.Lo; q <= p.Span.Hi; q++ {
		for _, r := range v.reg.ReservedAt(g, q, p.Proto) {
			if seen[r] {
				continue
			}
			seen[r] = true
			v.add(p.Pos, "reserved-port", []Related{{r.Pos, "reserved by " + r.Owner}},
				"%s port %s is reserved by the platform (%s)", c.Name, p.Span.Dash(), r.Owner)
		}
		for _, r := range v.reg.SetAsideAt(g, q, p.Proto) {
			if seen[r] || r.For == c {
				continue
			}
			seen[r] = true
			v.add(p.Pos, "reserved-port", []Related{{r.Pos, "set aside for " + r.For.Name}},
				"%s port %s lies in %s, which the plan sets aside for %s", c.Name, p.Span.Dash(), r.Span, describeSetAside(r))
		}
	}
}

// describeSetAside names the component a block is set aside for, with the
// reservation's own words when they differ.
func describeSetAside(r *Reservation) string {
	if r.Owner != "" && r.Owner != r.For.Name {
		return r.For.Name + " (" + r.Owner + ")"
	}
	return r.For.Name
}

// inOwnBlock reports whether the whole assignment lies in blocks set aside
// for its component: such a block is the component's, wherever it lies.
func (v *validator) inOwnBlock(g *Group, c *Component, p *Port) bool {
	for q := p.Span.Lo; q <= p.Span.Hi; q++ {
		own := false
		for _, r := range v.reg.SetAsideAt(g, q, p.Proto) {
			if r.For == c {
				own = true
			}
		}
		if !own {
			return false
		}
	}
	return true
}

func (v *validator) retiredReuse(g *Group, c *Component, p *Port) {
	for q := p.Span.Lo; q <= p.Span.Hi; q++ {
		for _, r := range v.reg.RetiredAt(g, q) {
			if r.ReplacedBy == p || r.ReassignedTo == p || !r.Proto.Matches(p.Proto) || !r.Bind.Overlaps(p.Bind) {
				continue
			}
			rel := []Related{{r.Pos, "retired from " + r.Owner}}
			if r.Owner == c.Name {
				v.add(p.Pos, "retired-reused", rel, "%s port %d is live, but %s also retired it", c.Name, q, c.Name)
				continue
			}
			repl := ""
			if r.ReplacedBy != nil {
				repl = fmt.Sprintf(" (replaced by %d)", r.ReplacedBy.Span.Lo)
			}
			v.add(p.Pos, "retired-reused", rel, "%s port %d was retired from %s%s; add \"reuses: %s\" if the reassignment is intended", c.Name, q, r.Owner, repl, r.Owner)
		}
	}
}

func (v *validator) pools() {
	for _, g := range v.reg.Groups {
		var spans []Interval
		if g.HasPool() {
			spans = append(spans, g.Pool)
		}
		spans = append(spans, g.Allow...)
		for _, r := range v.reg.Reserved {
			if !r.AppliesTo(g) || r.For != nil {
				continue // a block set aside for a component is the plan's own
			}
			for _, s := range spans {
				x, ok := s.Intersect(r.Span)
				if !ok {
					continue
				}
				where := ""
				if rs := v.reg.RangesAt(g, x.Lo); len(rs) > 0 {
					where = ", inside range " + rs[0].Name
				}
				at := g.PoolPos
				if !at.IsValid() {
					at = g.Pos // no pool: the group, whose allowed extras hold it
				}
				v.add(at, "pool-reserved", []Related{{r.Pos, "reserved by " + r.Owner}},
					"the ports of group %s include %s, which the platform reserves (%s)%s; never assign it", g.Name, x.Dash(), r.Owner, where)
			}
		}
	}
}
