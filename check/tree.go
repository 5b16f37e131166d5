package check

import (
	"fmt"
	"sort"

	"github.com/portlint/portlint/registry"
)

// A TreeResult is a finding that needs every use of the scanned tree.
type TreeResult struct {
	Check   string
	Message string
	At      Position // where to report it
	Use     *Use     // the use it is about; nil for unused registry entries
	Related []RelatedPosition
	Hint    string // the short remedy (see remedy.go)
}

// A RelatedPosition points at the other party of a tree finding.
type RelatedPosition struct {
	Pos     Position
	Message string
}

// Duplicates finds listeners of different components that take the same
// port: same group, overlapping ports, matching protocol, overlapping bind
// addresses. Each collision is reported once, at the later use, pointing at
// the earliest. Only uses that claim a host port (listen, default) count;
// unattributed uses and dials do not.
//
// A collision where one side is the port's registered owner is left to the
// conflict check, which reports the other side; an address that is not
// known (a VIP read at run time) collides only with all addresses. rel
// formats the file names in messages.
func Duplicates(reg *registry.Registry, uses []*Use, rel func(string) string) []TreeResult {
	if rel == nil {
		rel = func(s string) string { return s }
	}
	type key struct {
		g    *registry.Group
		port int
	}
	by := map[key][]*Use{}
	for _, u := range uses {
		if !u.Role.Listens() || u.Ref {
			continue // a dial, an exposed Service port, a configured or redirect target, a constant's use
		}
		c := reg.Component(u.Component)
		if c == nil || u.Port == 0 {
			continue
		}
		for p := u.Port; p <= u.Last(); p++ {
			for _, g := range c.Groups { // in each group the component runs in
				k := key{g, p}
				by[k] = append(by[k], u)
			}
		}
	}
	var out []TreeResult
	seen := map[[2]*Use]bool{}
	keys := make([]key, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].port != keys[j].port {
			return keys[i].port < keys[j].port
		}
		return keys[i].g.Name < keys[j].g.Name
	})
	for _, k := range keys {
		us := by[k]
		sort.SliceStable(us, func(i, j int) bool { return us[i].Pos.Before(us[j].Pos) })
		for i, b := range us {
			for _, a := range us[:i] {
				if reg.Component(a.Component) == reg.Component(b.Component) || seen[[2]*Use{a, b}] {
					continue
				}
				if !protoOf(a).Matches(protoOf(b)) || !bindsCollide(a, b) {
					continue
				}
				if owns(reg, a, k.port) || owns(reg, b, k.port) {
					continue // the conflict check speaks for the owner
				}
				seen[[2]*Use{a, b}] = true
				out = append(out, TreeResult{
					Check:   Duplicate,
					Message: fmt.Sprintf("port %d of %s is also taken by %s at %s:%d:%d", k.port, b.Component, a.Component, rel(a.Pos.File), a.Pos.Line, a.Pos.Column),
					At:      b.Pos, Use: b,
					Related: []RelatedPosition{{a.Pos, fmt.Sprintf("%s takes port %d here", a.Component, k.port)}},
					Hint:    DuplicateHint(reg, b),
				})
				break // one report per later use and port
			}
		}
	}
	return out
}

// UnusedPorts lists the registry's assignments that no use in the tree touches:
// neither a use of the owning component nor an unattributed one.
func UnusedPorts(reg *registry.Registry, uses []*Use) []TreeResult {
	type key struct {
		g    *registry.Group
		port int
	}
	usedBy := map[key]bool{}
	anyUse := map[int]bool{}
	for _, u := range uses {
		c := reg.Component(u.Component)
		for p := u.Port; p <= u.Last() && p > 0; p++ {
			if c == nil {
				anyUse[p] = true
				continue
			}
			for _, g := range c.Groups {
				usedBy[key{g, p}] = true
			}
			// a dial of another component's port is a use of that port too
			for _, g := range reg.Groups {
				if u.Role == Dial {
					usedBy[key{g, p}] = true
				}
			}
		}
	}
	var out []TreeResult
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			used := false
			for q := p.Span.Lo; q <= p.Span.Hi && !used; q++ {
				for _, g := range c.Groups {
					used = used || usedBy[key{g, q}]
				}
				used = used || anyUse[q]
			}
			if used {
				continue
			}
			out = append(out, TreeResult{
				Check:   Unused,
				Message: fmt.Sprintf("%s port %s is not used anywhere in the tree", c.Name, p.Span.Dash()),
				At:      Position{File: p.Pos.File, Line: p.Pos.Line, Column: p.Pos.Col},
				Hint:    UnusedHint(c, p),
			})
		}
	}
	return out
}

func protoOf(u *Use) registry.Proto {
	if u.Proto == "" {
		return registry.TCP
	}
	return u.Proto
}

func bindOf(u *Use) registry.Bind {
	if !u.BindKnown {
		return registry.Any
	}
	return u.Bind
}

// bindsCollide reports whether two listeners' addresses overlap. A bare
// port listens on all addresses; an address whose host is computed at run
// time overlaps only all addresses.
func bindsCollide(a, b *Use) bool {
	switch {
	case a.HostComputed && b.HostComputed:
		return false
	case a.HostComputed:
		return bindOf(b).Kind == registry.BindAny
	case b.HostComputed:
		return bindOf(a).Kind == registry.BindAny
	}
	return bindOf(a).Overlaps(bindOf(b))
}

// owns reports whether the use's component is registered on the port.
func owns(reg *registry.Registry, u *Use, port int) bool {
	c := reg.Component(u.Component)
	if c == nil {
		return false
	}
	for _, g := range c.Groups {
		for _, a := range reg.Assignments(g, port) {
			if a.Component == c {
				return true
			}
		}
	}
	return false
}
