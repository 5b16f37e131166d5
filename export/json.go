package export

import (
	"encoding/json"
	"io"

	"github.com/portlint/portlint/registry"
)

// PlanFormat names the JSON document JSON writes; it changes when the
// document changes incompatibly.
const PlanFormat = "portlint-plan/1"

// Plan is the normalized plan JSON writes: every span as inclusive first
// and last ports, every reference by name, the retirements derived from
// "was" included, and the firewall list of each node role.
type Plan struct {
	Format     string          `json:"format"`
	Title      string          `json:"title,omitempty"`
	Source     string          `json:"source,omitempty"`
	Vars       []PlanVar       `json:"vars,omitempty"`
	Groups     []PlanGroup     `json:"groups"`
	Planes     []PlanPlane     `json:"planes"`
	Ranges     []PlanRange     `json:"ranges"`
	Components []PlanComponent `json:"components"`
	Retired    []PlanRetired   `json:"retired"`
	Reserved   []PlanReserved  `json:"reserved"`
	Roles      []PlanRole      `json:"roles"`
}

// A Span is an inclusive run of ports.
type Span struct {
	First int `json:"first"`
	Last  int `json:"last"`
}

func spanOf(iv registry.Interval) Span { return Span{iv.Lo, iv.Hi} }

// PlanVar is a bind-address variable.
type PlanVar struct {
	Name string `json:"name"`
	Doc  string `json:"doc,omitempty"`
}

// PlanGroup is a group of hosts with its pool.
type PlanGroup struct {
	Name   string   `json:"name"`
	Doc    string   `json:"doc,omitempty"`
	Pool   *Span    `json:"pool,omitempty"` // nil for a group of fixed ports
	Allow  []Span   `json:"allow,omitempty"`
	Planes []string `json:"planes,omitempty"`
}

// PlanPlane is a plane (a role a node plays).
type PlanPlane struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	Doc   string `json:"doc,omitempty"`
}

// PlanRange is a named range. Parent is the innermost range holding it;
// Free counts its ports that nothing assigns, reserves or retired.
type PlanRange struct {
	Name        string   `json:"name"`
	Group       string   `json:"group"`
	Span        Span     `json:"span"`
	Written     string   `json:"written,omitempty"`
	Planes      []string `json:"planes,omitempty"`
	Parent      string   `json:"parent,omitempty"`
	Unallocated bool     `json:"unallocated,omitempty"`
	Free        int      `json:"free"`
	Doc         string   `json:"doc,omitempty"`
}

// PlanComponent is a component and its ports.
type PlanComponent struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	// Groups lists every group of a component deployed in several; Group
	// is the first.
	Groups  []string `json:"groups,omitempty"`
	Planes  []string `json:"planes,omitempty"`
	Ranges  []string `json:"ranges,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// External marks a dependency the product dials; its ports are in no
	// role's open list.
	External bool       `json:"external,omitempty"`
	Doc      string     `json:"doc,omitempty"`
	Since    string     `json:"since,omitempty"`
	Ports    []PlanPort `json:"ports"`
}

// PlanPort is one assignment. PortEnd is set for a span of ports, as in
// the inventory records of portlint ports -json.
type PlanPort struct {
	Port     int    `json:"port"`
	PortEnd  int    `json:"port_end,omitempty"`
	Proto    string `json:"proto"`
	Bind     string `json:"bind"`
	Internal bool   `json:"internal,omitempty"`
	Name     string `json:"name,omitempty"`
	Purpose  string `json:"purpose,omitempty"`
	Doc      string `json:"doc,omitempty"`
	// TargetPort is set for a Service port: the component's port it
	// forwards to.
	TargetPort int      `json:"targetPort,omitempty"`
	Was        []string `json:"was,omitempty"`
	Range      string   `json:"range,omitempty"`
	Exception  string   `json:"exception,omitempty"`
	Pending    string   `json:"pending,omitempty"`
	Reuses     string   `json:"reuses,omitempty"`
	Since      string   `json:"since,omitempty"`
}

// PlanRetired is a retired port and what replaced it.
type PlanRetired struct {
	Group        string `json:"group"`
	Port         int    `json:"port"`
	Proto        string `json:"proto"`
	Bind         string `json:"bind"`
	Owner        string `json:"owner"`
	ReplacedBy   string `json:"replaced_by,omitempty"`   // "component port"
	ReassignedTo string `json:"reassigned_to,omitempty"` // "component port"
	Doc          string `json:"doc,omitempty"`
}

// PlanReserved is a port or span the customer's platform uses.
type PlanReserved struct {
	Span   Span     `json:"span"`
	Proto  string   `json:"proto,omitempty"`
	Owner  string   `json:"owner"`
	Groups []string `json:"groups,omitempty"`
	// For names the component a block is set aside for; empty for the
	// platform's reservations.
	For string `json:"for,omitempty"`
}

// PlanRole is a node role and its firewall list.
type PlanRole struct {
	Name   string     `json:"name"`
	ID     string     `json:"id"`
	Group  string     `json:"group"`
	Planes []string   `json:"planes,omitempty"`
	Open   []PlanOpen `json:"open"`
}

// PlanOpen is one port to open on a node (or, when Internal, one that
// binds loopback and stays closed).
type PlanOpen struct {
	Port      int    `json:"port"`
	PortEnd   int    `json:"port_end,omitempty"`
	Proto     string `json:"proto"`
	Component string `json:"component"`
	Bind      string `json:"bind"`
	Internal  bool   `json:"internal,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Note      string `json:"note,omitempty"`
}

// NormalizedPlan builds the Plan JSON writes, with the options' selection
// applied to groups, ranges, components, retirements and roles.
func NormalizedPlan(reg *registry.Registry, opts Options) (*Plan, error) {
	roles, err := Roles(reg, opts)
	if err != nil {
		return nil, err
	}
	sel := newSelection(opts)
	pl := &Plan{Format: PlanFormat, Title: reg.Title, Source: opts.Source,
		Groups: []PlanGroup{}, Planes: []PlanPlane{}, Ranges: []PlanRange{}, Components: []PlanComponent{},
		Retired: []PlanRetired{}, Reserved: []PlanReserved{}, Roles: []PlanRole{}}
	for _, v := range reg.Vars {
		pl.Vars = append(pl.Vars, PlanVar{v.Name, v.Doc})
	}
	for _, g := range reg.Groups {
		if !sel.group(g) {
			continue
		}
		pg := PlanGroup{Name: g.Name, Doc: g.Doc, Planes: planeNames(g.Planes)}
		if g.HasPool() {
			pool := spanOf(g.Pool)
			pg.Pool = &pool
		}
		for _, a := range g.Allow {
			pg.Allow = append(pg.Allow, spanOf(a))
		}
		pl.Groups = append(pl.Groups, pg)
	}
	for _, p := range reg.Planes {
		if !sel.group(p.Group) || (len(sel.planes) > 0 && !hasPlane(sel.planes, p)) {
			continue
		}
		pl.Planes = append(pl.Planes, PlanPlane{p.Name, p.Group.Name, p.Doc})
	}
	for _, r := range reg.Ranges {
		if !sel.rangeOK(r) {
			continue
		}
		pr := PlanRange{Name: r.Name, Group: r.Group.Name, Span: spanOf(r.Span), Planes: planeNames(r.Planes),
			Unallocated: r.Unallocated, Doc: r.Doc, Free: reg.FreeCount(r, registry.FreeOptions{})}
		if r.Written != "" && r.Written != r.Span.String() {
			pr.Written = r.Written
		}
		if r.Parent != nil {
			pr.Parent = r.Parent.Name
		}
		pl.Ranges = append(pl.Ranges, pr)
	}
	for _, c := range reg.Components {
		if !sel.component(c) {
			continue
		}
		pc := PlanComponent{Name: c.Name, Group: c.Group.Name, Planes: planeNames(c.Planes), Aliases: c.Aliases,
			External: c.External, Doc: c.Doc, Since: c.Since, Ports: []PlanPort{}}
		if len(c.Groups) > 1 {
			for _, g := range c.Groups {
				pc.Groups = append(pc.Groups, g.Name)
			}
		}
		for _, r := range c.Ranges {
			pc.Ranges = append(pc.Ranges, r.Name)
		}
		for _, p := range c.Ports {
			pp := PlanPort{Port: p.Span.Lo, Proto: string(p.Proto), Bind: p.Bind.String(), Internal: p.Bind.IsLoopback(),
				Name: p.Name, Purpose: p.Purpose, Doc: p.Doc, TargetPort: p.TargetPort, Exception: p.Exception, Pending: p.Pending, Reuses: p.Reuses, Since: p.Since}
			if !p.Span.IsSingle() {
				pp.PortEnd = p.Span.Hi
			}
			for _, o := range p.Was {
				pp.Was = append(pp.Was, oldPortText(o))
			}
			if r := reg.RangeAt(c.Group, p.Span.Lo); r != nil {
				pp.Range = r.Name
			}
			pc.Ports = append(pc.Ports, pp)
		}
		pl.Components = append(pl.Components, pc)
	}
	for _, r := range reg.Retired {
		if !sel.group(r.Group) || (sel.comp != nil && r.Component != sel.comp) {
			continue
		}
		if r.Component != nil && !sel.component(r.Component) {
			continue
		}
		pr := PlanRetired{Group: groupName(r.Group), Port: r.Port, Proto: string(r.Proto), Bind: r.Bind.String(), Owner: r.Owner, Doc: r.Doc}
		if r.ReplacedBy != nil {
			pr.ReplacedBy = r.ReplacedBy.Component.Name + " " + r.ReplacedBy.String()
		}
		if r.ReassignedTo != nil {
			pr.ReassignedTo = r.ReassignedTo.Component.Name + " " + r.ReassignedTo.String()
		}
		pl.Retired = append(pl.Retired, pr)
	}
	for _, r := range reg.Reserved {
		if sel.g != nil && !r.AppliesTo(sel.g) {
			continue
		}
		pr := PlanReserved{Span: spanOf(r.Span), Proto: string(r.Proto), Owner: r.Owner}
		if r.For != nil {
			pr.For = r.For.Name
		}
		for _, g := range r.Groups {
			pr.Groups = append(pr.Groups, g.Name)
		}
		pl.Reserved = append(pl.Reserved, pr)
	}
	for _, r := range roles {
		pr := PlanRole{Name: r.Name, ID: r.ID, Group: r.Group.Name, Planes: planeNames(r.Planes), Open: []PlanOpen{}}
		for _, o := range r.Open {
			po := PlanOpen{Port: o.Port.Span.Lo, Proto: string(o.Port.Proto), Component: o.Component.Name,
				Bind: o.Port.Bind.String(), Internal: o.Internal, Purpose: o.Port.Purpose, Note: o.Note(reg)}
			if !o.Port.Span.IsSingle() {
				po.PortEnd = o.Port.Span.Hi
			}
			pr.Open = append(pr.Open, po)
		}
		pl.Roles = append(pl.Roles, pr)
	}
	return pl, nil
}

// JSON writes the normalized plan, indented.
func JSON(w io.Writer, reg *registry.Registry, opts Options) error {
	pl, err := NormalizedPlan(reg, opts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(pl)
}

func groupName(g *registry.Group) string {
	if g == nil {
		return ""
	}
	return g.Name
}

func oldPortText(o registry.OldPort) string {
	s := itoa(o.Port)
	if o.Bind.Kind != registry.BindAny {
		s = o.Bind.String() + ":" + s
	}
	return s
}

// selection is Options' filter, applied to the parts of the plan.
type selection struct {
	g      *registry.Group
	planes []*registry.Plane
	comp   *registry.Component
}

func newSelection(opts Options) *selection {
	s := &selection{g: opts.Group, planes: opts.Planes, comp: opts.Component}
	if s.g == nil && len(s.planes) > 0 {
		s.g = s.planes[0].Group
	}
	if s.g == nil && s.comp != nil && len(s.comp.Groups) == 1 {
		s.g = s.comp.Group
	}
	return s
}

func (s *selection) group(g *registry.Group) bool { return s.g == nil || g == s.g }

func (s *selection) component(c *registry.Component) bool {
	if (s.g != nil && !c.InGroup(s.g)) || (s.comp != nil && c != s.comp) {
		return false
	}
	return len(s.planes) == 0 || runsOn(c, s.planes)
}

func (s *selection) rangeOK(r *registry.Range) bool {
	if !s.group(r.Group) {
		return false
	}
	if len(s.planes) > 0 && len(r.Planes) > 0 {
		ok := false
		for _, p := range s.planes {
			ok = ok || hasPlane(r.Planes, p)
		}
		if !ok {
			return false
		}
	}
	if s.comp != nil {
		for _, x := range s.comp.Ranges {
			for y := x; y != nil; y = y.Parent {
				if y == r {
					return true
				}
			}
		}
		return false
	}
	return true
}
