package manifest

import (
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
)

// A listEntry is an item of a block sequence holding a use: the bytes of
// its lines, and the ports the items of the list hold. A retired port's
// fix whose replacement another item already lists deletes the item
// instead of writing the port twice.
type listEntry struct {
	start, end int  // the item's lines, "- " to its last line's end
	single     bool // the item holds this use alone
	port       int  // the use's port, when single
	// ports counts the items of the list that hold one port each, by
	// port; the entries of one list share it, so that a list of n items
	// costs n, not n² (every item's view of the others)
	ports map[int]int
}

// listed reports whether another item of the list holds just the port.
func (e listEntry) listed(port int) bool {
	if !e.single {
		return false
	}
	n := e.ports[port]
	if port == e.port {
		n-- // the item itself
	}
	return n > 0
}

// listEntries finds, for each use, the block-sequence item it lies in.
func (s *scanner) listEntries(docs []doc) {
	if len(s.file.Uses) == 0 {
		return
	}
	byOff := map[int][]*check.Use{}
	var offs []int // the offsets of byOff, in order
	for _, u := range s.file.Uses {
		if byOff[u.Pos.Offset] == nil {
			offs = append(offs, u.Pos.Offset)
		}
		byOff[u.Pos.Offset] = append(byOff[u.Pos.Offset], u)
	}
	sort.Ints(offs)
	for _, d := range docs {
		s.lineBase = d.base
		s.walkLists(d.root, offs, byOff, map[*yaml.Node]bool{}, 0)
	}
}

func (s *scanner) walkLists(n *yaml.Node, offs []int, byOff map[int][]*check.Use, seen map[*yaml.Node]bool, depth int) {
	if n == nil || n.Kind == yaml.AliasNode || seen[n] || depth > maxDepth {
		return
	}
	seen[n] = true
	for _, c := range n.Content {
		s.walkLists(c, offs, byOff, seen, depth+1)
	}
	if n.Kind != yaml.SequenceNode || n.Style&yaml.FlowStyle != 0 || len(n.Content) < 2 {
		return
	}
	type item struct {
		start, end int
		uses       []*check.Use
	}
	items := make([]item, len(n.Content))
	for i, it := range n.Content {
		line := it.Line + s.lineBase
		if i > 0 && n.Content[i-1].Line == it.Line {
			return // two items on one line
		}
		items[i].start = s.src.lineStart(line)
		if i > 0 {
			items[i-1].end = items[i].start
		}
	}
	items[len(items)-1].end = s.src.lineStart(lastLine(n.Content[len(n.Content)-1], 0) + s.lineBase + 1)
	// the items are in order and contiguous: a use between the first's
	// start and the last's end lies in the last item that starts at or
	// before it
	last := items[len(items)-1].end
	for k := sort.SearchInts(offs, items[0].start); k < len(offs) && offs[k] < last; k++ {
		off := offs[k]
		i := sort.Search(len(items), func(i int) bool { return items[i].start > off }) - 1
		if i >= 0 && off < items[i].end {
			items[i].uses = append(items[i].uses, byOff[off]...)
		}
	}
	ports := map[int]int{}
	for _, it := range items {
		if len(it.uses) > 0 && len(distinctPorts(it.uses)) == 1 {
			ports[it.uses[0].Port]++
		}
	}
	for _, it := range items {
		single := len(it.uses) == 1
		for _, u := range it.uses {
			if s.file.lists == nil {
				s.file.lists = map[*check.Use]listEntry{}
			}
			if _, inner := s.file.lists[u]; !inner { // the innermost list wins
				s.file.lists[u] = listEntry{it.start, it.end, single, u.Port, ports}
			}
		}
	}
}

func distinctPorts(us []*check.Use) map[int]bool {
	m := map[int]bool{}
	for _, u := range us {
		m[u.Port] = true
	}
	return m
}

// lastLine returns the last line a node's text reaches.
func lastLine(n *yaml.Node, depth int) int {
	l := n.Line
	if depth > maxDepth {
		return l
	}
	for _, c := range n.Content {
		l = max(l, lastLine(c, depth+1))
	}
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		for i := 0; i < len(n.Value); i++ {
			if n.Value[i] == '\n' {
				l++
			}
		}
	}
	return l
}
