package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// hover describes the port under the cursor: the use portlint found there
// (in Go code or a manifest) or, in the registry, the number itself.
func (s *Server) hover(ctx context.Context, params json.RawMessage) (any, error) {
	var p TextDocumentPositionParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	path, err := uriPath(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	_, _, kind, ok := s.doc(path)
	if !ok {
		return nil, nil
	}
	var (
		snap *snapshot
		uses []*check.Use
		reg  *registry.Registry
	)
	switch kind {
	case kindGo:
		res, sn := s.goResultFor(ctx, path)
		if res == nil || !res.analyzed {
			return nil, nil
		}
		snap, uses, reg = sn, res.uses[path], res.proj.reg
	case kindManifest:
		res := s.yamlResultFor(ctx, path)
		if res == nil || res.reg == nil {
			return nil, nil
		}
		snap, uses, reg = res.snap, res.uses, res.reg
	case kindRegistry:
		return s.hoverRegistry(ctx, path, p.Position)
	default:
		return nil, nil
	}
	off, err := snap.text.offset(p.Position)
	if err != nil {
		return nil, nil
	}
	var best *check.Use
	for _, u := range uses {
		if u.Pos.Offset <= off && off <= u.End.Offset {
			if best == nil || u.End.Offset-u.Pos.Offset < best.End.Offset-best.Pos.Offset {
				best = u
			}
		}
	}
	if best == nil || best.Port <= 0 {
		return nil, nil
	}
	r := snap.text.rangeOf(best.Pos.Offset, best.End.Offset)
	return &Hover{Contents: MarkupContent{Kind: "markdown", Value: describePort(reg, best.Port, best)}, Range: &r}, nil
}

// hoverRegistry describes the port number under the cursor in a registry.
func (s *Server) hoverRegistry(ctx context.Context, path string, pos Position) (any, error) {
	res := s.yamlResultFor(ctx, path)
	if res == nil {
		return nil, nil
	}
	reg := res.reg
	if reg == nil { // the buffer does not load: the last content that did
		s.mu.Lock()
		if v := s.registries[path]; v != nil {
			reg = v.good
		}
		s.mu.Unlock()
	}
	if reg == nil {
		return nil, nil
	}
	t := res.snap.text
	off, err := t.offset(pos)
	if err != nil {
		return nil, nil
	}
	start, end := off, off
	for start > 0 && isDigit(t.data[start-1]) {
		start--
	}
	for end < len(t.data) && isDigit(t.data[end]) {
		end++
	}
	if start == end || start > 0 && isWordByte(t.data[start-1]) || end < len(t.data) && isWordByte(t.data[end]) {
		return nil, nil
	}
	port, err := strconv.Atoi(string(t.data[start:end]))
	if err != nil || port < 1 || port > registry.MaxPort {
		return nil, nil
	}
	r := t.rangeOf(start, end)
	return &Hover{Contents: MarkupContent{Kind: "markdown", Value: describePort(reg, port, nil)}, Range: &r}, nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isWordByte(b byte) bool {
	return isDigit(b) || b == '_' || b == '.' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// yamlResultFor returns the check of a manifest or registry buffer at its
// current version, waiting for a check in progress.
func (s *Server) yamlResultFor(ctx context.Context, path string) *yamlResult {
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		d := s.docs[path]
		if d == nil {
			s.mu.Unlock()
			return nil
		}
		if res := d.result; res != nil && res.snap.version == d.version && !d.running {
			s.mu.Unlock()
			return res
		}
		s.mu.Unlock()
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// describePort writes, in Markdown, what the plan says about a port: who
// owns it, in which group, on which planes, in which range, the nearest
// free ports of that range, and whether it is retired or reserved. u, when
// not nil, is the use under the cursor.
func describePort(reg *registry.Registry, port int, u *check.Use) string {
	var b strings.Builder
	proto := registry.TCP
	if u != nil && u.Proto != "" {
		proto = u.Proto
	}
	fmt.Fprintf(&b, "**port %d**", port)
	if u != nil {
		if u.PortEnd > u.Port {
			fmt.Fprintf(&b, "–%d", u.PortEnd)
		}
		fmt.Fprintf(&b, "/%s · %s", proto, u.Role)
		if u.BindKnown {
			fmt.Fprintf(&b, " on %s", u.Bind.String())
		}
		if u.Component != "" {
			fmt.Fprintf(&b, " · %s", u.Component)
			if u.Via != "" {
				fmt.Fprintf(&b, " (by %s)", u.Via)
			}
		}
		if u.Source != "" {
			fmt.Fprintf(&b, " · %s", u.Source)
		}
	}
	b.WriteString("\n\n")

	var groups []*registry.Group
	if u != nil {
		if c := reg.Component(u.Component); c != nil && len(c.Groups) > 0 {
			groups = c.Groups
		}
	}
	if groups == nil {
		groups = reg.GroupsWithPort(port)
	}
	if len(groups) == 0 {
		var pools []string
		for _, g := range reg.Groups {
			if g.HasPool() {
				pools = append(pools, fmt.Sprintf("%s `%s`", g.Name, g.PoolWritten))
			}
		}
		fmt.Fprintf(&b, "- outside every pool of the plan (%s)\n", strings.Join(pools, ", "))
	}
	for _, g := range groups {
		describeInGroup(&b, reg, g, port, proto, len(groups) > 1)
	}
	retired := reg.RetiredAt(nil, port)
	if len(groups) == 1 {
		retired = reg.RetiredAt(groups[0], port)
	}
	for _, r := range retired {
		fmt.Fprintf(&b, "- **retired**: was %s's", r.Owner)
		if r.Group != nil && len(groups) != 1 {
			fmt.Fprintf(&b, " in group %s", r.Group.Name)
		}
		if r.ReplacedBy != nil {
			fmt.Fprintf(&b, "; replaced by `%s`", r.ReplacedBy.String())
			if r.ReplacedBy.Component != nil && r.ReplacedBy.Component.Name != r.Owner {
				fmt.Fprintf(&b, " (%s)", r.ReplacedBy.Component.Name)
			}
		}
		if r.ReassignedTo != nil && r.ReassignedTo.Component != nil {
			fmt.Fprintf(&b, "; now reassigned to %s", r.ReassignedTo.Component.Name)
		}
		if r.Since != "" {
			fmt.Fprintf(&b, " (since %s)", r.Since)
		}
		b.WriteString("\n")
	}
	var g *registry.Group
	if len(groups) == 1 {
		g = groups[0]
	}
	for _, r := range reg.ReservedAt(g, port, registry.ProtoAny) {
		fmt.Fprintf(&b, "- **reserved** by the platform: %s `%s`", r.Owner, r.Span.Dash())
		if r.Proto != registry.ProtoAny {
			fmt.Fprintf(&b, "/%s", r.Proto)
		}
		b.WriteString("\n")
	}
	for _, r := range reg.SetAsideAt(g, port, registry.ProtoAny) {
		fmt.Fprintf(&b, "- **set aside** for %s: `%s`", r.For.Name, r.Span.Dash())
		if r.Owner != r.For.Name {
			fmt.Fprintf(&b, " (%s)", r.Owner)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// describeInGroup writes the owners, the ranges and the free neighbours of
// a port in one group.
func describeInGroup(b *strings.Builder, reg *registry.Registry, g *registry.Group, port int, proto registry.Proto, named bool) {
	prefix := ""
	if named {
		prefix = "group " + g.Name + ": "
	}
	owners := reg.Assignments(g, port)
	if len(owners) == 0 {
		fmt.Fprintf(b, "- %sowner: none in group %s\n", prefix, g.Name)
	}
	for _, a := range owners {
		c := a.Component
		fmt.Fprintf(b, "- %sowner: **%s** `%s` · group %s", prefix, c.Name, a.String(), g.Name)
		if planes := c.PlaneNames(); len(planes) > 0 {
			fmt.Fprintf(b, " · planes %s", strings.Join(planes, ", "))
		}
		if c.External {
			b.WriteString(" · external dependency")
		}
		if a.Purpose != "" {
			fmt.Fprintf(b, " · %s", a.Purpose)
		}
		if a.Doc != "" {
			fmt.Fprintf(b, " · %s", a.Doc)
		}
		if a.Pending != "" {
			fmt.Fprintf(b, " · pending: %s", a.Pending)
		}
		if !a.Proto.Matches(proto) {
			fmt.Fprintf(b, " (%s only)", a.Proto)
		}
		b.WriteString("\n")
	}
	chain := reg.RangesAt(g, port)
	for i, r := range chain {
		kind := "range"
		if i > 0 {
			kind = "within"
		}
		fmt.Fprintf(b, "- %s%s **%s** `%s`", prefix, kind, r.Name, r.Written)
		if len(r.Planes) > 0 {
			var ps []string
			for _, p := range r.Planes {
				ps = append(ps, p.Name)
			}
			fmt.Fprintf(b, " (%s)", strings.Join(ps, ", "))
		}
		b.WriteString("\n")
	}
	if un := reg.UnallocatedAt(g, port); un != nil {
		fmt.Fprintf(b, "- %sin **%s** `%s`, not yet allocated\n", prefix, un.Name, un.Written)
	}
	span := g.Pool // zero, holding no port, for a group without a pool
	where := "pool of " + g.Name
	if len(chain) > 0 {
		span, where = chain[0].Span, chain[0].Name
	}
	if !span.Contains(port) {
		return
	}
	below, above := freeNear(reg, g, span, port, 2)
	if len(below)+len(above) == 0 {
		fmt.Fprintf(b, "- %sno free port left in %s\n", prefix, where)
		return
	}
	var parts []string
	for _, p := range below {
		parts = append(parts, strconv.Itoa(p))
	}
	for _, p := range above {
		parts = append(parts, strconv.Itoa(p))
	}
	fmt.Fprintf(b, "- %sfree nearby in %s: %s\n", prefix, where, strings.Join(parts, ", "))
}

// freeNear returns up to n free ports of span below port (ascending) and
// up to n above it, as the registry's Free counts them.
func freeNear(reg *registry.Registry, g *registry.Group, span registry.Interval, port, n int) (below, above []int) {
	if port < span.Hi {
		above = reg.Free(&registry.Range{Group: g, Span: registry.Interval{Lo: port + 1, Hi: span.Hi}}, n, registry.FreeOptions{})
	}
	const window = 64
	for hi := port - 1; hi >= span.Lo && len(below) < n; hi -= window {
		lo := max(span.Lo, hi-window+1)
		free := reg.Free(&registry.Range{Group: g, Span: registry.Interval{Lo: lo, Hi: hi}}, window, registry.FreeOptions{})
		for i := len(free) - 1; i >= 0 && len(below) < n; i-- {
			below = append(below, free[i])
		}
	}
	sort.Ints(below)
	return below, above
}
