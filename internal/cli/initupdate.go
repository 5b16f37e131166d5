package cli

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// merge adds the draft's new components and ports to an existing
// registry's YAML: nothing is removed or renumbered, comments stay, and
// what the draft could not decide is listed in comments at the end.
func (d *draft) merge(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a registry mapping", d.base.File)
	}
	if d.base.Group(d.group) == nil {
		return nil, fmt.Errorf("-group %s: the registry has no such group", d.group)
	}
	root := doc.Content[0]
	comps := mapValue(root, "components")
	if comps == nil || comps.Kind != yaml.SequenceNode {
		if comps == nil {
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "components"})
			comps = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			root.Content = append(root.Content, comps)
		} else {
			*comps = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"} // "components:" with nothing
		}
	}
	comps.Style = 0
	var notes []string
	g := d.base.Group(d.group)
	for _, c := range d.ordered() {
		if c.existing != nil {
			node := findComponent(comps, c.existing.Name)
			if node == nil {
				continue // a component an anchor or merge key builds: leave it
			}
			for _, p := range c.orderedPorts() {
				switch p.todo {
				case "-":
					continue
				case "":
				default:
					notes = append(notes, "TODO: "+p.todo+"; "+d.seenComment(p))
					continue
				}
				item, err := parseNode(p.entry())
				if err != nil {
					return nil, err
				}
				item.LineComment = "# " + d.seenComment(p)
				ports := mapValue(node, "ports")
				if ports == nil {
					node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "ports"})
					ports = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
					node.Content = append(node.Content, ports)
				} else if ports.Kind != yaml.SequenceNode {
					*ports = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
				}
				ports.Style = 0
				ports.Content = append(ports.Content, item)
				if cg := c.existing.Group; cg != nil && !cg.InPool(p.key.lo) {
					notes = append(notes, fmt.Sprintf("TODO: %s of %s lies outside the pool of group %s: widen the pool, allow it, or move it", p.label(), c.name, cg.Name))
				}
			}
			continue
		}
		var b strings.Builder
		d.writeComponent(&b, c, "")
		item, err := parseNode(b.String())
		if err != nil {
			return nil, fmt.Errorf("component %s: %v", c.name, err)
		}
		if item.Kind == yaml.SequenceNode && len(item.Content) == 1 {
			item = item.Content[0]
		}
		comps.Content = append(comps.Content, item)
		for _, p := range c.orderedPorts() {
			if p.todo == "" && !g.InPool(p.key.lo) {
				notes = append(notes, fmt.Sprintf("TODO: %s of %s lies outside the pool of group %s: widen the pool, allow it, or move it", p.label(), c.name, g.Name))
			}
		}
	}
	var tail strings.Builder
	tail.WriteString(updateMarker + "\n")
	d.writeTodos(&tail)
	for _, n := range notes {
		comment(&tail, "", n)
	}
	d.writeExternal(&tail)
	// the notes of an earlier -update make way for today's
	for _, n := range []*yaml.Node{&doc, root, lastNode(root)} {
		if i := strings.Index(n.FootComment, updateMarker); i >= 0 {
			n.FootComment = strings.TrimSpace(n.FootComment[:i])
		}
	}
	if t := strings.TrimSpace(tail.String()); t != updateMarker {
		if doc.FootComment != "" {
			doc.FootComment += "\n\n"
		}
		doc.FootComment += t
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// updateMarker opens the notes -update writes at the end of the file.
const updateMarker = "# Notes of portlint registry init -update:"

// lastNode is the last node of the tree under n, where a trailing comment
// may sit.
func lastNode(n *yaml.Node) *yaml.Node {
	for len(n.Content) > 0 {
		n = n.Content[len(n.Content)-1]
	}
	return n
}

// parseNode parses one YAML value, comments kept.
func parseNode(text string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 {
		return nil, fmt.Errorf("not one value: %q", text)
	}
	n := doc.Content[0]
	if doc.HeadComment != "" {
		n.HeadComment = strings.TrimSpace(doc.HeadComment + "\n" + n.HeadComment)
	}
	return n, nil
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// findComponent returns the mapping of the named component.
func findComponent(comps *yaml.Node, name string) *yaml.Node {
	for _, c := range comps.Content {
		if n := mapValue(c, "name"); n != nil && foldName(n.Value) == foldName(name) {
			return c
		}
	}
	return nil
}
