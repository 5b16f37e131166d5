package export

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/portlint/portlint/registry"
)

// DiffOptions names the two versions in Diff's output.
type DiffOptions struct {
	OldName, NewName string
}

// A Change is one difference between two versions of a plan.
type Change struct {
	Kind      string // added, removed, moved, changed, retired, reassigned
	Group     string
	Subject   string // component or range name
	Port      string // the port or span now (or, when removed, before)
	Was       string // the port or owner before
	Detail    string
	sortGroup string
	sortPort  int
}

// A PlanDiff is what changed between two plans, by section.
type PlanDiff struct {
	Ports      []Change
	Ranges     []Change
	Components []Change
	Groups     []Change
	Reserved   []Change
}

// Empty reports whether nothing changed.
func (d *PlanDiff) Empty() bool {
	return len(d.Ports)+len(d.Ranges)+len(d.Components)+len(d.Groups)+len(d.Reserved) == 0
}

// Compare finds what changed from old to new. Components, ranges and groups
// are matched by name; a component renamed with its old name kept as an
// alias counts as the same component. A component's ports are matched by
// span, protocol and bind address; a port that changed only its bind
// address is changed, and an old port whose number a new port of the same
// component lists under "was" (or that shares its name or purpose) moved.
func Compare(old, new *registry.Registry) *PlanDiff {
	d := &PlanDiff{}
	d.compareGroups(old, new)
	d.compareRanges(old, new)
	d.compareComponents(old, new)
	d.compareRetired(old, new)
	d.compareReserved(old, new)
	for _, cs := range [][]Change{d.Ports, d.Ranges, d.Components, d.Groups, d.Reserved} {
		sort.SliceStable(cs, func(i, j int) bool {
			if cs[i].sortGroup != cs[j].sortGroup {
				return cs[i].sortGroup < cs[j].sortGroup
			}
			return cs[i].sortPort < cs[j].sortPort
		})
	}
	return d
}

func (d *PlanDiff) compareGroups(old, new *registry.Registry) {
	for _, g := range new.Groups {
		o := old.Group(g.Name)
		switch {
		case o == nil:
			d.Groups = append(d.Groups, Change{Kind: "added", Group: g.Name, Subject: g.Name, Port: poolString(g), Detail: g.Doc, sortGroup: g.Name})
		case o.Pool != g.Pool:
			d.Groups = append(d.Groups, Change{Kind: "changed", Group: g.Name, Subject: g.Name, Port: poolString(g), Was: poolString(o), Detail: "pool", sortGroup: g.Name})
		}
		if o != nil && intervalsText(o.Allow) != intervalsText(g.Allow) {
			d.Groups = append(d.Groups, Change{Kind: "changed", Group: g.Name, Subject: g.Name, Port: intervalsText(g.Allow), Was: intervalsText(o.Allow), Detail: "allowed ports besides the pool", sortGroup: g.Name})
		}
	}
	for _, g := range old.Groups {
		if new.Group(g.Name) == nil {
			d.Groups = append(d.Groups, Change{Kind: "removed", Group: g.Name, Subject: g.Name, Was: poolString(g), sortGroup: g.Name})
		}
	}
	for _, p := range new.Planes {
		if old.Plane(p.Name) == nil {
			d.Groups = append(d.Groups, Change{Kind: "added", Group: groupName(p.Group), Subject: "plane " + p.Name, Detail: p.Doc, sortGroup: groupName(p.Group)})
		}
	}
	for _, p := range old.Planes {
		if new.Plane(p.Name) == nil {
			d.Groups = append(d.Groups, Change{Kind: "removed", Group: groupName(p.Group), Subject: "plane " + p.Name, sortGroup: groupName(p.Group)})
		}
	}
}

func intervalsText(ivs []registry.Interval) string {
	var s []string
	for _, iv := range ivs {
		s = append(s, iv.Dash())
	}
	return strings.Join(s, ", ")
}

func (d *PlanDiff) compareRanges(old, new *registry.Registry) {
	for _, r := range new.Ranges {
		o := old.Range(r.Name)
		c := Change{Group: groupName(r.Group), Subject: r.Name, Port: spanWritten(r), sortGroup: groupName(r.Group), sortPort: r.Span.Lo}
		if o == nil {
			c.Kind = "added"
			c.Detail = rangeDetail(r)
			d.Ranges = append(d.Ranges, c)
			continue
		}
		var what []string
		if o.Span != r.Span {
			c.Was = spanWritten(o)
			what = append(what, spanChange(o.Span, r.Span))
		}
		if groupName(o.Group) != groupName(r.Group) {
			what = append(what, fmt.Sprintf("group %s → %s", groupName(o.Group), groupName(r.Group)))
		}
		if a, b := strings.Join(planeNames(o.Planes), ", "), strings.Join(planeNames(r.Planes), ", "); a != b {
			what = append(what, fmt.Sprintf("planes %s → %s", dashIfEmpty(a), dashIfEmpty(b)))
		}
		if o.Unallocated != r.Unallocated {
			if r.Unallocated {
				what = append(what, "now unallocated")
			} else {
				what = append(what, "now allocated")
			}
		}
		if rangeName(o.Parent) != rangeName(r.Parent) {
			what = append(what, fmt.Sprintf("inside %s → %s", dashIfEmpty(rangeName(o.Parent)), dashIfEmpty(rangeName(r.Parent))))
		}
		if len(what) > 0 {
			c.Kind = "changed"
			c.Detail = strings.Join(what, "; ")
			d.Ranges = append(d.Ranges, c)
		}
	}
	for _, r := range old.Ranges {
		if new.Range(r.Name) == nil {
			d.Ranges = append(d.Ranges, Change{Kind: "removed", Group: groupName(r.Group), Subject: r.Name, Was: spanWritten(r), Detail: rangeDetail(r), sortGroup: groupName(r.Group), sortPort: r.Span.Lo})
		}
	}
}

// spanWritten is the range's span as its file writes it.
func spanWritten(r *registry.Range) string {
	if r.Written != "" {
		return r.Written
	}
	return r.Span.String()
}

func rangeName(r *registry.Range) string {
	if r == nil {
		return ""
	}
	return r.Name
}

func rangeDetail(r *registry.Range) string {
	var s []string
	if len(r.Planes) > 0 {
		s = append(s, strings.Join(planeNames(r.Planes), ", "))
	}
	if r.Unallocated {
		s = append(s, "unallocated")
	}
	if r.Doc != "" {
		s = append(s, r.Doc)
	}
	return strings.Join(s, "; ")
}

// spanChange says how a span grew or shrank.
func spanChange(a, b registry.Interval) string {
	diff := b.Len() - a.Len()
	switch {
	case diff > 0:
		return fmt.Sprintf("grew by %d ports", diff)
	case diff < 0:
		return fmt.Sprintf("shrank by %d ports", -diff)
	}
	return "moved"
}

// matchComponent finds new's counterpart of old component c: the same name,
// or a component that keeps c's name as an alias.
func matchComponent(new *registry.Registry, c *registry.Component) *registry.Component {
	for _, n := range new.Components {
		if n.Name == c.Name {
			return n
		}
	}
	for _, n := range new.Components {
		for _, a := range n.Aliases {
			if a == c.Name {
				return n
			}
		}
	}
	return nil
}

func (d *PlanDiff) compareComponents(old, new *registry.Registry) {
	matched := map[*registry.Component]*registry.Component{} // new -> old
	for _, o := range old.Components {
		n := matchComponent(new, o)
		if n == nil {
			d.Components = append(d.Components, Change{Kind: "removed", Group: groupName(o.Group), Subject: o.Name, Was: portsText(o.Ports), Detail: strings.Join(planeNames(o.Planes), ", "), sortGroup: groupName(o.Group), sortPort: firstPort(o)})
			for _, p := range o.Ports {
				d.Ports = append(d.Ports, portChange("removed", o, p, "component removed"))
			}
			continue
		}
		matched[n] = o
	}
	for _, n := range new.Components {
		o := matched[n]
		if o == nil {
			d.Components = append(d.Components, Change{Kind: "added", Group: groupName(n.Group), Subject: n.Name, Port: portsText(n.Ports), Detail: strings.Join(planeNames(n.Planes), ", "), sortGroup: groupName(n.Group), sortPort: firstPort(n)})
			for _, p := range n.Ports {
				d.Ports = append(d.Ports, d.added(old, new, n, p))
			}
			continue
		}
		var what []string
		if o.Name != n.Name {
			what = append(what, "renamed from "+o.Name)
		}
		if groupName(o.Group) != groupName(n.Group) {
			what = append(what, fmt.Sprintf("group %s → %s", groupName(o.Group), groupName(n.Group)))
		}
		if a, b := strings.Join(planeNames(o.Planes), ", "), strings.Join(planeNames(n.Planes), ", "); a != b {
			what = append(what, fmt.Sprintf("planes %s → %s", dashIfEmpty(a), dashIfEmpty(b)))
		}
		if a, b := rangeNames(o.Ranges), rangeNames(n.Ranges); a != b {
			what = append(what, fmt.Sprintf("ranges %s → %s", dashIfEmpty(a), dashIfEmpty(b)))
		}
		if len(what) > 0 {
			d.Components = append(d.Components, Change{Kind: "changed", Group: groupName(n.Group), Subject: n.Name, Port: portsText(n.Ports), Detail: strings.Join(what, "; "), sortGroup: groupName(n.Group), sortPort: firstPort(n)})
		}
		d.comparePorts(old, new, o, n)
	}
}

func rangeNames(rs []*registry.Range) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Name)
	}
	return strings.Join(s, ", ")
}

func firstPort(c *registry.Component) int {
	if len(c.Ports) == 0 {
		return 0
	}
	return c.Ports[0].Span.Lo
}

func portsText(ps []*registry.Port) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}

func portChange(kind string, c *registry.Component, p *registry.Port, detail string) Change {
	ch := Change{Kind: kind, Group: groupName(c.Group), Subject: c.Name, Detail: detail, sortGroup: groupName(c.Group), sortPort: p.Span.Lo}
	if kind == "removed" {
		ch.Was = p.String()
	} else {
		ch.Port = p.String()
	}
	return ch
}

// comparePorts matches the ports of one component in its two versions.
func (d *PlanDiff) comparePorts(oldReg, newReg *registry.Registry, oc, nc *registry.Component) {
	oldLeft := append([]*registry.Port(nil), oc.Ports...)
	newLeft := append([]*registry.Port(nil), nc.Ports...)
	take := func(match func(o, n *registry.Port) bool, each func(o, n *registry.Port)) {
		for i := 0; i < len(newLeft); i++ {
			n := newLeft[i]
			for j, o := range oldLeft {
				if match(o, n) {
					each(o, n)
					oldLeft = append(oldLeft[:j], oldLeft[j+1:]...)
					newLeft = append(newLeft[:i], newLeft[i+1:]...)
					i--
					break
				}
			}
		}
	}
	changed := func(o, n *registry.Port) {
		var what []string
		if o.Bind != n.Bind {
			w := fmt.Sprintf("bind %s → %s", o.Bind, n.Bind)
			if n.Bind.Wider(o.Bind) {
				w += " (more exposed)"
			}
			what = append(what, w)
		}
		if o.Purpose != n.Purpose {
			what = append(what, fmt.Sprintf("purpose %q → %q", o.Purpose, n.Purpose))
		}
		if o.Pending != n.Pending {
			switch {
			case n.Pending == "":
				what = append(what, "no longer pending")
			case o.Pending == "":
				what = append(what, "now pending: "+n.Pending)
			default:
				what = append(what, "pending: "+n.Pending)
			}
		}
		if o.Exception != n.Exception {
			if n.Exception == "" {
				what = append(what, "exception dropped")
			} else {
				what = append(what, "exception: "+n.Exception)
			}
		}
		if len(what) > 0 {
			ch := portChange("changed", nc, n, strings.Join(what, "; "))
			if o.String() != n.String() {
				ch.Was = o.String()
			}
			d.Ports = append(d.Ports, ch)
		}
	}
	take(func(o, n *registry.Port) bool { return o.Span == n.Span && o.Proto == n.Proto && o.Bind == n.Bind }, changed)
	take(func(o, n *registry.Port) bool { return o.Span == n.Span && o.Proto == n.Proto }, changed)
	resized := func(o, n *registry.Port) {
		ch := portChange("changed", nc, n, "span "+spanChange(o.Span, n.Span))
		ch.Was = o.String()
		d.Ports = append(d.Ports, ch)
		changed(&registry.Port{Span: n.Span, Proto: o.Proto, Bind: o.Bind, Purpose: o.Purpose, Pending: o.Pending, Exception: o.Exception}, n)
	}
	take(func(o, n *registry.Port) bool {
		return !(o.Span.IsSingle() && n.Span.IsSingle()) && o.Span.Overlaps(n.Span) && o.Proto == n.Proto
	}, resized)
	moved := func(o, n *registry.Port) {
		ch := portChange("moved", nc, n, "")
		ch.Was = o.String()
		retired := false
		for _, w := range n.Was {
			if w.Port == o.Span.Lo {
				retired = true
			}
		}
		if retired {
			ch.Detail = fmt.Sprintf("%s retired", o.Span.Dash())
		} else {
			ch.Detail = fmt.Sprintf("%s is not recorded as retired (add was: %s)", o.Span.Dash(), o.Span.Dash())
		}
		if n.Purpose != "" {
			ch.Detail = n.Purpose + "; " + ch.Detail
		}
		d.Ports = append(d.Ports, ch)
	}
	take(func(o, n *registry.Port) bool {
		for _, w := range n.Was {
			if w.Port == o.Span.Lo && o.Proto == n.Proto {
				return true
			}
		}
		return false
	}, moved)
	take(func(o, n *registry.Port) bool { return o.Name != "" && o.Name == n.Name }, moved)
	take(func(o, n *registry.Port) bool { return o.Purpose != "" && o.Purpose == n.Purpose }, moved)
	for _, o := range oldLeft {
		d.Ports = append(d.Ports, portChange("removed", oc, o, o.Purpose))
	}
	for _, n := range newLeft {
		d.Ports = append(d.Ports, d.added(oldReg, newReg, nc, n))
	}
}

// added describes a port new to component nc: reassigned when another
// component held the number before and holds it no longer, else added.
func (d *PlanDiff) added(oldReg, newReg *registry.Registry, nc *registry.Component, n *registry.Port) Change {
	ch := portChange("added", nc, n, n.Purpose)
	if nc.Group == nil || oldReg.Group(nc.Group.Name) == nil {
		return ch
	}
	og := oldReg.Group(nc.Group.Name)
	for p := n.Span.Lo; p <= n.Span.Hi; p++ {
		for _, op := range oldReg.Assignments(og, p) {
			if op.Component.Name == nc.Name || !op.Proto.Matches(n.Proto) || !op.Bind.Overlaps(n.Bind) {
				continue
			}
			if still := matchComponent(newReg, op.Component); still == nc {
				continue // renamed: the same component
			} else if still != nil && hasSpan(still.Ports, op.Span, op.Bind) {
				continue // both hold it: registry check reports the clash
			}
			ch.Kind = "reassigned"
			ch.Was = op.Component.Name + " " + op.String()
			if n.Reuses == op.Component.Name {
				ch.Detail = fmt.Sprintf("reuses the port %s retired", op.Component.Name)
			} else {
				ch.Detail = fmt.Sprintf("was %s's; say reuses: %s if %s retired it", op.Component.Name, op.Component.Name, op.Component.Name)
			}
			if n.Purpose != "" {
				ch.Detail = n.Purpose + "; " + ch.Detail
			}
			return ch
		}
	}
	return ch
}

func hasSpan(ps []*registry.Port, iv registry.Interval, b registry.Bind) bool {
	for _, p := range ps {
		if p.Span.Overlaps(iv) && p.Bind.Overlaps(b) {
			return true
		}
	}
	return false
}

type retiredKey struct {
	group, owner string
	port         int
	proto        registry.Proto
	bind         registry.Bind
}

func (d *PlanDiff) compareRetired(old, new *registry.Registry) {
	seen := map[retiredKey]bool{}
	for _, r := range old.Retired {
		seen[retiredKey{groupName(r.Group), r.Owner, r.Port, r.Proto, r.Bind}] = true
	}
	moved := map[string]bool{} // "component old-port" already told as a move
	for _, c := range d.Ports {
		if c.Kind == "moved" && strings.HasSuffix(c.Detail, " retired") {
			moved[c.Subject+" "+c.Was] = true
		}
	}
	for _, r := range new.Retired {
		if seen[retiredKey{groupName(r.Group), r.Owner, r.Port, r.Proto, r.Bind}] {
			continue
		}
		old := itoa(r.Port)
		if r.Bind.Kind != registry.BindAny {
			old = r.Bind.String() + ":" + old
		}
		if r.Proto != registry.TCP {
			old += "/" + string(r.Proto)
		}
		if moved[r.Owner+" "+old] {
			continue
		}
		ch := Change{Kind: "retired", Group: groupName(r.Group), Subject: r.Owner, Was: old, sortGroup: groupName(r.Group), sortPort: r.Port}
		if r.ReplacedBy != nil {
			ch.Port = r.ReplacedBy.String()
			ch.Detail = "replaced by " + r.ReplacedBy.Component.Name + " " + r.ReplacedBy.String()
		}
		if r.Doc != "" {
			ch.Detail = strings.TrimPrefix(ch.Detail+"; "+r.Doc, "; ")
		}
		d.Ports = append(d.Ports, ch)
	}
}

func (d *PlanDiff) compareReserved(old, new *registry.Registry) {
	key := func(r *registry.Reservation) string { return r.Span.Dash() + "/" + string(r.Proto) + " " + r.Owner }
	oldKeys, newKeys := map[string]bool{}, map[string]bool{}
	for _, r := range old.Reserved {
		oldKeys[key(r)] = true
	}
	for _, r := range new.Reserved {
		newKeys[key(r)] = true
		if !oldKeys[key(r)] {
			d.Reserved = append(d.Reserved, Change{Kind: "added", Subject: r.Owner, Port: r.Span.Dash() + protoSuffixAny(r.Proto), sortPort: r.Span.Lo})
		}
	}
	for _, r := range old.Reserved {
		if !newKeys[key(r)] {
			d.Reserved = append(d.Reserved, Change{Kind: "removed", Subject: r.Owner, Was: r.Span.Dash() + protoSuffixAny(r.Proto), sortPort: r.Span.Lo})
		}
	}
}

func protoSuffixAny(p registry.Proto) string {
	if p == registry.ProtoAny {
		return ""
	}
	return "/" + string(p)
}

// Diff writes, as markdown for a pull request, what changed from old to new.
func Diff(w io.Writer, old, new *registry.Registry, opts DiffOptions) error {
	d := Compare(old, new)
	b := &strings.Builder{}
	b.WriteString("# Port plan changes\n\n")
	if opts.OldName != "" || opts.NewName != "" {
		fmt.Fprintf(b, "From `%s` to `%s`.\n\n", opts.OldName, opts.NewName)
	}
	if d.Empty() {
		b.WriteString("No change to the port plan.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	counts := map[string]int{}
	for _, c := range d.Ports {
		counts[c.Kind]++
	}
	var summary []string
	for _, k := range []string{"added", "removed", "moved", "changed", "retired", "reassigned"} {
		if n := counts[k]; n > 0 {
			summary = append(summary, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(summary) > 0 {
		fmt.Fprintf(b, "Ports: %s.", strings.Join(summary, ", "))
		b.WriteString(" Ranges: " + countText(len(d.Ranges), "change") + ". Components: " + countText(len(d.Components), "change") + ".\n\n")
	} else {
		b.WriteString("No port changed. Ranges: " + countText(len(d.Ranges), "change") + ". Components: " + countText(len(d.Components), "change") + ".\n\n")
	}
	table := func(title, subject string, cs []Change, withGroup bool) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(b, "## %s\n\n", title)
		if withGroup {
			fmt.Fprintf(b, "| Change | Group | %s | Now | Before | Detail |\n| --- | --- | --- | --- | --- | --- |\n", subject)
		} else {
			fmt.Fprintf(b, "| Change | %s | Now | Before | Detail |\n| --- | --- | --- | --- | --- |\n", subject)
		}
		for _, c := range cs {
			if withGroup {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", c.Kind, mdEscape(c.Group), mdEscape(c.Subject), mdEscape(dashIfEmpty(c.Port)), mdEscape(dashIfEmpty(c.Was)), mdEscape(c.Detail))
			} else {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", c.Kind, mdEscape(c.Subject), mdEscape(dashIfEmpty(c.Port)), mdEscape(dashIfEmpty(c.Was)), mdEscape(c.Detail))
			}
		}
		b.WriteString("\n")
	}
	table("Ports", "Component", d.Ports, true)
	table("Ranges", "Range", d.Ranges, true)
	table("Components", "Component", d.Components, true)
	table("Groups and planes", "Group or plane", d.Groups, false)
	table("Reserved by the platform", "Owner", d.Reserved, false)
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

func countText(n int, what string) string {
	switch n {
	case 0:
		return "no " + what
	case 1:
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// poolString writes a group's pool, or "no pool" for a group of fixed ports.
func poolString(g *registry.Group) string {
	if !g.HasPool() {
		return "no pool"
	}
	return g.Pool.String()
}
