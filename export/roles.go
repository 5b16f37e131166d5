package export

import (
	"fmt"
	"strings"

	"github.com/portlint/portlint/registry"
)

// A Role is a kind of node a customer installs: a host that runs one plane,
// or several planes of one group at once (the all-in-one node). Firewall
// lists are written per role.
type Role struct {
	// Name is the plane's name ("SE-W"), "<group> all-in-one", or the
	// planes joined with "+".
	Name string
	// ID is a lowercase name safe for files, firewalld services and
	// firewall chains: "engine-se-w".
	ID string
	// Group is the group whose hosts play the role.
	Group *registry.Group
	// Planes are the planes the node runs; empty for a group without planes.
	Planes []*registry.Plane
	// Doc says what the node is.
	Doc string
	// Open are the ports to open on such a node, by port. With Options.All
	// they include the internal (loopback-bound) ports too.
	Open []*Opening
}

// An Opening is one line of a firewall list: a port assignment as it
// concerns a node.
type Opening struct {
	Port      *registry.Port
	Component *registry.Component
	// Internal is set for loopback-bound ports, which no firewall needs to
	// open.
	Internal bool
}

// Note is the remark a firewall list prints beside the port: the bind
// address when it is not every address, and the plan's open gap.
func (o *Opening) Note(reg *registry.Registry) string {
	var notes []string
	b := o.Port.Bind
	switch b.Kind {
	case registry.BindLoopback:
		notes = append(notes, "internal: binds "+b.String()+" only; do not open")
	case registry.BindVar:
		s := "binds " + b.String()
		if doc := varDoc(reg, b.Value); doc != "" {
			s += " (" + doc + ")"
		}
		notes = append(notes, s)
	case registry.BindIP, registry.BindHost:
		notes = append(notes, "binds "+b.String())
	case registry.BindVaries:
		notes = append(notes, "the bind address depends on the installation")
	}
	if o.Port.Pending != "" {
		notes = append(notes, "pending: "+o.Port.Pending)
	}
	if o.Port.IsService() {
		notes = append(notes, fmt.Sprintf("Service port; forwards to %d", o.Port.TargetPort))
	}
	if o.Port.Doc != "" {
		notes = append(notes, o.Port.Doc)
	}
	return strings.Join(notes, "; ")
}

func varDoc(reg *registry.Registry, name string) string {
	for _, v := range reg.Vars {
		if v.Name == name {
			return v.Doc
		}
	}
	return ""
}

// Roles returns the node roles the options select, each with the ports it
// must open. Without a plane selection every group yields one role per
// plane and, when it has several planes, an all-in-one role that runs them
// all; a component on several planes appears on each of them, and once on
// the all-in-one node.
func Roles(reg *registry.Registry, opts Options) ([]*Role, error) {
	var roles []*Role
	if len(opts.Planes) > 0 {
		g := opts.Planes[0].Group
		for _, p := range opts.Planes[1:] {
			if p.Group != g {
				return nil, fmt.Errorf("planes %s and %s belong to different groups, whose ports are planned apart: one node runs the planes of one group", opts.Planes[0].Name, p.Name)
			}
		}
		if opts.Group != nil && opts.Group != g {
			return nil, fmt.Errorf("plane %s belongs to group %s, not %s", opts.Planes[0].Name, g.Name, opts.Group.Name)
		}
		if opts.Component != nil && !runsOn(opts.Component, opts.Planes) {
			return nil, fmt.Errorf("component %s does not run on %s", opts.Component.Name, strings.Join(planeNames(opts.Planes), "+"))
		}
		roles = append(roles, newRole(g, dedupePlanes(opts.Planes)))
	} else {
		for _, g := range reg.Groups {
			if opts.Group != nil && g != opts.Group {
				continue
			}
			if opts.Component != nil && !opts.Component.InGroup(g) {
				continue
			}
			if len(g.Planes) == 0 {
				roles = append(roles, newRole(g, nil))
				continue
			}
			for _, p := range g.Planes {
				if opts.Component != nil && !runsOn(opts.Component, []*registry.Plane{p}) {
					continue
				}
				roles = append(roles, newRole(g, []*registry.Plane{p}))
			}
			if len(g.Planes) > 1 {
				roles = append(roles, newRole(g, g.Planes))
			}
		}
	}
	for _, r := range roles {
		for _, c := range r.Group.Components {
			if opts.Component != nil && c != opts.Component {
				continue
			}
			if c.External {
				continue // the product dials it; no firewall of ours opens its ports
			}
			if !runsOn(c, r.Planes) {
				continue
			}
			for _, p := range c.Ports {
				o := &Opening{Port: p, Component: c, Internal: p.Bind.IsLoopback()}
				if o.Internal && !opts.All {
					continue
				}
				r.Open = append(r.Open, o)
			}
		}
		sortedPorts(r.Open)
	}
	return roles, nil
}

// runsOn reports whether c runs on a node with these planes. A component
// that names no plane runs on every node of its group.
func runsOn(c *registry.Component, planes []*registry.Plane) bool {
	if len(c.Planes) == 0 || len(planes) == 0 {
		return true
	}
	for _, p := range planes {
		if hasPlane(c.Planes, p) {
			return true
		}
	}
	return false
}

func dedupePlanes(ps []*registry.Plane) []*registry.Plane {
	var out []*registry.Plane
	for _, p := range ps {
		if !hasPlane(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func newRole(g *registry.Group, planes []*registry.Plane) *Role {
	r := &Role{Group: g, Planes: planes}
	switch {
	case len(planes) == 0:
		r.Name = g.Name
		r.ID = slug(g.Name)
		r.Doc = g.Doc
	case len(planes) == 1:
		r.Name = planes[0].Name
		r.ID = slug(g.Name + "-" + planes[0].Name)
		r.Doc = planes[0].Doc
	case len(planes) == len(g.Planes) && len(planes) > 1:
		r.Name = g.Name + " all-in-one"
		r.ID = slug(g.Name + "-all-in-one")
		r.Doc = joinAnd(planeNames(planes)) + " on one node"
	default:
		r.Name = strings.Join(planeNames(planes), "+")
		r.ID = slug(g.Name + "-" + r.Name)
		r.Doc = joinAnd(planeNames(planes)) + " on one node"
	}
	if r.Name == g.Name && len(planes) == 1 {
		r.ID = slug(g.Name)
	}
	return r
}

// slug lowercases s and keeps letters and digits, joining runs of anything
// else with one "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
