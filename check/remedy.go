package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/portlint/portlint/registry"
)

// A remedy is the short answer to "what do I do about it" that every
// finding carries beside its message: a free port of the component's own
// range, the port that replaced a retired one, the planned address. It is
// decided here, where the finding is, from the same registry; `portlint
// help CHECK` is the long form.
//
// In one-line output (text, go vet, golangci-lint) the remedy follows the
// message after HintSep, before the check's name: "message; hint: remedy
// [check]". Hints name only ports, components, ranges, groups and
// addresses of the plan, which cannot hold HintSep, so the last HintSep of
// a line is where the hint starts.

// HintSep separates a finding's message from its remedy on one line.
const HintSep = "; hint: "

// DiagMessage is the one-line form of a finding for drivers that carry a
// message only (go vet, golangci-lint): "message; hint: remedy [check]".
func DiagMessage(msg, hint, name string) string {
	if hint != "" {
		msg += HintSep + hint
	}
	return msg + " [" + name + "]"
}

// SplitDiagMessage undoes DiagMessage: the message, the remedy ("" when
// the line has none) and whether the line ended in the check's name.
func SplitDiagMessage(line, name string) (msg, hint string, ok bool) {
	msg, ok = strings.CutSuffix(line, " ["+name+"]")
	if i := strings.LastIndex(msg, HintSep); i >= 0 {
		msg, hint = msg[:i], msg[i+len(HintSep):]
	}
	return msg, hint, ok
}

// The remedies of findings that no registry entry decides.
const (
	// HintDirectiveMalformed: a portlint:ignore without checks or reason.
	HintDirectiveMalformed = "write it as portlint:ignore CHECK[,CHECK] REASON, naming the checks it silences and why"
	// HintDirectiveUnused: a portlint:ignore that silences nothing.
	HintDirectiveUnused = "remove the directive"
)

// Hint is the generic remedy of a check, for a finding whose remedy the
// registry cannot make more precise.
func Hint(name string) string {
	switch name {
	case Conflict, ForeignRange:
		return "use a free port of the component's own range (portlint registry next RANGE) and register it"
	case Retired:
		return "use the port that replaced it"
	case Unregistered:
		return "register the port for its component in the plan"
	case BindCheck:
		return "bind the address the plan gives the port"
	case Reserved:
		return "use a port of the plan's pools instead (portlint registry next RANGE)"
	case Duplicate:
		return "give one of the two listeners another port"
	case Unused:
		return "remove the port from the plan if nothing serves it any more"
	case Directive:
		return HintDirectiveMalformed
	case ProbePort:
		return "point the probe at a port the container serves, or serve the port it probes"
	case TargetPort:
		return "set targetPort to a port the selected pods serve, or name that port on their container"
	case Drift:
		return "make the manifest and the code agree on the port"
	}
	return "see portlint help " + name
}

// addHints gives every result a remedy.
func (c *Checker) addHints(u *Use, port int, rs []Result) []Result {
	for i := range rs {
		if rs[i].Hint == "" {
			rs[i].Hint = c.hint(u, port, &rs[i])
		}
		if rs[i].Hint == "" {
			rs[i].Hint = Hint(rs[i].Check)
		}
	}
	return rs
}

// hint computes the remedy of one result about port of u.
func (c *Checker) hint(u *Use, port int, r *Result) string {
	reg := c.Reg
	comp := reg.Component(u.Component)
	proto := u.Proto
	if proto == "" {
		proto = registry.TCP
	}
	switch r.Check {
	case Retired:
		return c.retiredHint(u, comp, port)
	case Unregistered:
		if comp == nil {
			return ""
		}
		return fmt.Sprintf("register %s for %s in the plan", portLabel(port, proto), comp.Name)
	case BindCheck:
		return c.bindHint(u, comp, port, proto)
	case Conflict, ForeignRange, Reserved:
		if comp == nil {
			if r.Check == ForeignRange {
				return "name the component it belongs to in the plan (packages:, manifests:) to place it, or use a port of a pool"
			}
			return ""
		}
		if free := c.freePortHint(comp, proto); free != "" {
			return free
		}
		return fmt.Sprintf("give %s a range with free ports in the plan, then use one of them", comp.Name)
	}
	return ""
}

// freePortHint suggests the next free port of the component's narrowest
// range that has one: "use 20204, the next free port of engine.mgmt.apps,
// and register it for webserver".
func (c *Checker) freePortHint(comp *registry.Component, proto registry.Proto) string {
	if comp.External {
		return ""
	}
	p, r := NextFree(c.Reg, comp)
	if r == nil {
		return ""
	}
	return fmt.Sprintf("use %s, the next free port of %s, and register it for %s", portLabel(p, proto), r.Name, comp.Name)
}

// NextFree returns the lowest free port of the component's narrowest range
// that has one, and that range: free as `portlint registry next` counts it
// (no assignment, reservation, block set aside or retirement), and not in
// a narrower range of another component. It returns nil when the
// component has no range with a free port.
func NextFree(reg *registry.Registry, comp *registry.Component) (int, *registry.Range) {
	ranges := append([]*registry.Range(nil), comp.Ranges...)
	sort.SliceStable(ranges, func(i, j int) bool { return ranges[i].Span.Len() < ranges[j].Span.Len() })
	own := map[*registry.Range]bool{}
	for _, r := range ranges {
		own[r] = true
	}
	for _, r := range ranges {
		if r.Unallocated {
			continue
		}
		for _, p := range reg.Free(r, r.Span.Len(), registry.FreeOptions{}) {
			if in := reg.RangeAt(r.Group, p); in == nil || own[in] {
				return p, r
			}
		}
	}
	return 0, nil
}

// retiredHint names the port that replaced a retired one, for the use's
// component (or the old owner's, for a dial or an unattributed use).
func (c *Checker) retiredHint(u *Use, comp *registry.Component, port int) string {
	var repl []string
	seen := map[string]bool{}
	var g *registry.Group
	if comp != nil {
		g = comp.Group
	}
	rets := c.Reg.RetiredAt(g, port)
	if len(rets) == 0 {
		rets = c.Reg.RetiredAt(nil, port)
	}
	for _, r := range rets {
		if comp != nil && u.Role.Serves() && r.Owner != comp.Name {
			continue
		}
		if r.ReplacedBy == nil {
			continue
		}
		s := replacement(r)
		if len(rets) > 1 {
			s += " (" + r.Owner + ")"
		}
		if !seen[s] {
			seen[s] = true
			repl = append(repl, s)
		}
	}
	verb := "use"
	if u.Role == Dial {
		verb = "dial"
	}
	switch {
	case len(repl) > 0:
		return fmt.Sprintf("%s %s, the port that replaced it", verb, strings.Join(repl, " or "))
	case u.Role == Dial:
		return "remove the dial: nothing took the port's place"
	case comp != nil:
		if free := c.freePortHint(comp, u.Proto); free != "" {
			return free
		}
	}
	return ""
}

// bindHint names the planned address of the component's port.
func (c *Checker) bindHint(u *Use, comp *registry.Component, port int, proto registry.Proto) string {
	if comp == nil {
		return ""
	}
	for _, g := range comp.Groups {
		for _, a := range c.Reg.Assignments(g, port) {
			if a.Component != comp || !a.Proto.Matches(proto) {
				continue
			}
			switch a.Bind.Kind {
			case registry.BindAny, registry.BindVaries:
				return ""
			}
			return fmt.Sprintf("listen on %s:%d, the plan's address, or change the bind in the plan", a.Bind, port)
		}
	}
	return ""
}

// DuplicateHint is the remedy of a duplicate listener: a free port for the
// later one's component.
func DuplicateHint(reg *registry.Registry, later *Use) string {
	comp := reg.Component(later.Component)
	if comp == nil {
		return Hint(Duplicate)
	}
	if p, r := NextFree(reg, comp); r != nil {
		return fmt.Sprintf("move %s to %s, the next free port of %s, and register it; or register the port for one of the two", comp.Name, portLabel(p, later.Proto), r.Name)
	}
	return fmt.Sprintf("move %s to another port, or register the port for one of the two", comp.Name)
}

// UnusedHint is the remedy of a registered port nothing uses.
func UnusedHint(comp *registry.Component, p *registry.Port) string {
	return fmt.Sprintf("remove %s from %s's ports in the plan if nothing serves it any more, or check the tree that runs %s", p.Span.Dash(), comp.Name, comp.Name)
}

// OccupiedHint is the remedy of a retired port whose replacement the
// component already listens on (see OccupiedNote).
func OccupiedHint(component string, port int) string {
	return fmt.Sprintf("serve what it serves from %s's listener on %d, or remove it", component, port)
}
