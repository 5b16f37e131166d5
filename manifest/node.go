package manifest

import (
	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/internal/safefile"
)

// Limits against hostile input. yaml.v3 itself stops nesting at 10000 levels
// but expands nothing when decoding to nodes, so following aliases is
// bounded here: by a budget of node visits per document and by refusing to
// re-enter a node already being walked.
const (
	maxFileSize  = safefile.MaxManifest // larger files are not checked: an input error
	minBudget    = 200_000              // node visits per document, at least
	budgetFactor = 8                    // ... or this many per byte of the document
	maxDepth     = 10_100
)

// deref follows aliases to the node they name.
func (s *scanner) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// tick spends one node visit; it reports false when the budget is gone.
func (s *scanner) tick() bool {
	if s.budget <= 0 {
		if !s.exhausted {
			s.exhausted = true
			s.incompletef(s.docStart, "stopped after %d nodes: the document expands too many aliases; the rest is not checked", s.budgetTotal)
		}
		return false
	}
	s.budget--
	return true
}

// asMap returns the mapping n is (through aliases), or nil.
func (s *scanner) asMap(n *yaml.Node) *yaml.Node {
	n = s.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// asSeq returns the items of the sequence n is, or nil.
func (s *scanner) asSeq(n *yaml.Node) []*yaml.Node {
	n = s.deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if !s.tick() {
			break
		}
		if c = s.deref(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// asScalar returns the scalar n is (through aliases), or nil. Nulls are not
// scalars here.
func (s *scanner) asScalar(n *yaml.Node) *yaml.Node {
	n = s.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return nil
	}
	return n
}

// str returns the text of a scalar, or "".
func (s *scanner) str(n *yaml.Node) string {
	if n = s.asScalar(n); n == nil {
		return ""
	}
	return n.Value
}

// A pair is one key and value of a mapping.
type pair struct{ k, v *yaml.Node }

// pairs returns the entries of a mapping with "<<" merge keys expanded: the
// mapping's own keys first, then merged keys it does not override.
func (s *scanner) pairs(m *yaml.Node) []pair {
	m = s.asMap(m)
	if m == nil {
		return nil
	}
	var out []pair
	var merged []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !s.tick() {
			break
		}
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
			if mv := s.deref(v); mv != nil && mv.Kind == yaml.SequenceNode {
				merged = append(merged, mv.Content...)
			} else {
				merged = append(merged, v)
			}
			continue
		}
		out = append(out, pair{k, v})
	}
	if len(merged) == 0 {
		return out
	}
	if s.active[m] {
		return out // a merge that includes itself
	}
	s.active[m] = true
	defer delete(s.active, m)
	have := map[string]bool{}
	for _, p := range out {
		have[p.k.Value] = true
	}
	for _, mm := range merged {
		for _, p := range s.pairs(mm) {
			if !have[p.k.Value] {
				have[p.k.Value] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// get returns the value of key in mapping m, or nil.
func (s *scanner) get(m *yaml.Node, key string) *yaml.Node {
	m = s.asMap(m)
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			if !s.tick() {
				return nil
			}
			v := s.deref(m.Content[i+1])
			if s.fromTemplate(v) || isNull(v) && s.underCondition(k) {
				// {{- if .x }} port: {{ .x }} {{- else }} port: 6080
				// {{- end }}: with the template lines set aside the
				// branches are one key written twice; the literal one
				// is the value the chart falls back to. Likewise a key
				// whose content a template wrote ("annotations:" over
				// {{- toYaml . }}) beside the same key written out.
				for j := i + 2; j+1 < len(m.Content); j += 2 {
					if k2 := m.Content[j]; k2.Kind == yaml.ScalarNode && k2.Value == key {
						w := s.deref(m.Content[j+1])
						if w != nil && !isNull(w) && !s.fromTemplate(w) && s.underCondition(k2) {
							return w
						}
					}
				}
			}
			return v
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "<<" {
			for _, p := range s.pairs(m) {
				if p.k.Value == key {
					return s.deref(p.v)
				}
			}
			return nil
		}
	}
	return nil
}

// key returns the key node of key in mapping m, or nil.
func (s *scanner) key(m *yaml.Node, key string) *yaml.Node {
	for _, p := range s.pairs(m) {
		if p.k.Value == key {
			return p.k
		}
	}
	return nil
}

// path follows a chain of keys.
func (s *scanner) path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if m = s.get(m, k); m == nil {
			return nil
		}
	}
	return m
}

// strMap reads a mapping of scalars (labels, selectors).
func (s *scanner) strMap(m *yaml.Node) map[string]string {
	var out map[string]string
	for _, p := range s.pairs(m) {
		if v := s.asScalar(p.v); v != nil && p.k.Kind == yaml.ScalarNode {
			if out == nil {
				out = map[string]string{}
			}
			out[p.k.Value] = v.Value
		}
	}
	return out
}

// enter guards a walk into a node reached through an alias: it refuses a
// node already being walked and nesting beyond maxDepth.
func (s *scanner) enter(n *yaml.Node) bool {
	if s.active[n] || s.depth >= maxDepth || !s.tick() {
		return false
	}
	s.active[n] = true
	s.depth++
	return true
}

func (s *scanner) leave(n *yaml.Node) {
	delete(s.active, n)
	s.depth--
}

// isNull reports whether a node is an empty or null scalar.
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "")
}
