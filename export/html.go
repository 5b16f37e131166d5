package export

import (
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/portlint/portlint/registry"
)

// HTML writes the port map: a self-contained page (no external assets, no
// network) that draws each group's pool as a band. Ranges are segments
// coloured by plane, nested ranges on lanes below their parents; assigned
// ports are ticks labelled with their component; reserved platform ports
// and retired ports are marked; a strip above the band places the pool in
// the whole port space. Every element carries a tooltip, and tables of
// ranges and ports follow. With an inventory the map also shows which
// planned ports the code uses and, in red, what conflicts with the plan.
//
// The band's scale is not linear: each assigned port gets a slot wide
// enough to label, and runs of free ports are drawn with a width that
// grows with the square root of their length, so that both a single port
// and a thousand free ports stay visible. The page says so.
//
// Elements tests and tools may count carry stable classes and data
// attributes: .range-seg[data-range][data-planes], .port-tick[data-port]
// [data-component][data-usage], .retired-mark[data-port], .reserved-mark,
// .inv-mark[data-status], .group-band[data-group].
func HTML(w io.Writer, reg *registry.Registry, opts Options) error {
	sel := newSelection(opts)
	var ov *Overlay
	if opts.Inventory != nil {
		ov = NewOverlay(reg, opts.Inventory)
	}
	pg := &page{reg: reg, opts: opts, sel: sel, ov: ov, colors: planeColors(reg)}
	b := &strings.Builder{}
	pg.write(b)
	_, err := io.WriteString(w, b.String())
	return err
}

type page struct {
	reg    *registry.Registry
	opts   Options
	sel    *selection
	ov     *Overlay
	colors map[string]string
}

// The plane palette: distinct hues that stay apart for the colour-blind
// (blue, orange, green, purple, then more).
var palette = []string{"#7c3aed", "#2563eb", "#ea8a0c", "#059669", "#db2777", "#0891b2", "#65a30d", "#9333ea"}

func planeColors(reg *registry.Registry) map[string]string {
	m := map[string]string{}
	for i, p := range reg.Planes {
		m[p.Name] = palette[i%len(palette)]
	}
	return m
}

func esc(s string) string { return html.EscapeString(s) }

// paint is the fill of something that belongs to these planes: the plane's
// colour, a striped pattern for several, grey for none.
func (pg *page) paint(planes []*registry.Plane) string {
	switch len(planes) {
	case 0:
		return "#94a3b8"
	case 1:
		return pg.colors[planes[0].Name]
	}
	return "url(#" + pg.patternID(planes) + ")"
}

func (pg *page) patternID(planes []*registry.Plane) string {
	return "stripes-" + slug(strings.Join(planeNames(planes), "-"))
}

// patterns writes the striped fills of every plane combination used.
func (pg *page) patterns(b *strings.Builder) {
	seen := map[string]bool{}
	add := func(ps []*registry.Plane) {
		if len(ps) < 2 || seen[pg.patternID(ps)] {
			return
		}
		seen[pg.patternID(ps)] = true
		n := len(ps)
		fmt.Fprintf(b, `<pattern id="%s" width="%d" height="%d" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`, pg.patternID(ps), 6*n, 6*n)
		for i, p := range ps {
			fmt.Fprintf(b, `<rect x="%d" y="0" width="6" height="%d" fill="%s"/>`, 6*i, 6*n, pg.colors[p.Name])
		}
		b.WriteString(`</pattern>`)
	}
	for _, r := range pg.reg.Ranges {
		add(r.Planes)
	}
	for _, c := range pg.reg.Components {
		add(c.Planes)
	}
	b.WriteString(`<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f5f9"/><rect width="2" height="6" fill="#cbd5e1"/></pattern>`)
	b.WriteString(`<pattern id="hatch-dark" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="5" height="5" fill="#e2e8f0"/><rect width="2" height="5" fill="#475569"/></pattern>`)
}

func (pg *page) write(b *strings.Builder) {
	title := pg.reg.Title
	if title == "" {
		title = "port plan"
	}
	fmt.Fprintf(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<title>Port map: %s</title>\n<style>%s</style>\n</head>\n<body>\n", esc(title), pageCSS)
	fmt.Fprintf(b, "<header><div><h1>Port map</h1><p class=\"sub\">%s", esc(title))
	if pg.opts.Source != "" {
		fmt.Fprintf(b, " · <code>%s</code>", esc(pg.opts.Source))
	}
	b.WriteString("</p></div>")
	pg.legend(b)
	b.WriteString("</header>\n<main>\n")
	if pg.ov != nil {
		pg.overlaySummary(b)
	}
	for _, g := range pg.reg.Groups {
		if !pg.sel.group(g) {
			continue
		}
		pg.group(b, g)
	}
	b.WriteString("<p class=\"note\">Widths are not to scale: every assigned port gets a slot of its own, and a run of free ports is drawn with a width that grows with the square root of its length. Counts and spans are exact; hover for details.</p>\n")
	pg.tables(b)
	b.WriteString("</main>\n<div id=\"tip\" role=\"tooltip\"></div>\n<script>" + pageJS + "</script>\n</body>\n</html>\n")
}

func (pg *page) legend(b *strings.Builder) {
	b.WriteString(`<div class="legend">`)
	for _, p := range pg.reg.Planes {
		if !pg.sel.group(p.Group) {
			continue
		}
		fmt.Fprintf(b, `<span class="key"><i class="sw" style="background:%s"></i>%s</span>`, pg.colors[p.Name], esc(p.Name))
	}
	b.WriteString(`<span class="key"><i class="sw stripes"></i>several planes</span>`)
	b.WriteString(`<span class="key"><i class="sw unalloc"></i>unallocated</span>`)
	b.WriteString(`<span class="key"><i class="sw reserved"></i>reserved by the platform</span>`)
	b.WriteString(`<span class="key"><b class="x">×</b>retired</span>`)
	b.WriteString(`<span class="key"><i class="sw internal"></i>loopback only</span>`)
	if pg.ov != nil {
		b.WriteString(`<span class="key"><i class="dot used"></i>used by the code</span>`)
		b.WriteString(`<span class="key"><i class="dot unused"></i>not used</span>`)
		b.WriteString(`<span class="key"><i class="sw unplanned"></i>unplanned use</span>`)
		b.WriteString(`<span class="key"><i class="sw conflict"></i>conflict</span>`)
	}
	b.WriteString(`</div>`)
}

func (pg *page) overlaySummary(b *strings.Builder) {
	used, unused := 0, 0
	for _, c := range pg.reg.Components {
		if !pg.sel.component(c) {
			continue
		}
		for _, p := range c.Ports {
			if pg.ov.Ports[p] == Used {
				used++
			} else {
				unused++
			}
		}
	}
	unplanned, conflicts := 0, 0
	for _, u := range pg.ov.Uses {
		if u.Group != nil && !pg.sel.group(u.Group) {
			continue
		}
		if u.Status == Conflict {
			conflicts++
		} else {
			unplanned++
		}
	}
	cls := "ok"
	if conflicts > 0 {
		cls = "alarm"
	}
	fmt.Fprintf(b, `<section class="overlay-summary %s"><strong>Code against plan</strong> <span class="stat"><i class="dot used"></i>%d planned and used</span><span class="stat"><i class="dot unused"></i>%d planned, not used</span><span class="stat"><i class="sw unplanned"></i>%d used, not planned</span><span class="stat conflicts"><i class="sw conflict"></i>%s</span></section>`+"\n",
		cls, used, unused, unplanned, countText(conflicts, "conflict"))
}

// A slot is a piece of the band's scale: a run of ports drawn between x
// and x+w.
type slot struct {
	lo, hi int
	x, w   float64
}

// scale maps ports to x for one group's band.
type scale struct {
	slots []slot
}

func (s *scale) find(p int) *slot {
	i := sort.Search(len(s.slots), func(i int) bool { return s.slots[i].hi >= p })
	if i < len(s.slots) && s.slots[i].lo <= p {
		return &s.slots[i]
	}
	return nil
}

// x0 is where port p starts; x1 where it ends.
func (s *scale) x0(p int) float64 {
	sl := s.find(p)
	if sl == nil {
		return 0
	}
	return sl.x + sl.w*float64(p-sl.lo)/float64(sl.hi-sl.lo+1)
}

func (s *scale) x1(p int) float64 {
	sl := s.find(p)
	if sl == nil {
		return 0
	}
	return sl.x + sl.w*float64(p-sl.lo+1)/float64(sl.hi-sl.lo+1)
}

// A mark is something drawn in the port lane: a port assignment, a
// reserved span in the pool, or an inventory use outside the plan.
type mark struct {
	lo, hi int
	port   *registry.Port
	res    *registry.Reservation
	use    *InventoryUse
}

const (
	bandW     = 1400.0
	bandPad   = 14.0
	slotMax   = 22.0
	outGap    = 34.0 // the break between the pool and ports outside it
	labelRoom = 86.0 // right of the last slot, for the slanted labels
)

// group draws one group's band.
func (pg *page) group(b *strings.Builder, g *registry.Group) {
	reg := pg.reg
	var comps []*registry.Component
	for _, c := range g.Components {
		if pg.sel.component(c) {
			comps = append(comps, c)
		}
	}
	var ranges []*registry.Range
	for _, r := range g.Ranges {
		if pg.sel.rangeOK(r) {
			ranges = append(ranges, r)
		}
	}
	var marks []mark
	for _, c := range comps {
		for _, p := range c.Ports {
			marks = append(marks, mark{lo: p.Span.Lo, hi: p.Span.Hi, port: p})
		}
	}
	for _, r := range reg.Reserved {
		if !r.AppliesTo(g) {
			continue
		}
		if iv, ok := r.Span.Intersect(g.Extent()); ok {
			marks = append(marks, mark{lo: iv.Lo, hi: iv.Hi, res: r})
		}
	}
	if pg.ov != nil {
		for _, u := range pg.ov.Uses {
			if u.Group == g {
				hi := u.Record.Port
				if u.Record.PortEnd > hi {
					hi = u.Record.PortEnd
				}
				marks = append(marks, mark{lo: u.Record.Port, hi: hi, use: u})
			}
		}
	}
	sc := pg.buildScale(g, ranges, marks)

	// Header with the counts an operator asks first.
	assigned, inRanges, free := 0, 0, 0
	for _, c := range comps {
		for _, p := range c.Ports {
			assigned += p.Span.Len()
		}
	}
	for _, r := range ranges {
		if r.Parent == nil && !r.Unallocated {
			inRanges += r.Span.Len()
			free += reg.FreeCount(r, registry.FreeOptions{})
		}
	}
	fmt.Fprintf(b, "<section class=\"group\" id=\"group-%s\">\n<div class=\"group-head\"><h2>%s</h2><span class=\"pool\">pool %s", esc(slug(g.Name)), esc(g.Name), esc(poolText(g)))
	if len(g.Allow) > 0 {
		fmt.Fprintf(b, " + %s", esc(intervalsText(g.Allow)))
	}
	fmt.Fprintf(b, "</span>")
	if g.Doc != "" {
		fmt.Fprintf(b, "<span class=\"doc\">%s</span>", esc(g.Doc))
	}
	fmt.Fprintf(b, "<span class=\"chips\"><span class=\"chip\"><b>%d</b> ports assigned</span><span class=\"chip free\"><b>%d</b> of %d free in planned ranges</span><span class=\"chip\"><b>%d</b> in the pool</span></span></div>\n", assigned, free, inRanges, poolLen(g))

	// Lanes: range depth 0, 1, 2, ...; then unallocated; then ports.
	maxDepth := 0
	hasUnalloc := false
	for _, r := range ranges {
		if r.Unallocated {
			hasUnalloc = true
			continue
		}
		maxDepth = max(maxDepth, rangeDepth(r))
	}
	const ctxY, ctxH = 18.0, 14.0
	laneY := 64.0
	laneH := []float64{34, 26, 22, 20}
	y := laneY
	var lanes []float64
	for d := 0; d <= maxDepth; d++ {
		lanes = append(lanes, y)
		y += laneH[min(d, len(laneH)-1)] + 3
	}
	unallocY := y
	if hasUnalloc {
		y += 19
	}
	usageY := y + 4
	portY := usageY + 12
	const portH = 30.0
	labelY := portY + portH + 6
	// The slanted labels hang below the lane: room for the longest.
	longest := 0
	for _, m := range marks {
		longest = max(longest, len([]rune(markLabel(g, m))))
	}
	height := labelY + float64(longest)*6.4*math.Sin(55*math.Pi/180) + 16

	fmt.Fprintf(b, "<svg class=\"group-band\" data-group=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"port map of group %s\">\n<defs>", esc(g.Name), bandW, height, esc(g.Name))
	pg.patterns(b)
	b.WriteString("</defs>\n")

	pool := g.Extent()
	poolX0, poolX1 := sc.x0(pool.Lo), sc.x1(pool.Hi)
	// The context strip: the whole port space, linear.
	cx := func(p int) float64 { return bandPad + (bandW-2*bandPad)*float64(p-1)/float64(registry.MaxPort) }
	fmt.Fprintf(b, `<g class="context"><text class="axis" x="%.1f" y="%.1f">1</text><text class="axis" x="%.1f" y="%.1f" text-anchor="end">65535</text>`, bandPad, ctxY-5, bandW-bandPad, ctxY-5)
	fmt.Fprintf(b, `<rect class="ctx-bg" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3"/>`, bandPad, ctxY, bandW-2*bandPad, ctxH)
	for _, r := range reg.Reserved {
		if r.AppliesTo(g) {
			fmt.Fprintf(b, `<rect class="ctx-reserved" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-tip="%s"/>`, cx(r.Span.Lo), ctxY, math.Max(1.5, cx(r.Span.Hi+1)-cx(r.Span.Lo)), ctxH, esc(r.Span.Dash()+" reserved: "+r.Owner))
		}
	}
	fmt.Fprintf(b, `<rect class="ctx-pool" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-tip="%s"/>`, cx(pool.Lo), ctxY-2, math.Max(2, cx(pool.Hi+1)-cx(pool.Lo)), ctxH+4, esc("pool of "+g.Name+" "+poolText(g)))
	for _, rt := range reg.Retired {
		if rt.Group != g || (rt.Component != nil && !pg.sel.component(rt.Component)) || (pg.sel.comp != nil && rt.Component != pg.sel.comp) {
			continue
		}
		tip := fmt.Sprintf("%d retired: was %s", rt.Port, rt.Owner)
		if rt.ReplacedBy != nil {
			tip += fmt.Sprintf("; now %s", rt.ReplacedBy.String())
		}
		if rt.ReassignedTo != nil {
			tip += fmt.Sprintf("; reassigned to %s", rt.ReassignedTo.Component.Name)
		}
		fmt.Fprintf(b, `<text class="retired-mark" data-port="%d" x="%.1f" y="%.1f" text-anchor="middle" data-tip="%s">×</text>`, rt.Port, cx(rt.Port), ctxY+ctxH-2.5, esc(tip))
	}
	// The zoom from the strip to the band.
	fmt.Fprintf(b, `<path class="zoom" d="M%.1f %.1f L%.1f %.1f L%.1f %.1f L%.1f %.1f Z"/>`, cx(pool.Lo), ctxY+ctxH+2, cx(pool.Hi+1), ctxY+ctxH+2, poolX1, laneY-12, poolX0, laneY-12)
	b.WriteString("</g>\n")

	// Pool background and its bounds.
	fmt.Fprintf(b, `<rect class="pool-bg" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="4" data-tip="%s"/>`, poolX0, laneY-8, poolX1-poolX0, portY+portH-laneY+12, esc("pool "+poolText(g)+": "+itoa(poolLen(g))+" ports"))
	fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f">%d</text><text class="axis" x="%.1f" y="%.1f" text-anchor="end">%d</text>`, poolX0, laneY-12, pool.Lo, poolX1, laneY-12, pool.Hi)
	// Ports outside the pool sit left or right of it, past a break.
	if sc.slots[0].hi < pool.Lo {
		pg.breakMark(b, poolX0-outGap/2, portY-8, portY+portH+4)
	}
	if last := sc.slots[len(sc.slots)-1]; last.lo > pool.Hi {
		pg.breakMark(b, poolX1+outGap/2, portY-8, portY+portH+4)
	}

	// Ranges, outer first so that inner ones draw on top.
	sorted := append([]*registry.Range(nil), ranges...)
	sort.SliceStable(sorted, func(i, j int) bool { return rangeDepth(sorted[i]) < rangeDepth(sorted[j]) })
	for _, r := range sorted {
		x0, x1 := sc.x0(r.Span.Lo), sc.x1(r.Span.Hi)
		ly, lh := unallocY, 16.0
		if !r.Unallocated {
			d := rangeDepth(r)
			ly, lh = lanes[d], laneH[min(d, len(laneH)-1)]
		}
		fill := "url(#hatch)"
		if !r.Unallocated {
			fill = pg.paint(r.Planes)
		}
		tip := fmt.Sprintf("%s %s · %s · %d ports", r.Name, spanWritten(r), planesText(r.Planes), r.Span.Len())
		if !r.Unallocated {
			tip += fmt.Sprintf(", %d free", reg.FreeCount(r, registry.FreeOptions{}))
		} else {
			tip += " · unallocated: to be planned"
		}
		if r.Doc != "" {
			tip += " · " + r.Doc
		}
		cls := "range-seg"
		if r.Unallocated {
			cls += " unallocated"
		}
		fmt.Fprintf(b, `<g class="%s" data-range="%s" data-planes="%s" data-span="%s" data-tip="%s">`, cls, esc(r.Name), esc(strings.Join(planeNames(r.Planes), " ")), esc(r.Span.Dash()), esc(tip))
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s"/>`, x0+0.5, ly, math.Max(1, x1-x0-1), lh, fill)
		if label := fitLabel(r, x1-x0-8, lh, reg); label != "" {
			cls := fmt.Sprintf("rlabel d%d", rangeDepth(r))
			if r.Unallocated {
				cls = "rlabel ulabel"
			}
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="%s">%s</text>`, x0+5, ly+lh/2+4, cls, esc(label))
		}
		b.WriteString("</g>\n")
	}

	// The port lane: reserved spans, then ticks, then inventory marks.
	fmt.Fprintf(b, `<line class="lane" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, poolX0, portY+portH, poolX1, portY+portH)
	conflictAt := map[int]bool{}
	for _, m := range marks {
		if m.use != nil && m.use.Status == Conflict {
			conflictAt[m.lo] = true
		}
	}
	stack := map[int]int{} // ticks drawn per slot start
	count := map[int]int{}
	for _, m := range marks {
		if m.port != nil {
			count[m.lo]++
		}
	}
	for _, m := range marks {
		if m.res == nil {
			continue
		}
		x0, x1 := sc.x0(m.lo), sc.x1(m.hi)
		fmt.Fprintf(b, `<g class="reserved-mark" data-span="%s" data-tip="%s"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#hatch-dark)"/>`, m.res.Span.Dash(), esc(m.res.Span.Dash()+" reserved by the platform: "+m.res.Owner), x0+1, portY, math.Max(2, x1-x0-2), portH)
		fmt.Fprintf(b, `<text class="plabel reserved" transform="translate(%.1f %.1f) rotate(55)">%s</text></g>`+"\n", (x0+x1)/2, labelY, esc(markLabel(g, m)))
	}
	for _, m := range marks {
		p := m.port
		if p == nil {
			continue
		}
		var x0, x1 float64
		if p.Span.IsSingle() {
			sl := sc.find(p.Span.Lo)
			n := count[p.Span.Lo]
			w := sl.w / float64(n)
			x0 = sl.x + w*float64(stack[p.Span.Lo])
			x1 = x0 + w
			stack[p.Span.Lo]++
		} else {
			x0, x1 = sc.x0(p.Span.Lo), sc.x1(p.Span.Hi)
		}
		c := p.Component
		usage := ""
		if pg.ov != nil {
			usage = string(pg.ov.Ports[p])
		}
		cls := "port-tick"
		fill := pg.paint(c.Planes)
		if p.Bind.IsLoopback() {
			cls += " internal"
		}
		if p.Pending != "" {
			cls += " pending"
		}
		label := markLabel(g, m)
		labelCls := "plabel"
		if conflictAt[p.Span.Lo] {
			labelCls += " conflicted"
		}
		tip := pg.portTip(p)
		fmt.Fprintf(b, `<g class="%s" data-port="%s" data-component="%s" data-planes="%s"`, cls, p.Span.Dash(), esc(c.Name), esc(strings.Join(planeNames(c.Planes), " ")))
		if usage != "" {
			fmt.Fprintf(b, ` data-usage="%s"`, usage)
		}
		fmt.Fprintf(b, ` data-tip="%s">`, esc(tip))
		tw := math.Max(2, x1-x0-2)
		if p.Bind.IsLoopback() {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2" fill="#fff" stroke="%s" stroke-width="2" stroke-dasharray="3 2"/>`, x0+2, portY+1, math.Max(1, tw-2), portH-2, pg.paint(c.Planes))
		} else {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2" fill="%s"/>`, x0+1, portY, tw, portH, fill)
		}
		if p.Bind.Kind == registry.BindVar {
			fmt.Fprintf(b, `<text class="vip" x="%.1f" y="%.1f" text-anchor="middle">$</text>`, (x0+x1)/2, portY+portH/2+4)
		}
		if p.Pending != "" {
			fmt.Fprintf(b, `<text class="vip" x="%.1f" y="%.1f" text-anchor="middle">?</text>`, (x0+x1)/2, portY+portH/2+4)
		}
		if usage != "" {
			fmt.Fprintf(b, `<circle class="usage %s" cx="%.1f" cy="%.1f" r="3.6"/>`, usage, (x0+x1)/2, usageY+3)
		}
		fmt.Fprintf(b, `<text class="%s" transform="translate(%.1f %.1f) rotate(55)">%s</text></g>`+"\n", labelCls, (x0+x1)/2-2, labelY, esc(label))
	}
	for _, m := range marks {
		u := m.use
		if u == nil {
			continue
		}
		x0, x1 := sc.x0(m.lo), sc.x1(m.hi)
		mid := (x0 + x1) / 2
		tip := fmt.Sprintf("%s: %s · %s:%d (%s, %s)", strings.ToUpper(string(u.Status)), u.Why, u.Record.File, u.Record.Line, u.Record.Role, u.Record.Source)
		fmt.Fprintf(b, `<g class="inv-mark %s" data-status="%s" data-port="%d" data-tip="%s">`, u.Status, u.Status, u.Record.Port, esc(tip))
		if u.Status == Conflict {
			fmt.Fprintf(b, `<rect class="halo" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="4"/>`, x0-2, portY-5, x1-x0+4, portH+10)
			fmt.Fprintf(b, `<path d="M%.1f %.1f l9 15 h-18 Z"/><text x="%.1f" y="%.1f" text-anchor="middle">!</text>`, mid, usageY-10, mid, usageY+3.5)
			if count[m.lo] == 0 {
				fmt.Fprintf(b, `<text class="plabel conflict" transform="translate(%.1f %.1f) rotate(55)">%s</text>`, mid-2, labelY, esc(markLabel(g, m)))
			}
		} else {
			fmt.Fprintf(b, `<path d="M%.1f %.1f l7 7 l-7 7 l-7 -7 Z"/>`, mid, portY+portH/2-7)
			fmt.Fprintf(b, `<text class="plabel unplanned" transform="translate(%.1f %.1f) rotate(55)">%s</text>`, mid-2, labelY, esc(markLabel(g, m)))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n</section>\n")
}

// markLabel is the slanted label under a mark.
func markLabel(g *registry.Group, m mark) string {
	switch {
	case m.port != nil:
		p := m.port
		s := p.String() + " " + p.Component.Name
		switch {
		case p.Pending != "":
			s += " (pending)"
		case g.Allowed(p.Span.Lo):
			s += " (allowed)"
		}
		return s
	case m.res != nil:
		return m.res.Span.Dash() + " reserved: " + m.res.Owner
	case m.use != nil:
		return fmt.Sprintf("%d %s: %s", m.use.Record.Port, m.use.Status, compOrDash(m.use.Record.Component))
	}
	return ""
}

func compOrDash(s string) string {
	if s == "" {
		return "unattributed"
	}
	return s
}

func (pg *page) breakMark(b *strings.Builder, x, y0, y1 float64) {
	fmt.Fprintf(b, `<path class="break" d="M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f"/>`, x-5, y1, x+1, y0, x-1, y1, x+5, y0)
}

func (pg *page) portTip(p *registry.Port) string {
	c := p.Component
	s := fmt.Sprintf("%s/%s · %s (%s)", p.String(), p.Proto, c.Name, planesText(c.Planes))
	if p.Purpose != "" {
		s += " · " + p.Purpose
	}
	if r := pg.reg.RangeAt(c.Group, p.Span.Lo); r != nil {
		s += " · range " + r.Name
	}
	var was []string
	for _, o := range p.Was {
		if o.Port != p.Span.Lo || o.Bind != p.Bind {
			was = append(was, oldPortText(o))
		}
	}
	if len(was) > 0 {
		s += " · replaces " + strings.Join(was, ", ")
	}
	if p.Bind.IsLoopback() {
		s += " · loopback only: not opened in firewalls"
	}
	if p.Bind.Kind == registry.BindVar {
		s += " · binds " + p.Bind.String()
	}
	if p.Exception != "" {
		s += " · exception: " + p.Exception
	}
	if p.Pending != "" {
		s += " · pending: " + p.Pending
	}
	if pg.ov != nil {
		if users := pg.ov.Users[p]; len(users) > 0 {
			s += fmt.Sprintf(" · used at %s:%d", users[0].File, users[0].Line)
			if len(users) > 1 {
				s += fmt.Sprintf(" and %d more", len(users)-1)
			}
		} else {
			s += " · no use found in the code"
		}
	}
	return s
}

func planesText(ps []*registry.Plane) string {
	if len(ps) == 0 {
		return "no plane"
	}
	return strings.Join(planeNames(ps), ", ")
}

func poolText(g *registry.Group) string {
	if !g.HasPool() {
		return "none (fixed ports)"
	}
	if g.PoolWritten != "" {
		return g.PoolWritten
	}
	return g.Pool.String()
}

// poolLen counts the ports of the group's pool: none without one.
func poolLen(g *registry.Group) int {
	if !g.HasPool() {
		return 0
	}
	return g.Pool.Len()
}

func rangeDepth(r *registry.Range) int {
	n := 0
	for p := r.Parent; p != nil && n < 16; p = p.Parent {
		n++
	}
	return n
}

// fitLabel picks the longest label that fits the width: the name and span,
// the name, the last part of the name, or nothing.
func fitLabel(r *registry.Range, w, h float64, reg *registry.Registry) string {
	if h < 14 {
		return ""
	}
	if r.Unallocated {
		// Hatched: the label sits on a white plate at the start.
		return r.Name + " · unallocated, to be planned"
	}
	charW := 6.4
	if rangeDepth(r) > 0 {
		charW = 5.9
	}
	name := r.Name
	if r.Unallocated {
		name += " · unallocated, to be planned"
	}
	short := name
	if r.Parent != nil && strings.HasPrefix(r.Name, r.Parent.Name+".") {
		short = strings.TrimPrefix(r.Name, r.Parent.Name+".")
	}
	cands := []string{name + "  " + spanWritten(r), short + "  " + spanWritten(r), name, short}
	if !r.Unallocated {
		free := fmt.Sprintf("  · %d free", reg.FreeCount(r, registry.FreeOptions{}))
		cands = append([]string{name + "  " + spanWritten(r) + free}, cands...)
	}
	for _, s := range cands {
		if float64(len([]rune(s)))*charW <= w {
			return s
		}
	}
	return ""
}

// buildScale lays the group's ports out along the band: ports outside the
// pool on the left and right, each with a slot; inside the pool every
// marked port (or span) gets a slot, and the runs between get widths that
// grow with the square root of their length.
func (pg *page) buildScale(g *registry.Group, ranges []*registry.Range, marks []mark) *scale {
	pool := g.Extent()
	var left, right []int
	cuts := map[int]bool{pool.Lo: true, pool.Hi + 1: true}
	isMark := map[int]int{} // slot start -> ticks stacked there
	spanMark := map[int]bool{}
	for _, m := range marks {
		switch {
		case m.hi < pool.Lo:
			left = append(left, m.lo)
			continue
		case m.lo > pool.Hi:
			right = append(right, m.lo)
			continue
		}
		lo, hi := max(m.lo, pool.Lo), min(m.hi, pool.Hi)
		cuts[lo], cuts[hi+1] = true, true
		if m.port != nil && m.lo == m.hi {
			isMark[lo]++
		} else {
			spanMark[lo] = true
			if isMark[lo] == 0 && lo == hi {
				isMark[lo] = 1
			}
		}
	}
	for _, r := range ranges {
		if iv, ok := r.Span.Intersect(pool); ok {
			cuts[iv.Lo], cuts[iv.Hi+1] = true, true
		}
	}
	var cs []int
	for c := range cuts {
		cs = append(cs, c)
	}
	sort.Ints(cs)
	left, right = uniqueInts(left), uniqueInts(right)

	// Widths: outside slots and breaks first, then the pool.
	nMarks := len(left) + len(right)
	for i := 0; i+1 < len(cs); i++ {
		if isMark[cs[i]] > 0 || spanMark[cs[i]] {
			nMarks += max(1, isMark[cs[i]])
		}
	}
	avail := bandW - 2*bandPad
	if len(left) > 0 {
		avail -= outGap
	}
	if len(right) > 0 {
		avail -= outGap
	}
	slotW := math.Min(slotMax, 0.55*avail/float64(max(1, nMarks)))
	var gapUnits float64
	for i := 0; i+1 < len(cs); i++ {
		lo, hi := cs[i], cs[i+1]-1
		if isMark[lo] == 0 && !spanMark[lo] {
			gapUnits += math.Sqrt(float64(hi - lo + 1))
		}
	}
	markPx := slotW * float64(nMarks)
	unit := 0.0
	if gapUnits > 0 {
		unit = (avail - markPx) / gapUnits
	}
	sc := &scale{}
	x := bandPad
	outW := slotW * 1.6
	for _, p := range left {
		n := 0
		for _, m := range marks {
			if m.lo == p && m.port != nil {
				n++
			}
		}
		w := outW * float64(max(1, n))
		sc.slots = append(sc.slots, slot{p, p, x, w})
		x += w + 4
	}
	if len(left) > 0 {
		x += outGap - 4*float64(len(left)) - outW*float64(len(left)) + slotW*float64(len(left))
		x = math.Max(x, sc.slots[len(sc.slots)-1].x+sc.slots[len(sc.slots)-1].w+outGap)
	}
	// Keep the pool within the band however the outside slots fell.
	poolStart := x
	poolEnd := bandW - bandPad - labelRoom
	if len(right) > 0 {
		poolEnd -= outGap + float64(len(right))*(outW+4)
	}
	var pieces []slot
	total := 0.0
	for i := 0; i+1 < len(cs); i++ {
		lo, hi := cs[i], cs[i+1]-1
		var w float64
		switch {
		case isMark[lo] > 0 && lo == hi:
			w = slotW * float64(isMark[lo])
		case spanMark[lo] || isMark[lo] > 0:
			w = slotW * (1 + 0.25*math.Log2(float64(hi-lo+1)))
		default:
			w = unit * math.Sqrt(float64(hi-lo+1))
		}
		pieces = append(pieces, slot{lo, hi, 0, w})
		total += w
	}
	k := (poolEnd - poolStart) / total
	x = poolStart
	for _, p := range pieces {
		p.x, p.w = x, p.w*k
		x += p.w
		sc.slots = append(sc.slots, p)
	}
	x = poolEnd + outGap
	for _, p := range right {
		sc.slots = append(sc.slots, slot{p, p, x, outW})
		x += outW + 4
	}
	return sc
}

func uniqueInts(s []int) []int {
	sort.Ints(s)
	var out []int
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// tables writes the ranges and ports of each group, and the inventory's
// unplanned uses and conflicts.
func (pg *page) tables(b *strings.Builder) {
	reg := pg.reg
	b.WriteString("<section class=\"tables\">\n")
	if pg.ov != nil && len(pg.ov.Uses) > 0 {
		b.WriteString("<h2>Code against plan: unplanned uses and conflicts</h2>\n<table class=\"inv\"><thead><tr><th>Status</th><th>Port</th><th>Component</th><th>Where</th><th>Found by</th><th>Why</th></tr></thead><tbody>\n")
		uses := append([]*InventoryUse(nil), pg.ov.Uses...)
		sort.SliceStable(uses, func(i, j int) bool { return uses[i].Status < uses[j].Status })
		for _, u := range uses {
			if u.Group != nil && !pg.sel.group(u.Group) {
				continue
			}
			port := itoa(u.Record.Port)
			if u.Record.PortEnd > u.Record.Port {
				port += "-" + itoa(u.Record.PortEnd)
			}
			fmt.Fprintf(b, "<tr class=\"%s\"><td><span class=\"badge %s\">%s</span></td><td class=\"num\">%s/%s</td><td>%s</td><td><code>%s:%d</code></td><td>%s (%s)</td><td>%s</td></tr>\n",
				u.Status, u.Status, u.Status, port, esc(u.Record.Proto), esc(compOrDash(u.Record.Component)), esc(u.Record.File), u.Record.Line, esc(u.Record.Role), esc(u.Record.Source), esc(u.Why))
		}
		b.WriteString("</tbody></table>\n")
	}
	for _, g := range reg.Groups {
		if !pg.sel.group(g) {
			continue
		}
		fmt.Fprintf(b, "<h2>%s</h2>\n<div class=\"cols\"><div><h3>Ranges</h3><table><thead><tr><th>Range</th><th>Span</th><th>Planes</th><th class=\"num\">Ports</th><th class=\"num\">Free</th><th class=\"bar\"></th></tr></thead><tbody>\n", esc(g.Name))
		rs := append([]*registry.Range(nil), g.Ranges...)
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Unallocated != rs[j].Unallocated {
				return !rs[i].Unallocated
			}
			if rs[i].Span.Lo != rs[j].Span.Lo {
				return rs[i].Span.Lo < rs[j].Span.Lo
			}
			return rs[i].Span.Len() > rs[j].Span.Len()
		})
		for _, r := range rs {
			if !pg.sel.rangeOK(r) {
				continue
			}
			free := reg.FreeCount(r, registry.FreeOptions{})
			freeText := itoa(free)
			bar := fmt.Sprintf(`<span class="meter"><span style="width:%.1f%%"></span></span>`, 100*float64(r.Span.Len()-free)/float64(r.Span.Len()))
			if r.Unallocated {
				freeText, bar = "-", `<span class="tag">unallocated</span>`
			}
			var sw strings.Builder
			for _, p := range r.Planes {
				fmt.Fprintf(&sw, `<i class="sw" style="background:%s"></i>`, pg.colors[p.Name])
			}
			fmt.Fprintf(b, "<tr><td style=\"padding-left:%dpx\">%s</td><td class=\"nw\"><code>%s</code></td><td class=\"nw\">%s%s</td><td class=\"num\">%d</td><td class=\"num\">%s</td><td class=\"bar\">%s</td></tr>\n",
				8+16*rangeDepth(r), esc(r.Name), esc(spanWritten(r)), sw.String(), esc(strings.Join(planeNames(r.Planes), ", ")), r.Span.Len(), freeText, bar)
		}
		b.WriteString("</tbody></table></div>\n<div><h3>Ports</h3><table><thead><tr><th class=\"num\">Port</th><th>Component</th><th>Planes</th><th>Purpose</th><th>Replaces</th><th>Notes</th>")
		if pg.ov != nil {
			b.WriteString("<th>In the code</th>")
		}
		b.WriteString("</tr></thead><tbody>\n")
		var ports []*registry.Port
		for _, c := range g.Components {
			if pg.sel.component(c) {
				ports = append(ports, c.Ports...)
			}
		}
		sort.SliceStable(ports, func(i, j int) bool { return ports[i].Span.Lo < ports[j].Span.Lo })
		for _, p := range ports {
			var notes []string
			if p.Bind.IsLoopback() {
				notes = append(notes, "loopback only")
			} else if p.Bind.Kind == registry.BindVaries {
				notes = append(notes, "bind varies with the installation")
			} else if p.Bind.Kind != registry.BindAny {
				notes = append(notes, "binds "+p.Bind.String())
			}
			if p.Pending != "" {
				notes = append(notes, "pending: "+p.Pending)
			}
			if p.Exception != "" {
				notes = append(notes, "exception: "+p.Exception)
			}
			if g.Allowed(p.Span.Lo) {
				notes = append(notes, "allowed outside the pool")
			}
			var was []string
			for _, o := range p.Was {
				if o.Port != p.Span.Lo || o.Bind != p.Bind {
					was = append(was, oldPortText(o))
				}
			}
			var sw strings.Builder
			for _, pl := range p.Component.Planes {
				fmt.Fprintf(&sw, `<i class="sw" style="background:%s"></i>`, pg.colors[pl.Name])
			}
			fmt.Fprintf(b, "<tr><td class=\"num\"><code>%s</code></td><td class=\"nw\">%s</td><td class=\"nw\">%s%s</td><td>%s</td><td class=\"was nw\">%s</td><td>%s</td>",
				esc(p.String()), esc(p.Component.Name), sw.String(), esc(strings.Join(planeNames(p.Component.Planes), ", ")), esc(p.Purpose), esc(strings.Join(was, ", ")), esc(strings.Join(notes, "; ")))
			if pg.ov != nil {
				u := pg.ov.Ports[p]
				where := ""
				if users := pg.ov.Users[p]; len(users) > 0 {
					where = fmt.Sprintf(" <code>%s:%d</code>", esc(users[0].File), users[0].Line)
				}
				fmt.Fprintf(b, "<td><span class=\"badge %s\">%s</span>%s</td>", u, u, where)
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</tbody></table></div></div>\n")
		var res []string
		for _, r := range reg.Reserved {
			if r.AppliesTo(g) {
				res = append(res, fmt.Sprintf("<span class=\"res\"><code>%s</code> %s</span>", esc(r.Span.Dash()), esc(r.Owner)))
			}
		}
		if len(res) > 0 {
			fmt.Fprintf(b, "<details><summary>%d ports and spans the customer's platform reserves</summary><p class=\"reslist\">%s</p></details>\n", len(res), strings.Join(res, " "))
		}
	}
	b.WriteString("</section>\n")
}

const pageCSS = `
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--red:#dc2626;--amber:#d97706;--green:#16a34a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:16px 40px;align-items:flex-end;justify-content:space-between;padding:22px 32px 16px;background:#0f172a;color:#f8fafc}
header h1{margin:0;font-size:22px;letter-spacing:.2px}
header .sub{margin:2px 0 0;color:#cbd5e1}
header code{color:#e2e8f0}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12.5px;color:#e2e8f0}
.key{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:12px;border-radius:3px;vertical-align:-1px;margin-right:3px}
.sw.stripes{background:repeating-linear-gradient(45deg,#2563eb 0 4px,#ea8a0c 4px 8px,#059669 8px 12px)}
.sw.unalloc{background:repeating-linear-gradient(45deg,#f1f5f9 0 4px,#cbd5e1 4px 6px)}
.sw.reserved{background:repeating-linear-gradient(-45deg,#e2e8f0 0 3px,#475569 3px 5px)}
.sw.internal{background:#fff;border:2px dashed #94a3b8}
.sw.unplanned{background:var(--amber);transform:rotate(45deg) scale(.8)}
.sw.conflict{background:var(--red);box-shadow:0 0 0 3px rgba(220,38,38,.35)}
.x{color:#f87171;font-size:16px;line-height:1}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%}
.dot.used{background:var(--green)}
.dot.unused{border:2px solid #94a3b8;background:#fff}
main{padding:18px 32px 40px;max-width:1560px;margin:0 auto}
.group{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px 4px;margin:0 0 18px;box-shadow:0 1px 2px rgba(15,23,42,.05)}
.group-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 14px;margin-bottom:4px}
.group-head h2{margin:0;font-size:18px}
.group-head .pool{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;color:#334155}
.group-head .doc{color:var(--muted);font-size:13px}
.chips{margin-left:auto;display:flex;gap:8px;flex-wrap:wrap}
.chip{font-size:12px;background:#f1f5f9;border-radius:999px;padding:2px 10px;color:#334155}
.chip.free{background:#dcfce7;color:#14532d}
svg.group-band{width:100%;height:auto;display:block}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.ctx-bg{fill:#f1f5f9;stroke:#cbd5e1}
.ctx-pool{fill:#0ea5e9;opacity:.9}
.ctx-reserved{fill:#475569;opacity:.55}
.retired-mark{fill:#dc2626;font-size:15px;font-weight:700;cursor:default}
.zoom{fill:#0ea5e9;opacity:.08;stroke:#0ea5e9;stroke-opacity:.35}
.pool-bg{fill:#fff;stroke:#cbd5e1;stroke-dasharray:4 3}
.axis{font-size:11px;fill:#64748b}
.axis.out{font-style:italic}
.break{stroke:#94a3b8;stroke-width:1.5;fill:none}
.range-seg rect{fill-opacity:.22;stroke:currentColor;stroke-opacity:.0}
.range-seg{cursor:default}
.range-seg:not(.unallocated) rect{fill-opacity:.2;stroke:#0f172a;stroke-opacity:.12}
.range-seg.unallocated rect{fill-opacity:1}
.range-seg:hover rect{fill-opacity:.38}
.rlabel{font-size:12px;fill:#0f172a;font-weight:600}
.rlabel.d1,.rlabel.d2,.rlabel.d3{font-size:11px;font-weight:500}
.rlabel.ulabel{font-size:10.5px;font-weight:500;fill:#475569;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
.lane{stroke:#94a3b8}
.port-tick{cursor:default}
.port-tick:hover rect{filter:brightness(1.15);stroke:#0f172a;stroke-width:1.5}
.plabel{font-size:11.5px;fill:#1e293b}
.plabel.reserved{fill:#475569;font-style:italic}
.plabel.unplanned{fill:#b45309;font-weight:600}
.vip{font-size:13px;font-weight:700;fill:#fff;pointer-events:none}
.usage.used{fill:#16a34a}
.usage.unused{fill:#fff;stroke:#94a3b8;stroke-width:1.6}
.inv-mark.unplanned path{fill:#d97706;stroke:#fff;stroke-width:1.2}
.inv-mark.conflict .halo{fill:rgba(220,38,38,.18);stroke:#dc2626;stroke-width:3;animation:pulse 1.2s ease-in-out infinite}
.plabel.conflicted{fill:#dc2626;font-weight:700}
.inv-mark.conflict path{fill:#dc2626}
.inv-mark.conflict text{fill:#fff;font-weight:800;font-size:12px}
.inv-mark.conflict text.plabel.conflict{fill:#dc2626;font-size:11.5px;font-weight:700}
@keyframes pulse{50%{stroke-opacity:.35}}
.note{color:var(--muted);font-size:12.5px;margin:-6px 0 18px}
.overlay-summary{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;padding:10px 16px;border-radius:10px;margin:0 0 16px;background:#ecfdf5;border:1px solid #bbf7d0}
.overlay-summary.alarm{background:#fef2f2;border-color:#fecaca}
.overlay-summary .conflicts{color:var(--red);font-weight:700}
.stat{display:inline-flex;align-items:center;gap:6px}
.tables h2{font-size:17px;margin:26px 0 8px}
.tables h3{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:8px 0 6px}
.cols{display:grid;grid-template-columns:minmax(0,1fr);gap:10px}
td.nw,td.num{white-space:nowrap}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);border-radius:8px;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #f1f5f9;vertical-align:top}
th{background:#f8fafc;font-weight:600;color:#334155}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.was{color:#b91c1c}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.meter{display:inline-block;width:90px;height:8px;background:#dcfce7;border-radius:4px;overflow:hidden;vertical-align:middle}
.meter span{display:block;height:100%;background:#334155;min-width:1px}
.tag{font-size:11px;color:#64748b;background:#f1f5f9;border-radius:4px;padding:1px 6px}
.badge{display:inline-block;font-size:11px;font-weight:600;border-radius:4px;padding:1px 6px;text-transform:uppercase;letter-spacing:.03em}
.badge.used{background:#dcfce7;color:#166534}
.badge.unused{background:#f1f5f9;color:#475569}
.badge.unplanned{background:#fef3c7;color:#92400e}
.badge.conflict{background:#dc2626;color:#fff}
tr.conflict td{background:#fef2f2}
details{margin:10px 0 0;color:#334155}
.reslist{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12.5px}
#tip{position:fixed;pointer-events:none;max-width:440px;background:#0f172a;color:#f8fafc;font-size:12.5px;line-height:1.4;padding:7px 10px;border-radius:6px;box-shadow:0 6px 20px rgba(0,0,0,.25);opacity:0;transition:opacity .08s;z-index:10}
#tip.on{opacity:1}
`

const pageJS = `
(function(){
  var tip = document.getElementById('tip');
  function find(el){ while (el && el.getAttribute) { if (el.getAttribute('data-tip')) return el; el = el.parentNode; } return null; }
  document.addEventListener('mousemove', function(e){
    var el = find(e.target);
    if (!el) { tip.className = ''; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.className = 'on';
    var x = e.clientX + 14, y = e.clientY + 16;
    if (x + tip.offsetWidth > window.innerWidth - 8) x = e.clientX - tip.offsetWidth - 14;
    if (y + tip.offsetHeight > window.innerHeight - 8) y = e.clientY - tip.offsetHeight - 12;
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  });
})();
`
