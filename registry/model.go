// Package registry holds a product's port plan as data: groups of hosts with
// port pools, named ranges, components and the ports assigned to them,
// retired ports and their replacements, and the ports the customer's
// platform reserves. It loads the plan from registry.yaml (keeping the
// position of every value), validates it, and answers the questions the
// checks ask for every port they see: who owns this port, which range holds
// it, was it retired, is it reserved.
//
// The package knows nothing of Go source or manifests.
package registry

import (
	"fmt"
	"strings"
)

// A Pos is a position in a registry file. Line and Col are 1-based.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsValid reports whether the position names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Proto is a transport protocol: "tcp", "udp" or "sctp".
type Proto string

// The protocols. ProtoAny appears only in reservations and queries; it
// matches every protocol.
const (
	TCP      Proto = "tcp"
	UDP      Proto = "udp"
	SCTP     Proto = "sctp"
	ProtoAny Proto = ""
)

// Matches reports whether two protocols can collide (equal, or either any).
func (p Proto) Matches(o Proto) bool { return p == ProtoAny || o == ProtoAny || p == o }

// ParseProto accepts tcp, udp and sctp in any case (Kubernetes writes TCP).
func ParseProto(s string) (Proto, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tcp", "tcp4", "tcp6":
		return TCP, true
	case "udp", "udp4", "udp6":
		return UDP, true
	case "sctp":
		return SCTP, true
	}
	return "", false
}

// A Registry is a loaded, validated port plan.
type Registry struct {
	Version int
	Title   string
	File    string // the file it was loaded from, as given to Parse
	Data    []byte // the file's content, for mapping positions

	Vars       []*Var
	Planes     []*Plane
	Groups     []*Group
	Ranges     []*Range
	Components []*Component
	Retired    []*Retirement
	Reserved   []*Reservation

	// Problems are the validation findings: errors and warnings about the
	// plan itself. A registry with problems still answers queries.
	Problems []Diagnostic

	idx index
}

// A Var names an address known only at install time, such as a virtual IP.
// Bind addresses refer to it as "$NAME".
type Var struct {
	Name string
	Doc  string
	Pos  Pos
}

// A Plane is a role a node plays, such as SE-M (management plane). Firewall
// lists are written per plane.
type Plane struct {
	Name  string
	Group *Group
	Doc   string
	Pos   Pos
}

// A Group is a set of hosts on which ports must be unique. Ports are not
// shared across groups.
type Group struct {
	Name string
	Doc  string
	Pool Interval // the ports the group's components draw from; zero when the group has none
	// PoolWritten is the pool as the file writes it, for display.
	PoolWritten string
	Allow       []Interval // ports outside the pool the group may also use (80, 443)
	Pos         Pos
	// PoolPos is where the pool is written.
	PoolPos Pos

	Planes     []*Plane
	Ranges     []*Range
	Components []*Component
}

// HasPool reports whether the file gives the group a pool. A group without
// one is a plan of fixed ports: its components' ports are the ones they
// list, and nothing is outside a pool.
func (g *Group) HasPool() bool { return g.Pool.Lo > 0 }

// Extent is the group's pool or, for a group without one, the smallest
// interval that holds its ranges, its allowed extras and its components'
// ports (zero when it has none of them).
func (g *Group) Extent() Interval {
	if g.HasPool() {
		return g.Pool
	}
	var iv Interval
	add := func(s Interval) {
		if iv.Lo == 0 {
			iv = s
			return
		}
		iv = Interval{min(iv.Lo, s.Lo), max(iv.Hi, s.Hi)}
	}
	for _, r := range g.Ranges {
		add(r.Span)
	}
	for _, a := range g.Allow {
		add(a)
	}
	for _, c := range g.Components {
		for _, p := range c.Ports {
			add(p.Span)
		}
	}
	return iv
}

// InPool reports whether p is in the group's pool or its allowed extras.
func (g *Group) InPool(p int) bool {
	if g.Pool.Contains(p) {
		return true
	}
	return g.Allowed(p)
}

// Allowed reports whether p is one of the group's allowed extra ports.
func (g *Group) Allowed(p int) bool {
	for _, a := range g.Allow {
		if a.Contains(p) {
			return true
		}
	}
	return false
}

// A Range is a named span of ports inside a group's pool, set aside for a
// class of components. Ranges nest: Parent is the smallest range that
// contains this one.
type Range struct {
	Name        string
	Group       *Group
	Span        Interval
	Written     string // the span as the file writes it, for display
	Planes      []*Plane
	Unallocated bool     // still to be planned: no component may claim it
	WrittenAs   []string // other ways the source plan writes this span
	Doc         string
	Pos         Pos
	SpanPos     Pos

	Parent   *Range   // the innermost range containing this one, if any
	Within   *Range   // the parent the file declares with "within", if any
	Children []*Range // ranges whose Parent is this one
}

// A Component is one deployable piece that owns ports.
type Component struct {
	Name  string
	Group *Group // its group; the first of Groups
	// Groups are the groups it is deployed in: one, or several when the
	// same program runs in several kinds of host (a proxy in sidecar,
	// gateway and waypoint pods). Its ports are assigned in each.
	Groups    []*Group
	Planes    []*Plane
	Ranges    []*Range
	Ports     []*Port
	Packages  []string          // Go import-path patterns ("*/cmd/agent/...")
	Manifests []string          // file globs relative to the project root
	Labels    map[string]string // Kubernetes labels that identify its workloads
	// Types are Go types (and fields) whose values configure this
	// component wherever they are written: "*/pkg/bootstrap.Config",
	// "*/model.Proxy.AdminPort". A port written into one is the
	// component's, with role configure, whichever code writes it.
	Types []string
	// Keys are key paths of configuration and Helm values that belong to
	// this component wherever they appear: "bootstrap.adminPort",
	// "sidecar.**". A port under one is the component's.
	Keys    []string
	Aliases []string // other names: binaries, services, containers
	// External marks a dependency the product dials but does not run on
	// its hosts (a database): its ports are references, not ports to
	// open or to place in a pool.
	External bool
	Doc      string
	Since    string
	Pos      Pos
}

// InGroup reports whether the component is deployed in group g.
func (c *Component) InGroup(g *Group) bool {
	for _, x := range c.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// RangesIn returns the component's ranges that divide group g.
func (c *Component) RangesIn(g *Group) []*Range {
	if len(c.Groups) <= 1 {
		return c.Ranges
	}
	var out []*Range
	for _, r := range c.Ranges {
		if r.Group == g {
			out = append(out, r)
		}
	}
	return out
}

// PlaneNames lists the component's planes.
func (c *Component) PlaneNames() []string {
	var s []string
	for _, p := range c.Planes {
		s = append(s, p.Name)
	}
	return s
}

// InRanges reports whether p lies in one of the component's own ranges.
func (c *Component) InRanges(p int) bool {
	for _, r := range c.Ranges {
		if r.Span.Contains(p) {
			return true
		}
	}
	return false
}

// A Port is one assignment: a port (or span of ports) given to a component.
type Port struct {
	Component *Component
	Span      Interval
	Proto     Proto
	Bind      Bind
	Name      string // a short name, such as the Kubernetes port name
	Purpose   string
	Doc       string    // a longer note on the port, shown beside it
	Was       []OldPort // the pre-plan ports this assignment replaces
	Exception string    // why the port may lie outside the component's ranges
	Pending   string    // why the port is not planned yet (an open gap)
	Reuses    string    // the retired owner whose port this reuses
	Since     string
	Pos       Pos
	BindPos   Pos

	// TargetPort, when set, makes the assignment a Service port: a port on
	// a Kubernetes Service's address that forwards to the component's own
	// port TargetPort (Target). A Service port is not on the group's hosts:
	// it is placed in no pool and collides with no other assignment.
	TargetPort    int
	Target        *Port
	TargetPortPos Pos
}

// IsService reports whether the assignment is a Service port.
func (p *Port) IsService() bool { return p.TargetPort != 0 }

// Number is the port of a single-port assignment (the first of a span).
func (p *Port) Number() int { return p.Span.Lo }

// String writes bind:port/proto compactly, e.g. "$VIP:28952" or "20000".
// A bind that varies is not written: it names no address.
func (p *Port) String() string {
	s := p.Span.Dash()
	if p.Bind.Kind != BindAny && p.Bind.Kind != BindVaries {
		s = p.Bind.String() + ":" + s
	}
	if p.Proto != TCP {
		s += "/" + string(p.Proto)
	}
	return s
}

// An OldPort is a pre-plan port: a port number and, when the old listener
// bound a specific address, that address.
type OldPort struct {
	Port int
	Bind Bind
	Pos  Pos
}

// A Retirement records that a port once belonged to a component and must not
// come back for it. ReplacedBy is the port that took over; ReassignedTo is
// the live assignment that now legitimately reuses the number, if any.
type Retirement struct {
	Group      *Group
	Port       int
	Proto      Proto
	Bind       Bind
	Owner      string     // the component that used it; it may no longer exist
	Component  *Component // the owner, when it is still in the registry
	ReplacedBy *Port
	// ReplacedIn is the group of the replacement: the retirement's own
	// group, or another when replacedBy names one.
	ReplacedIn   *Group
	ReassignedTo *Port
	Since        string
	Doc          string
	Pos          Pos
}

// A Reservation is a port or span the customer's platform uses, or, when
// For is set, a block set aside for one of the plan's own components, which
// every other component must avoid.
type Reservation struct {
	Span   Interval
	Proto  Proto // ProtoAny when both
	Owner  string
	Groups []*Group // nil: every group
	Doc    string
	Pos    Pos
	// For is the component the block is set aside for; nil for a platform
	// reservation. Such a block applies in the component's groups.
	For    *Component
	ForPos Pos
}

// AppliesTo reports whether the reservation binds group g (nil: unknown group,
// which every reservation binds).
func (r *Reservation) AppliesTo(g *Group) bool {
	if r.Groups == nil || g == nil {
		return true
	}
	for _, x := range r.Groups {
		if x == g {
			return true
		}
	}
	return false
}
