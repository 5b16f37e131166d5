package export

import (
	"fmt"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

// Usage says how the code uses a planned port, or what a use outside the
// plan is.
type Usage string

// The usages the HTML map overlays.
const (
	Used      Usage = "used"      // planned, and the code uses it
	Unused    Usage = "unused"    // planned, and nothing in the inventory uses it
	Unplanned Usage = "unplanned" // the code listens on a port the plan gives nobody
	Conflict  Usage = "conflict"  // the code takes another component's, a retired or a reserved port, or binds wider than planned
)

// An InventoryUse is one inventory record outside the plan, as the map
// shows it.
type InventoryUse struct {
	Record finding.Record
	Group  *registry.Group // nil when no group's pool holds the port
	Status Usage           // Unplanned or Conflict
	Why    string
}

// Overlay is an inventory set against a plan.
type Overlay struct {
	// Ports holds the usage of every planned port (Used or Unused).
	Ports map[*registry.Port]Usage
	// Uses are the inventory records that are unplanned or conflict.
	Uses []*InventoryUse
	// Users lists, for each planned port, the records that use it.
	Users map[*registry.Port][]finding.Record
}

// maxRecordSpan bounds how many ports of one record's run are looked at.
const maxRecordSpan = 4096

// NewOverlay classifies inventory records against reg. A listener, default
// or exposed port that a planned assignment of the same component owns
// (same protocol, overlapping bind) uses it; one that another component
// owns, that is retired or reserved, or that binds wider than the plan
// says, conflicts; one in no assignment is unplanned. A dial marks the
// planned port it reaches as used and is otherwise left alone: the port
// may be a customer's.
func NewOverlay(reg *registry.Registry, recs []finding.Record) *Overlay {
	ov := &Overlay{Ports: map[*registry.Port]Usage{}, Users: map[*registry.Port][]finding.Record{}}
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			ov.Ports[p] = Unused
		}
	}
	for _, rec := range recs {
		ov.add(reg, rec)
	}
	return ov
}

func (ov *Overlay) add(reg *registry.Registry, rec finding.Record) {
	proto, ok := registry.ParseProto(rec.Proto)
	if !ok {
		proto = registry.TCP
	}
	bind := registry.HostBind(rec.Bind)
	var comp *registry.Component
	if rec.Component != "" {
		comp = reg.Component(rec.Component)
	}
	if rec.Checked {
		ov.addChecked(reg, rec, comp, proto, bind)
		return
	}
	groups := reg.GroupsWithPort(rec.Port)
	if comp != nil {
		groups = []*registry.Group{comp.Group}
	}
	if len(groups) == 0 {
		// Outside every pool: it may still be an assignment (dataWorker's
		// pending 6879), else it belongs to no group.
		for _, g := range reg.Groups {
			if len(reg.Assignments(g, rec.Port)) > 0 {
				groups = append(groups, g)
			}
		}
	}
	var g *registry.Group
	if len(groups) > 0 {
		g = groups[0]
	}
	last := rec.Port
	if rec.PortEnd > rec.Port {
		last = min(rec.PortEnd, rec.Port+maxRecordSpan-1)
	}
	if rec.Role == "dial" {
		for p := rec.Port; p <= last && g != nil; p++ {
			for _, a := range reg.Owners(g, p, proto, registry.Any) {
				ov.use(a, rec)
			}
		}
		return
	}
	if g == nil {
		ov.Uses = append(ov.Uses, &InventoryUse{Record: rec, Status: Unplanned, Why: "no group's pool holds the port and no component has it"})
		return
	}
	for p := rec.Port; p <= last; p++ {
		if u := ov.classify(reg, g, comp, p, proto, bind, rec); u != nil {
			ov.Uses = append(ov.Uses, u)
			return // one finding per record
		}
	}
}

// classify looks at one port of a record; it returns nil when the use
// matches the plan.
func (ov *Overlay) classify(reg *registry.Registry, g *registry.Group, comp *registry.Component, p int, proto registry.Proto, bind registry.Bind, rec finding.Record) *InventoryUse {
	u := &InventoryUse{Record: rec, Group: g, Status: Conflict}
	owners := reg.Owners(g, p, proto, bind)
	var mine, theirs []*registry.Port
	for _, a := range owners {
		switch {
		case comp == nil || a.Component == comp:
			mine = append(mine, a)
		case a.Component.External:
			return nil // a dependency's port, which the product dials
		default:
			theirs = append(theirs, a)
		}
	}
	if len(theirs) > 0 && len(mine) == 0 {
		u.Why = fmt.Sprintf("%s uses %d, which the plan gives to %s", compName(comp), p, theirs[0].Component.Name)
		return u
	}
	if len(mine) > 0 {
		for _, a := range mine {
			if bind.Wider(a.Bind) && rec.Bind != "" {
				u.Why = fmt.Sprintf("%s binds %s on %d, where the plan says %s", compName(comp), bind, p, a.Bind)
				return u
			}
		}
		for _, a := range mine {
			ov.use(a, rec)
		}
		return nil
	}
	// No owner with an overlapping bind: a planned port bound elsewhere.
	for _, a := range reg.Assignments(g, p) {
		if a.Proto.Matches(proto) && (comp == nil || a.Component == comp) {
			u.Why = fmt.Sprintf("%s binds %s on %d, where the plan says %s", compName(comp), bind, p, a.Bind)
			return u
		}
	}
	for _, r := range reg.RetiredAt(g, p) {
		if r.Proto.Matches(proto) && r.ReassignedTo == nil {
			u.Why = fmt.Sprintf("%d is retired (%s)", p, r.Owner)
			if r.ReplacedBy != nil {
				u.Why += fmt.Sprintf("; its replacement is %s", r.ReplacedBy.Span.Dash())
			}
			return u
		}
	}
	if rs := reg.ReservedAt(g, p, proto); len(rs) > 0 {
		u.Why = fmt.Sprintf("%d is reserved by the platform (%s)", p, rs[0].Owner)
		return u
	}
	for _, r := range reg.SetAsideAt(g, p, proto) {
		if comp != nil && r.For != comp {
			u.Why = fmt.Sprintf("%s uses %d, which the plan sets aside for %s", compName(comp), p, r.For.Name)
			return u
		}
	}
	u.Status = Unplanned
	u.Why = fmt.Sprintf("the plan gives %d to no component", p)
	if r := reg.RangeAt(g, p); r != nil {
		u.Why += " (range " + r.Name + ")"
	}
	return u
}

// addChecked places a record that carries portlint's verdict: each finding
// at the use is one mark, a conflict when it is an error (conflict,
// foreign-range, retired, bind, reserved, duplicate), unplanned otherwise
// (unregistered), with the finding's message; a use without findings
// marks the planned ports it uses. So the map shows what portlint
// reports, and its counts are portlint's.
func (ov *Overlay) addChecked(reg *registry.Registry, rec finding.Record, comp *registry.Component, proto registry.Proto, bind registry.Bind) {
	var g *registry.Group
	if comp != nil {
		g = comp.Group
	} else if gs := reg.GroupsWithPort(rec.Port); len(gs) > 0 {
		g = gs[0]
	}
	for _, f := range rec.Findings {
		u := &InventoryUse{Record: rec, Group: g, Status: Unplanned, Why: f.Message + " [" + f.Check + "]"}
		if f.Severity == check.Error {
			u.Status = Conflict
		}
		ov.Uses = append(ov.Uses, u)
	}
	if len(rec.Findings) > 0 || g == nil {
		return
	}
	last := rec.Port
	if rec.PortEnd > rec.Port {
		last = min(rec.PortEnd, rec.Port+maxRecordSpan-1)
	}
	if rec.Role == "dial" {
		bind = registry.Any
	}
	for p := rec.Port; p <= last; p++ {
		for _, a := range reg.Owners(g, p, proto, bind) {
			if comp == nil || a.Component == comp || rec.Role == "dial" {
				ov.use(a, rec)
			}
		}
	}
}

func (ov *Overlay) use(a *registry.Port, rec finding.Record) {
	ov.Ports[a] = Used
	ov.Users[a] = append(ov.Users[a], rec)
}

func compName(c *registry.Component) string {
	if c == nil {
		return "a listener"
	}
	return c.Name
}
