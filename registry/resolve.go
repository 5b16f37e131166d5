package registry

import (
	"fmt"
	"sort"
	"strings"
)

// resolve turns names into pointers, reporting unknown references with the
// nearest known name.
func (reg *Registry) resolve(d *decoder) {
	group := func(r ref, what string) *Group {
		if r.name == "" {
			return nil
		}
		g := d.groupNodes[r.name]
		if g == nil {
			d.report(r.pos, "unknown-ref", "%s: no group %q%s", what, r.name, didYouMean(r.name, keys(d.groupNodes)))
		}
		return g
	}
	plane := func(r ref, g *Group, what string) *Plane {
		p := d.planeNodes[r.name]
		if p == nil {
			d.report(r.pos, "unknown-ref", "%s: no plane %q%s", what, r.name, didYouMean(r.name, keys(d.planeNodes)))
			return nil
		}
		if g != nil && p.Group != nil && p.Group != g {
			d.report(r.pos, "unknown-ref", "%s: plane %s belongs to group %s, not %s", what, p.Name, p.Group.Name, g.Name)
		}
		return p
	}
	for _, pr := range d.planeGroups {
		pr.obj.Group = group(pr.ref, "plane "+pr.obj.Name)
		if pr.obj.Group != nil {
			pr.obj.Group.Planes = append(pr.obj.Group.Planes, pr.obj)
		}
	}
	for _, vr := range d.varRefs {
		if d.varNodes[vr.ref.name] == nil {
			d.report(vr.ref.pos, "unknown-ref", "bind $%s: no such variable under vars%s", vr.ref.name, didYouMean(vr.ref.name, keys(d.varNodes)))
		}
	}
	// Ranges: groups first, then "within" (which may supply the group).
	for _, raw := range d.rangeRefs {
		raw.r.Group = group(raw.group, "range "+raw.r.Name)
	}
	for _, raw := range d.rangeRefs {
		r := raw.r
		if raw.within.name == "" {
			continue
		}
		w := d.rangeNodes[raw.within.name]
		if w == nil {
			d.report(raw.within.pos, "unknown-ref", "range %s within: no range %q%s", r.Name, raw.within.name, didYouMean(raw.within.name, keys(d.rangeNodes)))
			continue
		}
		r.Within = w
	}
	for _, raw := range d.rangeRefs {
		r := raw.r
		// Take the group from the chain of "within" parents.
		chain := []string{r.Name}
		seen := map[*Range]bool{r: true}
		for w := r.Within; r.Group == nil && w != nil; w = w.Within {
			r.Group = w.Group
			chain = append(chain, w.Name)
			if seen[w] {
				break // a cycle
			}
			seen[w] = true
		}
		if r.Group == nil && raw.group.name == "" && r.Within != nil {
			d.report(r.Pos, "missing-key", "range %s has no \"group\", and its \"within\" chain (%s) names none", r.Name, strings.Join(chain, " -> "))
		}
		for _, pr := range raw.planes {
			if p := plane(pr, r.Group, "range "+r.Name); p != nil {
				r.Planes = append(r.Planes, p)
			}
		}
		if r.Group != nil {
			r.Group.Ranges = append(r.Group.Ranges, r)
		}
	}
	for _, raw := range d.compRefs {
		c := raw.c
		what := "component " + c.Name
		refs := raw.groups
		if raw.group.name != "" {
			refs = []ref{raw.group}
		}
		for _, gr := range refs {
			g := group(gr, what)
			if g == nil {
				continue
			}
			if c.InGroup(g) {
				d.report(gr.pos, "duplicate-name", "%s: group %s is named twice", what, g.Name)
				continue
			}
			c.Groups = append(c.Groups, g)
		}
		if len(c.Groups) > 0 {
			c.Group = c.Groups[0]
		}
		for _, pr := range raw.planes {
			if len(c.Groups) <= 1 {
				if p := plane(pr, c.Group, what); p != nil {
					c.Planes = append(c.Planes, p)
				}
				continue
			}
			p := plane(pr, nil, what)
			if p != nil && p.Group != nil && !c.InGroup(p.Group) {
				d.report(pr.pos, "unknown-ref", "%s: plane %s belongs to group %s, not to %s", what, p.Name, p.Group.Name, groupNames(c.Groups))
				continue
			}
			if p != nil {
				c.Planes = append(c.Planes, p)
			}
		}
		for _, rr := range raw.ranges {
			r := d.rangeNodes[rr.name]
			if r == nil {
				d.report(rr.pos, "unknown-ref", "%s: no range %q%s", what, rr.name, didYouMean(rr.name, keys(d.rangeNodes)))
				continue
			}
			if len(c.Groups) > 0 && r.Group != nil && !c.InGroup(r.Group) {
				d.report(rr.pos, "unknown-ref", "%s: range %s belongs to group %s, not %s", what, r.Name, r.Group.Name, groupNames(c.Groups))
				continue
			}
			c.Ranges = append(c.Ranges, r)
		}
		for _, g := range c.Groups {
			g.Components = append(g.Components, c)
		}
	}
	for _, raw := range d.retiredRefs {
		r := raw.r
		r.Group = group(raw.group, fmt.Sprintf("retired port %d", r.Port))
		// The owner may be written as an alias (pilot for istiod): it
		// resolves like a component name, and the retirement then names
		// the component.
		if c := d.aliasOwners[normName(r.Owner)]; c != nil {
			r.Component, r.Owner = c, c.Name
		}
		replGroup := r.Group
		if raw.replGroup.name != "" {
			replGroup = group(raw.replGroup, fmt.Sprintf("retired port %d replacedBy", r.Port))
		}
		if raw.replacedBy != 0 && replGroup != nil {
			for _, c := range replGroup.Components {
				for _, p := range c.Ports {
					if p.Span.Contains(raw.replacedBy) && r.ReplacedBy == nil {
						r.ReplacedBy, r.ReplacedIn = p, replGroup
					}
				}
			}
			if r.ReplacedBy == nil {
				pos := raw.replPos
				if !pos.IsValid() {
					pos = raw.replGroup.pos
				}
				d.report(pos, "unknown-ref", "retired port %d: replacedBy %d is not assigned to any component of group %s", r.Port, raw.replacedBy, replGroup.Name)
			}
		}
	}
	for _, raw := range d.reservedRefs {
		for _, gr := range raw.groups {
			if g := group(gr, "reserved "+raw.r.Owner); g != nil {
				raw.r.Groups = append(raw.r.Groups, g)
			}
		}
		if fr := raw.forRef; fr.name != "" {
			c := d.aliasOwners[normName(fr.name)]
			if c == nil {
				d.report(fr.pos, "unknown-ref", "reserved %s for: no component %q%s", raw.r.Span, fr.name, didYouMean(fr.name, keys(d.compNodes)))
				continue
			}
			raw.r.For = c
			if raw.r.Owner == "" {
				raw.r.Owner = c.Name
			}
			if len(c.Groups) > 0 {
				raw.r.Groups = append([]*Group(nil), c.Groups...)
			}
		}
	}
	for _, p := range d.targetRefs {
		for _, q := range p.Component.Ports {
			if q != p && !q.IsService() && q.Span.Contains(p.TargetPort) && q.Proto.Matches(p.Proto) {
				p.Target = q
				break
			}
		}
		if p.Target == nil {
			d.report(p.TargetPortPos, "unknown-ref", "component %s Service port %d: targetPort %d is not a %s port of %s", p.Component.Name, p.Span.Lo, p.TargetPort, p.Proto, p.Component.Name)
		}
	}
	// Retirements derived from "was" are needed to resolve "reuses".
	reg.deriveRetirements()
	type groupPort struct {
		g *Group
		p int
	}
	retiredAt := map[groupPort][]*Retirement{}
	for _, r := range reg.Retired {
		k := groupPort{r.Group, r.Port}
		retiredAt[k] = append(retiredAt[k], r)
	}
	for _, rr := range d.reusesRefs {
		p := rr.obj
		var hits []*Retirement
		var owners []string
		var cands []*Retirement
		for q := p.Span.Lo; q <= p.Span.Hi && q > 0; q++ {
			for _, g := range p.Component.Groups {
				cands = append(cands, retiredAt[groupPort{g, q}]...)
			}
		}
		name := rr.ref.name
		if c := d.aliasOwners[normName(name)]; c != nil {
			name = c.Name // an alias names the component, as in the retirement
		}
		for _, r := range cands {
			owners = append(owners, r.Owner)
			if r.Owner == name {
				hits = append(hits, r)
			}
		}
		if hits == nil {
			hint := didYouMean(rr.ref.name, owners)
			if len(owners) == 0 {
				hint = "; no retirement of this port is recorded"
			}
			d.report(rr.ref.pos, "unknown-ref", "component %s port %s reuses %q, but %q never retired it%s", p.Component.Name, p.Span.Dash(), rr.ref.name, rr.ref.name, hint)
			continue
		}
		for _, r := range hits {
			r.ReassignedTo = p
		}
	}
}

func groupNames(gs []*Group) string {
	var s []string
	for _, g := range gs {
		s = append(s, g.Name)
	}
	return strings.Join(s, ", ")
}

// deriveRetirements adds a Retirement for each "was" of each assignment,
// before the explicit "retired" entries.
func (reg *Registry) deriveRetirements() {
	var derived []*Retirement
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			for _, old := range p.Was {
				if old.Port == p.Span.Lo && old.Bind == p.Bind && p.Span.IsSingle() {
					continue // "was" the same port: unchanged, nothing retired
				}
				for _, g := range c.Groups {
					derived = append(derived, &Retirement{
						Group: g, Port: old.Port, Proto: p.Proto, Bind: old.Bind,
						Owner: c.Name, Component: c, ReplacedBy: p, ReplacedIn: g, Pos: old.Pos,
					})
				}
			}
		}
	}
	reg.Retired = append(derived, reg.Retired...)
}

// derive computes what the file implies: range nesting.
func (reg *Registry) derive() {
	for _, g := range reg.Groups {
		rs := append([]*Range(nil), g.Ranges...)
		// Larger first, so that each range's parent is already placed.
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Span.Len() != rs[j].Span.Len() {
				return rs[i].Span.Len() > rs[j].Span.Len()
			}
			return rs[i].Span.Lo < rs[j].Span.Lo
		})
		for i, r := range rs {
			for j := i - 1; j >= 0; j-- {
				c := rs[j]
				if c.Span.ContainsInterval(r.Span) && c.Span != r.Span && c.Unallocated == r.Unallocated {
					if r.Parent == nil || r.Parent.Span.Len() > c.Span.Len() {
						r.Parent = c
					}
				}
			}
			if r.Parent != nil {
				r.Parent.Children = append(r.Parent.Children, r)
			}
		}
		for _, r := range rs {
			sort.Slice(r.Children, func(i, j int) bool { return r.Children[i].Span.Lo < r.Children[j].Span.Lo })
		}
	}
}
