package lsp

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/portlint/portlint/registry"
)

// completion proposes, in a registry, the names a key refers to: groups
// after "group:", planes after "planes:", ranges after "ranges:" and
// "within:", components after "reuses:" and "owner:". Names come from the
// buffer when it loads, else from its last content that did.
func (s *Server) completion(ctx context.Context, params json.RawMessage) (any, error) {
	var p CompletionParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	path, err := uriPath(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	data, _, kind, ok := s.doc(path)
	empty := &CompletionList{Items: []CompletionItem{}}
	if !ok || kind != kindRegistry {
		return empty, nil
	}
	s.mu.Lock()
	var reg *registry.Registry
	if v := s.registries[path]; v != nil {
		reg = v.good
	}
	s.mu.Unlock()
	if reg == nil {
		return empty, nil
	}
	t := newText(data)
	off, err := t.offset(p.Position)
	if err != nil {
		return empty, nil
	}
	key, start := completionKey(t, off)
	if key == "" {
		return empty, nil
	}
	prefix := string(t.data[start:off])
	rng := t.rangeOf(start, off)
	var items []CompletionItem
	add := func(name string, kind CompletionItemKind, detail, doc string) {
		if !strings.HasPrefix(strings.ToLower(name), strings.ToLower(prefix)) {
			return
		}
		it := CompletionItem{Label: name, Kind: kind, Detail: detail, TextEdit: &TextEdit{Range: rng, NewText: name}}
		if doc != "" {
			it.Documentation = &MarkupContent{Kind: "markdown", Value: doc}
		}
		items = append(items, it)
	}
	switch key {
	case "group", "groups":
		for _, g := range reg.Groups {
			add(g.Name, CompletionKindModule, "group, pool "+g.PoolWritten, g.Doc)
		}
	case "planes":
		for _, pl := range reg.Planes {
			detail := "plane"
			if pl.Group != nil {
				detail += " of " + pl.Group.Name
			}
			add(pl.Name, CompletionKindEnum, detail, pl.Doc)
		}
	case "ranges", "within":
		for _, r := range reg.Ranges {
			detail := "range " + r.Written
			if r.Group != nil {
				detail += " in " + r.Group.Name
			}
			if r.Unallocated {
				detail += ", unallocated"
			}
			add(r.Name, CompletionKindValue, detail, r.Doc)
		}
	case "reuses", "owner":
		for _, c := range reg.Components {
			detail := "component"
			if c.Group != nil {
				detail += " in " + c.Group.Name
			}
			var ports []string
			for _, pt := range c.Ports {
				ports = append(ports, pt.String())
			}
			doc := c.Doc
			if len(ports) > 0 {
				doc = strings.TrimSpace(doc + "\n\nports: " + strings.Join(ports, ", "))
			}
			add(c.Name, CompletionKindConstant, detail, doc)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Label < items[j].Label })
	if items == nil {
		items = []CompletionItem{}
	}
	return &CompletionList{Items: items}, nil
}

var (
	// a key and what follows it on the line: "group: eng", "{name: x, ranges: [a, b"
	keyBefore = regexp.MustCompile(`([A-Za-z]+)\s*:\s*\[?[^:\[\]{}]*$`)
	// a block sequence item: "  - engine.ins"
	itemLine = regexp.MustCompile(`^(\s*)-\s+[^\s:]*$`)
	// a key that opens a block: "  ranges:"
	keyLine = regexp.MustCompile(`^(\s*)(?:-\s+)?([A-Za-z]+)\s*:\s*(?:#.*)?$`)
)

// completionKey returns the key whose value the cursor at off is in, and
// the start of the name being typed.
func completionKey(t *text, off int) (string, int) {
	pos := t.position(off)
	lineStart := t.lines[pos.Line]
	line := string(t.data[lineStart:off])
	start := off
	for start > lineStart && isNameByte(t.data[start-1]) {
		start--
	}
	before := line[:start-lineStart]
	if m := keyBefore.FindStringSubmatch(before); m != nil {
		// after a comma only lists continue: "group: a, b" is no list
		rest := before[strings.LastIndex(before, m[1]):]
		if strings.Contains(rest, ",") && !strings.Contains(rest, "[") {
			return "", start
		}
		return m[1], start
	}
	if m := itemLine.FindStringSubmatch(line); m != nil {
		indent := len(m[1])
		for l := pos.Line - 1; l >= 0; l-- {
			text := string(t.data[t.lines[l]:t.lineEnd(l)])
			if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
				continue
			}
			k := keyLine.FindStringSubmatch(text)
			ind := len(text) - len(strings.TrimLeft(text, " "))
			if k != nil && ind <= indent {
				return k[2], start
			}
			if ind < indent || k == nil && !strings.HasPrefix(strings.TrimSpace(text), "-") {
				return "", start
			}
		}
	}
	return "", start
}

func isNameByte(b byte) bool {
	return isWordByte(b) || b == '-' || b == '$'
}
