package check

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/portlint/portlint/registry"
)

// A Result is one thing wrong with a use, before it has a position: the
// source that found the use (analyzer or manifest scanner) places it.
type Result struct {
	Check   string
	Message string
	// Related points at the registry entries behind the verdict.
	Related []registry.Related
	// Replacement, when not zero, is the port that should replace the use's
	// port: the fix of a retired port.
	Replacement int
	// Hint is the short remedy (see remedy.go); every result has one.
	Hint string
}

// A Checker checks uses against one registry.
type Checker struct {
	Reg     *registry.Registry
	Enabled Set // nil: DefaultSet
}

// Check returns what is wrong with the use. At most one result per use is
// returned, the most specific: a retired port is not also reported as
// outside the pool, a port in another component's hands not also as
// unregistered.
func (c *Checker) Check(u *Use) []Result {
	if u.Port <= 0 || u.Port > registry.MaxPort {
		return nil // port 0 means any free port, or disabled
	}
	if u.Last() == u.Port {
		return c.addHints(u, u.Port, c.enabled(c.one(u, u.Port)))
	}
	// A run of ports: check each, report the first problem of each kind once.
	var out []Result
	count := map[string]int{}
	for p := u.Port; p <= u.Last(); p++ {
		for _, r := range c.addHints(u, p, c.enabled(c.one(u, p))) {
			if count[r.Check] == 0 {
				out = append(out, r)
			}
			count[r.Check]++
		}
	}
	for i := range out {
		if n := count[out[i].Check] - 1; n > 0 {
			out[i].Message += fmt.Sprintf(" (and %d more of %d-%d)", n, u.Port, u.Last())
			out[i].Replacement = 0
		}
	}
	return out
}

func (c *Checker) enabled(rs []Result) []Result {
	set := c.Enabled
	if set == nil {
		set = defaultSet
	}
	out := rs[:0]
	for _, r := range rs {
		if set[r.Check] {
			out = append(out, r)
		}
	}
	return out
}

var defaultSet = DefaultSet()

// portLabel writes a port with its protocol when it is not TCP: "28956/udp".
func portLabel(port int, proto registry.Proto) string {
	if proto == "" || proto == registry.TCP {
		return fmt.Sprint(port)
	}
	return fmt.Sprintf("%d/%s", port, proto)
}

func (c *Checker) one(u *Use, port int) []Result {
	comp := c.Reg.Component(u.Component)
	if comp == nil || len(comp.Groups) <= 1 {
		var g *registry.Group
		if comp != nil {
			g = comp.Group
		}
		return c.oneIn(u, port, comp, g)
	}
	// A component deployed in several groups has its ports in each: the
	// use is checked in each group. A conflict in any of them is the most
	// specific finding; otherwise the first group that finds a problem
	// speaks.
	var first []Result
	for _, g := range comp.Groups {
		rs := c.oneIn(u, port, comp, g)
		if len(rs) > 0 && rs[0].Check == Conflict {
			return rs
		}
		if first == nil {
			first = rs
		}
	}
	return first
}

// oneIn checks a use of one port by comp (nil: unattributed) in group g.
func (c *Checker) oneIn(u *Use, port int, comp *registry.Component, g *registry.Group) []Result {
	reg := c.Reg
	proto := u.Proto
	if proto == "" {
		proto = registry.TCP
	}
	bind := u.Bind
	if !u.BindKnown {
		bind = registry.Any
	}
	var own []*registry.Port // the component's own assignments of this port
	if comp != nil {
		for _, a := range reg.Assignments(g, port) {
			if a.Component == comp && a.Proto.Matches(proto) {
				own = append(own, a)
			}
		}
	}

	if r := c.retired(u, comp, g, port, own); r != nil {
		return []Result{*r}
	}
	if !u.Role.Serves() {
		return nil // connecting to a port is not claiming it
	}
	if comp == nil && u.Private {
		return nil // a third party's container port, in its own network namespace
	}
	if len(own) == 0 {
		if rs := reg.ReservedAt(g, port, proto); len(rs) > 0 {
			if namesReservation(wordSet(u.Names), rs) {
				return nil // the platform service's own port, named as such: a reference
			}
			return []Result{reservedResult(port, rs)}
		}
	}
	if comp == nil {
		if len(reg.GroupsWithPort(port)) == 0 {
			return []Result{{Check: ForeignRange, Message: outsideEveryPool(reg, port)}}
		}
		return nil // unattributed: ownership cannot be judged
	}

	others, deps := splitExternal(otherAssignments(reg.Assignments(g, port), comp, proto))
	if len(own) > 0 {
		if u.Role == Redirect {
			return nil // a rule sends traffic to the component's own port: no bind of its own
		}
		return c.bind(u, comp, port, bind, own, others)
	}
	if len(others) > 0 {
		useWords := wordSet(u.Names)
		for _, o := range others {
			if namesOwner(useWords, o.Component) {
				return nil // "webserverPort" in data_dam's code: a reference, not a claim
			}
		}
		// name the owners whose address the use overlaps; when none does,
		// the number still belongs to the others on their addresses
		var hit []*registry.Port
		for _, o := range others {
			if o.Bind.Overlaps(bind) {
				hit = append(hit, o)
			}
		}
		if len(hit) == 0 {
			hit = others
		}
		return []Result{conflictResult(comp, portLabel(port, proto), hit)}
	}
	if c.namesOwnerElsewhere(u, g, port, proto) {
		return nil // a control plane naming its proxy's port: a reference across groups
	}
	if len(deps) > 0 || comp.External {
		// The port of a dependency the product dials is a reference to it;
		// and an external dependency's own ports are not the plan's to place.
		return nil
	}
	if r := c.setAside(u, comp, g, port, proto); r != nil || len(reg.SetAsideAt(g, port, proto)) > 0 {
		return r // another's block, or the component's own, wherever it lies
	}
	if g.HasPool() && !g.InPool(port) {
		return []Result{{Check: ForeignRange, Message: fmt.Sprintf("port %s is outside the pool %s of group %s, where %s belongs", portLabel(port, proto), g.Pool, g.Name, comp.Name),
			Related: []registry.Related{{Pos: g.PoolPos, Message: "pool of group " + g.Name}}}}
	}
	ranges := comp.RangesIn(g)
	if inRanges(ranges, port) || (len(ranges) == 0 && g.InPool(port)) {
		msg := fmt.Sprintf("port %s is in %s's range %s but not registered", portLabel(port, proto), comp.Name, ownRangeName(comp, port))
		if len(ranges) == 0 {
			msg = fmt.Sprintf("port %s is in the pool of group %s but not registered to %s", portLabel(port, proto), g.Name, comp.Name)
		}
		return []Result{{Check: Unregistered, Message: msg, Related: []registry.Related{{Pos: comp.Pos, Message: "component " + comp.Name}}}}
	}
	if !g.HasPool() && len(ranges) == 0 {
		// A plan of fixed ports: the component's ports are those it lists.
		return []Result{{Check: Unregistered, Message: fmt.Sprintf("port %s is not registered to %s (group %s has no pool: its ports are the ones the plan lists)", portLabel(port, proto), comp.Name, g.Name),
			Related: []registry.Related{{Pos: comp.Pos, Message: "component " + comp.Name}}}}
	}
	return []Result{foreignResult(reg, comp, g, port, proto)}
}

// liveIn returns a group where a component of the plan holds port (on a
// matching protocol; "" matches any), or nil.
func (c *Checker) liveIn(port int, proto registry.Proto) *registry.Group {
	for _, g := range c.Reg.Groups {
		for _, a := range c.Reg.Assignments(g, port) {
			if proto == "" || a.Proto.Matches(proto) {
				return g
			}
		}
	}
	return nil
}

// setAside reports a use of a port in a block the plan sets aside for
// another component; the owner's own use, and a use whose names name the
// owner (a reference to its port), are fine.
func (c *Checker) setAside(u *Use, comp *registry.Component, g *registry.Group, port int, proto registry.Proto) []Result {
	blocks := c.Reg.SetAsideAt(g, port, proto)
	useWords := wordSet(u.Names)
	for _, b := range blocks {
		if b.For == comp || namesOwner(useWords, b.For) {
			return nil
		}
	}
	if len(blocks) == 0 {
		return nil
	}
	b := blocks[0]
	who := b.For.Name
	if b.Owner != "" && b.Owner != who {
		who += " (" + b.Owner + ")"
	}
	return []Result{{Check: ForeignRange, Message: fmt.Sprintf("port %s lies in %s, which the plan sets aside for %s, not %s", portLabel(port, proto), b.Span, who, comp.Name),
		Related: []registry.Related{{Pos: b.Pos, Message: "set aside for " + b.For.Name}}}}
}

// retired reports a use of a retired port, unless the use's component now
// legitimately owns the number.
func (c *Checker) retired(u *Use, comp *registry.Component, g *registry.Group, port int, own []*registry.Port) *Result {
	if len(own) > 0 {
		return nil // the component's own live port
	}
	// Without an owner, or when connecting, the port is someone else's: it
	// is the old service's port only where the context names that service
	// (agentAddr = "localhost:8099"); engine code may well dial the
	// customer's own etcd on 2379.
	needName := comp == nil || !u.Role.Serves()
	if comp == nil && c.liveIn(port, u.Proto) != nil {
		// Without an owner the use may be any component's: the number
		// retired in one group is live in another (a shared constants
		// package, a dial to whatever answers on localhost).
		return nil
	}
	useWords := wordSet(u.Names)
	var hits []*registry.Retirement
	for _, r := range c.Reg.RetiredAt(g, port) {
		if needName && !namesRetiredOwner(useWords, r) {
			continue
		}
		if !r.Proto.Matches(u.Proto) && u.Proto != "" {
			continue
		}
		if u.BindKnown && !r.Bind.Overlaps(u.Bind) {
			continue
		}
		if r.ReassignedTo != nil {
			// The number lives on with a new owner: only the old owner's
			// return is a resurrection; anyone else meets the conflict check.
			if comp == nil || comp.Name != r.Owner {
				continue
			}
		}
		hits = append(hits, r)
	}
	if len(hits) == 0 {
		return nil
	}
	// Prefer the component's own retirement when there are several (2379
	// was etcd's in two groups).
	if comp != nil {
		for _, r := range hits {
			if r.Owner == comp.Name {
				hits = []*registry.Retirement{r}
				break
			}
		}
	}
	var parts []string
	repl := 0
	var rel []registry.Related
	for i, r := range hits {
		switch {
		case r.ReassignedTo != nil:
			parts = append(parts, fmt.Sprintf("%s moved to %s and the number now belongs to %s", r.Owner, replacement(r), r.ReassignedTo.Component.Name))
		case r.ReplacedBy != nil:
			parts = append(parts, fmt.Sprintf("%s moved to %s", r.Owner, replacement(r)))
		default:
			parts = append(parts, fmt.Sprintf("it was %s's", r.Owner))
		}
		rel = append(rel, registry.Related{Pos: r.Pos, Message: fmt.Sprintf("retired from %s", r.Owner)})
		if r.ReplacedBy != nil && r.ReplacedBy.Span.IsSingle() {
			if i == 0 {
				repl = r.ReplacedBy.Span.Lo
			} else if repl != r.ReplacedBy.Span.Lo {
				repl = 0 // two different replacements: no single fix
			}
		}
	}
	if comp != nil && hits[0].Owner != comp.Name && hits[0].Component != nil && hits[0].Component.Group == comp.Group {
		repl = 0 // another component's replacement is not this one's fix
	}
	msg := fmt.Sprintf("port %d is retired: %s", port, strings.Join(parts, "; "))
	if u.Role == Dial {
		msg += "; nothing listens there any more"
	}
	return &Result{Check: Retired, Message: msg, Related: rel, Replacement: repl}
}

func replacement(r *registry.Retirement) string {
	if r.ReplacedBy == nil {
		return "nothing"
	}
	if g := r.ReplacedIn; g != nil && g != r.Group {
		return r.ReplacedBy.String() + " in group " + g.Name // a port of another group
	}
	return r.ReplacedBy.String()
}

// bind checks the component's own port for a wider bind than planned.
func (c *Checker) bind(u *Use, comp *registry.Component, port int, bind registry.Bind, own, others []*registry.Port) []Result {
	if !u.BindKnown {
		return nil
	}
	for _, a := range own {
		if a.Bind.Overlaps(bind) && !bind.Wider(a.Bind) {
			return nil // the planned address, or one inside it
		}
	}
	planned := own[0]
	if bind.Wider(planned.Bind) {
		msg := fmt.Sprintf("%s binds port %d on %s, but the plan binds it to %s only", comp.Name, port, describeBind(bind), planned.Bind)
		if planned.Bind.IsLoopback() {
			msg += ": an internal port exposed to the network"
		}
		var hit []string
		for _, o := range others {
			if o.Proto.Matches(planned.Proto) && o.Bind.Overlaps(bind) {
				hit = append(hit, fmt.Sprintf("%s (%s)", o.Component.Name, o))
			}
		}
		if len(hit) > 0 {
			msg += "; on " + describeBind(bind) + " it also collides with " + strings.Join(hit, ", ")
		}
		return []Result{{Check: BindCheck, Message: msg, Related: []registry.Related{{Pos: planned.BindPos, Message: "planned bind of " + comp.Name}}}}
	}
	// A different specific address than planned: on the planned port, but
	// not where the plan puts it.
	return []Result{{Check: BindCheck,
		Message: fmt.Sprintf("%s binds port %d on %s, but the plan binds it to %s", comp.Name, port, describeBind(bind), planned.Bind),
		Related: []registry.Related{{Pos: planned.Pos, Message: "planned port of " + comp.Name}}}}
}

func describeBind(b registry.Bind) string {
	if b.Kind == registry.BindAny {
		return "all addresses"
	}
	return b.String()
}

// otherAssignments are the assignments of other components that a use of
// the port can collide with: Service ports, on their Services' addresses,
// collide with nothing.
func otherAssignments(as []*registry.Port, comp *registry.Component, proto registry.Proto) []*registry.Port {
	var out []*registry.Port
	for _, a := range as {
		if a.Component != comp && a.Proto.Matches(proto) && !a.IsService() {
			out = append(out, a)
		}
	}
	return out
}

// namesOwnerElsewhere reports whether the use's names name a component of
// another group than g that has the port: code of one group that names
// another group's port by its owner (istiod's ProxyAdminPort for the
// proxy's 15000) refers to it and claims nothing.
func (c *Checker) namesOwnerElsewhere(u *Use, g *registry.Group, port int, proto registry.Proto) bool {
	if len(u.Names) == 0 {
		return false
	}
	words := wordSet(u.Names)
	for _, og := range c.Reg.Groups {
		if og == g {
			continue
		}
		for _, a := range c.Reg.Assignments(og, port) {
			if a.Proto.Matches(proto) && namesOwner(words, a.Component) {
				return true
			}
		}
	}
	return false
}

// splitExternal parts assignments into the product's own and those of
// external dependencies.
func splitExternal(as []*registry.Port) (own, external []*registry.Port) {
	for _, a := range as {
		if a.Component.External {
			external = append(external, a)
		} else {
			own = append(own, a)
		}
	}
	return own, external
}

func conflictResult(comp *registry.Component, port string, others []*registry.Port) Result {
	var names []string
	var rel []registry.Related
	for _, o := range others {
		n := describe(o.Component)
		if o.Bind.Kind != registry.BindAny && o.Bind.Kind != registry.BindVaries {
			n += " on " + o.Bind.String()
		}
		names = append(names, n)
		rel = append(rel, registry.Related{Pos: o.Pos, Message: fmt.Sprintf("assigned to %s", o.Component.Name)})
	}
	return Result{Check: Conflict, Message: fmt.Sprintf("port %s belongs to %s, not %s", port, strings.Join(names, " and "), comp.Name), Related: rel}
}

func reservedResult(port int, rs []*registry.Reservation) Result {
	var owners []string
	var rel []registry.Related
	for _, r := range rs {
		owners = append(owners, r.Owner)
		rel = append(rel, registry.Related{Pos: r.Pos, Message: "reserved by " + r.Owner})
	}
	return Result{Check: Reserved, Message: fmt.Sprintf("port %d is reserved by the platform (%s)", port, strings.Join(owners, "; ")), Related: rel}
}

func foreignResult(reg *registry.Registry, comp *registry.Component, g *registry.Group, port int, proto registry.Proto) Result {
	var where string
	var rel []registry.Related
	if r := reg.RangeAt(g, port); r != nil {
		where = "range " + r.Name
		if len(r.Planes) > 0 {
			where += " (" + planeList(r.Planes) + ")"
		}
		rel = append(rel, registry.Related{Pos: r.Pos, Message: "range " + r.Name})
	} else if u := reg.UnallocatedAt(g, port); u != nil {
		where = "the unallocated range " + u.Name
		rel = append(rel, registry.Related{Pos: u.Pos, Message: "range " + u.Name})
	} else if g.Allowed(port) {
		where = "the allowed extras of group " + g.Name
	} else {
		where = "no range of group " + g.Name
	}
	return Result{Check: ForeignRange, Message: fmt.Sprintf("port %s lies in %s, outside %s's ranges (%s)", portLabel(port, proto), where, comp.Name, rangeList(comp.RangesIn(g))), Related: rel}
}

func inRanges(rs []*registry.Range, port int) bool {
	for _, r := range rs {
		if r.Span.Contains(port) {
			return true
		}
	}
	return false
}

func ownRangeName(comp *registry.Component, port int) string {
	best := ""
	size := 1 << 30
	for _, r := range comp.Ranges {
		if r.Span.Contains(port) && r.Span.Len() < size {
			best, size = r.Name, r.Span.Len()
		}
	}
	return best
}

func describe(c *registry.Component) string {
	if len(c.Planes) == 0 {
		return c.Name
	}
	return c.Name + " (" + planeList(c.Planes) + ")"
}

func planeList(ps []*registry.Plane) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name)
	}
	return strings.Join(s, "/")
}

func rangeList(rs []*registry.Range) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Name)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// outsideEveryPool is the message for an unattributed use of a port that no
// group holds.
func outsideEveryPool(reg *registry.Registry, port int) string {
	var s []string
	fixed := false
	for _, g := range reg.Groups {
		if g.HasPool() {
			s = append(s, g.Name+" "+g.Pool.String())
		} else {
			fixed = true
		}
	}
	sort.Strings(s)
	switch {
	case fixed && len(s) == 0:
		return fmt.Sprintf("port %d is in no group of the plan: no group has a pool, and none assigns the port", port)
	case fixed:
		return fmt.Sprintf("port %d is outside every pool of the plan (%s), and no group without a pool assigns it", port, strings.Join(s, ", "))
	}
	return fmt.Sprintf("port %d is outside every pool of the plan (%s)", port, strings.Join(s, ", "))
}

// namesOwner reports whether the use's names name the component or one of
// its aliases.
func namesOwner(useWords map[string]bool, c *registry.Component) bool {
	if namesComponent(useWords, c.Name) {
		return true
	}
	for _, a := range c.Aliases {
		if namesComponent(useWords, a) {
			return true
		}
	}
	return false
}

// namesRetiredOwner reports whether the use's names name the component a
// port was retired from.
func namesRetiredOwner(useWords map[string]bool, r *registry.Retirement) bool {
	if r.Component != nil {
		return namesOwner(useWords, r.Component)
	}
	return namesComponent(useWords, r.Owner)
}

// genericOwnerWords do not identify a platform service on their own.
var genericOwnerWords = map[string]bool{
	"kubernetes": true, "services": true, "service": true, "servers": true, "server": true,
	"older": true, "releases": true, "release": true, "alternate": true, "http": true, "https": true,
	"control": true, "plane": true, "envoy": true, "admin": true, "the": true, "and": true, "of": true,
	"in": true, "api": true, "ui": true, "uis": true, "telemetry": true, "health": true, "metrics": true,
	"inbound": true, "outbound": true, "monitoring": true, "plaintext": true, "tls": true, "dns": true,
	// "Kubernetes NodePort services": a key named nodePort is the platform's
	// port range at work, not a reference to a platform service.
	"node": true, "port": true, "ports": true,
}

// namesReservation reports whether the use's names name the platform
// service that reserves the port (prometheusPort = 9090 in a scrape
// configuration refers to Prometheus, it does not take its port).
func namesReservation(useWords map[string]bool, rs []*registry.Reservation) bool {
	for _, r := range rs {
		// "OpenSearch" is the word opensearch as well as open and search
		whole := strings.FieldsFunc(strings.ToLower(r.Owner), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
		for _, w := range append(Words(r.Owner), whole...) {
			if len(w) > 2 && !genericOwnerWords[w] && useWords[w] {
				return true
			}
		}
	}
	return false
}
