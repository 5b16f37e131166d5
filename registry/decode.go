package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/internal/safefile"
)

// Limits that keep a hostile or broken file from exhausting memory.
const (
	maxFileSize       = 16 << 20 // bytes
	maxAliasExpansion = 200_000  // nodes that aliases may add to what the file writes
)

// Load reads and parses the registry file at path.
func Load(path string) (*Registry, error) {
	data, err := safefile.Read(path, safefile.MaxRegistry)
	if err != nil {
		return nil, fmt.Errorf("reading registry: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a registry. file names the source in
// positions. The error, when not nil, is an ErrorList of load errors; the
// plan's own gaps and contradictions are in the returned Registry's Problems.
func Parse(file string, data []byte) (reg *Registry, err error) {
	defer func() {
		// The YAML parser is fuzzed, but a registry must never crash a run.
		if r := recover(); r != nil {
			reg, err = nil, ErrorList{{Pos: Pos{File: file}, Rule: "yaml", Message: fmt.Sprintf("internal error decoding the registry: %v", r)}}
		}
	}()
	d := &decoder{file: file}
	reg = d.decodeFile(data)
	if errs := d.errors(); len(errs) > 0 {
		return nil, errs
	}
	reg.resolve(d)
	if errs := d.errors(); len(errs) > 0 {
		return nil, errs
	}
	reg.Data = data
	reg.derive()
	reg.buildIndex()
	reg.Problems = reg.validate()
	sortDiagnostics(reg.Problems)
	return reg, nil
}

type decoder struct {
	file   string
	lines  [][]byte // the source, for columns inside values
	diags  []Diagnostic
	budget int
	over   bool

	// references, resolved once every name is known
	planeGroups   []pendingRef[*Plane]
	rangeRefs     []*rawRange
	compRefs      []*rawComp
	retiredRefs   []*rawRetired
	reservedRefs  []*rawReserved
	varRefs       []pendingRef[*Port]
	reusesRefs    []pendingRef[*Port]
	targetRefs    []*Port // Service ports, whose targetPort names a port of their component
	groupNodes    map[string]*Group
	planeNodes    map[string]*Plane
	varNodes      map[string]*Var
	rangeNodes    map[string]*Range
	compNodes     map[string]*Component
	aliasOwners   map[string]*Component
	explicitNames map[string]Pos
}

type ref struct {
	name string
	pos  Pos
}

type pendingRef[T any] struct {
	obj T
	ref ref
}

type rawRange struct {
	r      *Range
	group  ref
	within ref
	planes []ref
}

type rawComp struct {
	c      *Component
	group  ref
	groups []ref // "groups", the alternative to "group"
	planes []ref
	ranges []ref
}

type rawRetired struct {
	r          *Retirement
	group      ref
	replacedBy int
	replPos    Pos
	replGroup  ref // the replacement's group, when it is another's
}

type rawReserved struct {
	r      *Reservation
	groups []ref
	forRef ref
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Col: n.Column} }

func (d *decoder) report(p Pos, rule, format string, args ...any) {
	r := LookupRule(rule)
	sev := SevError
	if r != nil {
		sev = r.Severity
	}
	d.diags = append(d.diags, Diagnostic{Pos: p, Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n *yaml.Node, rule, format string, args ...any) {
	d.report(d.pos(n), rule, format, args...)
}

func (d *decoder) errors() ErrorList {
	var l ErrorList
	for _, x := range d.diags {
		if x.Severity == SevError {
			l = append(l, x)
		}
	}
	sortDiagnostics(l)
	return l
}

// deref follows aliases and charges the visit budget; nil means stop.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if d.over {
		return nil
	}
	d.budget--
	if d.budget < 0 {
		d.over = true
		d.report(Pos{File: d.file, Line: 1, Col: 1}, "yaml", "decoding the registry visits too many nodes; refusing to go on")
		return nil
	}
	return n
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// The errors about anchors name no line, but the anchor; the file writes
// it after "*" (an alias) or "&" (the anchor itself).
var (
	yamlAliasRE  = regexp.MustCompile(`^yaml: unknown anchor '([^']*)' referenced$`)
	yamlAnchorRE = regexp.MustCompile(`^yaml: anchor '([^']*)' value contains itself$`)
)

// yamlParserProblems are the problems yaml.v3's parser (as opposed to its
// scanner) reports.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

func (d *decoder) decodeFile(data []byte) *Registry {
	reg := &Registry{File: d.file}
	if len(data) > maxFileSize {
		d.report(Pos{File: d.file, Line: 1, Col: 1}, "yaml", "the registry is %d bytes; the limit is %d", len(data), maxFileSize)
		return reg
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.report(Pos{File: d.file, Line: 1, Col: 1}, "yaml", "the registry is empty; it needs at least \"version: 1\"")
			return reg
		}
		d.yamlError(err, data)
		return reg
	}
	d.lines = bytes.Split(data, []byte("\n"))
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.report(Pos{File: d.file, Line: extra.Line, Col: extra.Column}, "yaml", "the registry holds more than one YAML document; put the whole plan in one")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err, data)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			d.report(Pos{File: d.file, Line: 1, Col: 1}, "yaml", "the registry is empty; it needs at least \"version: 1\"")
			return reg
		}
		root = root.Content[0]
	}
	written, expanded, cyc := expansion(root)
	if cyc != nil {
		d.errorf(cyc, "yaml", "alias *%s refers to a node that contains it", cyc.Value)
		return reg
	}
	if expanded-written > maxAliasExpansion {
		d.report(Pos{File: d.file, Line: 1, Col: 1}, "yaml", "aliases expand the registry by more than %d nodes (an alias bomb?); refusing to decode it", maxAliasExpansion)
		return reg
	}
	// Decoding visits each node a few times; the budget only guards
	// against a loop the measure above did not foresee.
	d.budget = 8*expanded + maxAliasExpansion
	d.groupNodes = map[string]*Group{}
	d.planeNodes = map[string]*Plane{}
	d.varNodes = map[string]*Var{}
	d.rangeNodes = map[string]*Range{}
	d.compNodes = map[string]*Component{}
	d.aliasOwners = map[string]*Component{}
	d.explicitNames = map[string]Pos{}
	d.top(reg, root)
	return reg
}

// expansion measures a document: the nodes it writes, and the nodes it
// holds once every alias is replaced by what it names (saturating at a
// large bound). cyc is an alias inside the node it names, if there is one.
func expansion(root *yaml.Node) (written, expanded int, cyc *yaml.Node) {
	aliases := 0
	var count func(n *yaml.Node) int
	count = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode {
			aliases++
			return 1
		}
		c := 1
		for _, e := range n.Content {
			c += count(e)
		}
		return c
	}
	written = count(root)
	if aliases == 0 {
		return written, written, nil
	}
	// Only anchored nodes can be reached twice, or from inside themselves.
	const limit = 1 << 40
	size := map[*yaml.Node]int{}
	open := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node) int
	walk = func(n *yaml.Node) int {
		if n == nil {
			return 0
		}
		if n.Kind == yaml.AliasNode {
			if open[n.Alias] {
				if cyc == nil {
					cyc = n
				}
				return 1
			}
			return min(limit, 1+walk(n.Alias))
		}
		anchored := n.Anchor != ""
		if anchored {
			if s, ok := size[n]; ok {
				return s
			}
			open[n] = true
		}
		s := 1
		for _, c := range n.Content {
			s = min(limit, s+walk(c))
		}
		if anchored {
			open[n] = false
			size[n] = s
		}
		return s
	}
	return written, walk(root), cyc
}

func (d *decoder) yamlError(err error, data []byte) {
	line, col, msg := YAMLErrorPos(err, data)
	d.report(Pos{File: d.file, Line: line, Col: col}, "yaml", "not valid YAML: %s", msg)
}

// YAMLErrorPos places an error yaml.v3 returned for data: the 1-based line
// and column (in characters, as yaml.v3 counts them) it is about, and its
// message without the "yaml: line N:" prefix. yaml.v3 numbers the lines of
// parser errors from 0, names no line for anchors or for bytes it cannot
// read; this finds them.
func YAMLErrorPos(err error, data []byte) (line, col int, msg string) {
	msg = err.Error()
	line, col = 1, 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if yamlParserProblems[msg] {
			// yaml.v3 numbers the lines of parser (not scanner) errors
			// from 0; the line it names is where the construct began.
			line++
		}
	} else if m, sigil := yamlAliasRE.FindStringSubmatch(msg), "*"; m != nil || yamlAnchorRE.MatchString(msg) {
		if m == nil {
			m, sigil = yamlAnchorRE.FindStringSubmatch(msg), "&"
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if i := bytes.Index(data, []byte(sigil+m[1])); i >= 0 {
			line = bytes.Count(data[:i], []byte("\n")) + 1
			col = utf8.RuneCount(data[bytes.LastIndexByte(data[:i], '\n')+1:i]) + 1
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		// The scanner names no line for bytes it cannot read; find them.
		if l, c, what, ok := badByte(data); ok {
			line, col = l, c
			msg += " (" + what + ")"
		}
	}
	return line, col, msg
}

// badByte finds the first byte of data that is not valid UTF-8 or is a
// character YAML does not allow in a document, and returns its 1-based line
// and column (in characters, as yaml.v3 counts them). Files in UTF-16 (with
// a byte-order mark) are left to the YAML parser.
func badByte(data []byte) (line, col int, what string, ok bool) {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return 0, 0, "", false
	}
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, fmt.Sprintf("at byte 0x%02X", data[i]), true
		case r == '\n':
			line, col = line+1, 1
		case !yamlPrintable(r) && !(r == 0xFEFF && i == 0):
			return line, col, fmt.Sprintf("character %U", r), true
		default:
			col++
		}
		i += size
	}
	return 0, 0, "", false
}

// yamlPrintable reports whether YAML 1.2 allows r in a stream.
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// A field is one key a mapping may hold.
type field struct {
	name     string
	required bool
	fn       func(v *yaml.Node)
}

// fields decodes a mapping strictly: every key must be known, none repeated,
// required keys present. YAML merge keys ("<<: *base") are honoured.
func (d *decoder) fields(n *yaml.Node, what string, fs []field) {
	n = d.deref(n)
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "wrong-type", "%s: want a mapping of keys, found %s", what, kind(n))
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(n.Content)/2)
	var merged []pair
	var collect func(m *yaml.Node, into *[]pair, depth int)
	collect = func(m *yaml.Node, into *[]pair, depth int) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" && depth < 8 {
				srcs := []*yaml.Node{d.deref(v)}
				if srcs[0] != nil && srcs[0].Kind == yaml.SequenceNode {
					srcs = nil
					for _, s := range v.Content {
						srcs = append(srcs, d.deref(s))
					}
				}
				for _, s := range srcs {
					if s == nil {
						return
					}
					if s.Kind != yaml.MappingNode {
						d.errorf(s, "wrong-type", "%s: a merge key (<<) must refer to a mapping", what)
						continue
					}
					collect(s, &merged, depth+1)
				}
				continue
			}
			*into = append(*into, pair{k, v})
		}
	}
	collect(n, &pairs, 0)
	if len(merged) > 0 {
		// Keys written in the mapping win over merged ones; among merged
		// mappings, the first to give a key wins.
		taken := map[string]bool{}
		for _, p := range pairs {
			taken[p.k.Value] = true
		}
		for _, p := range merged {
			if !taken[p.k.Value] {
				taken[p.k.Value] = true
				pairs = append(pairs, p)
			}
		}
	}
	seen := make([]bool, len(fs))
	for _, p := range pairs {
		if d.over {
			return
		}
		if p.k.Kind != yaml.ScalarNode {
			d.errorf(p.k, "wrong-type", "%s: keys must be plain words", what)
			continue
		}
		key := p.k.Value
		i := slices.IndexFunc(fs, func(f field) bool { return f.name == key })
		if i < 0 {
			names := make([]string, len(fs))
			for j := range fs {
				names[j] = fs[j].name
			}
			hint := didYouMean(key, names)
			if hint == "" {
				hint = "; known keys: " + strings.Join(names, ", ")
			}
			d.errorf(p.k, "unknown-key", "unknown key %q in %s%s", key, what, hint)
			continue
		}
		if seen[i] {
			d.errorf(p.k, "duplicate-name", "key %q appears twice in %s", key, what)
			continue
		}
		seen[i] = true
		fs[i].fn(p.v)
	}
	for i, f := range fs {
		if f.required && !seen[i] {
			d.errorf(n, "missing-key", "%s has no %q", what, f.name)
		}
	}
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing (null)"
		case "!!int":
			return fmt.Sprintf("the number %s", n.Value)
		case "!!bool":
			return fmt.Sprintf("the boolean %s", n.Value)
		case "!!float":
			return fmt.Sprintf("the number %s", n.Value)
		}
		return fmt.Sprintf("the text %q", n.Value)
	}
	return "something else"
}

// str decodes a text value. Numbers are accepted as text (a name may be
// "80"); mappings, lists and null are not.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = d.deref(n)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "wrong-type", "%s: want text, found %s", what, kind(n))
		return "", false
	}
	if i := strings.IndexFunc(n.Value, isControl); i >= 0 {
		d.report(d.inValue(n, 0), "bad-value", "%s: the text holds the control character %U; only line breaks and tabs are allowed", what, []rune(n.Value[i:])[0])
		return "", false
	}
	return n.Value, true
}

// isControl reports the characters a registry's text must not hold: every
// control character but line feed and tab, and the Unicode line and
// paragraph separators, which some readers take as line breaks.
func isControl(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF'
}

// maxNameLen bounds a name, which ends up in chain names, file names and
// one-line messages.
const maxNameLen = 64

// validName reports whether s may name a group, plane, range or component:
// it starts with a letter or digit and goes on with letters, digits and
// "_", "-", ".", at most maxNameLen bytes. Names appear in firewall rules,
// comments and one-line findings, so nothing in them can start a new line,
// quote, or separate words.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case i > 0 && (r == '_' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// name decodes a name (see validName).
func (d *decoder) name(n *yaml.Node, what string) (string, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !validName(s) {
		d.errorf(n, "bad-name", "%s: %q is not a name: use letters, digits, \"_\", \"-\" and \".\", starting with a letter or digit, at most %d bytes", what, s, maxNameLen)
		return "", false
	}
	return s, true
}

// bigIntRE matches a whole number that YAML resolved as a float because it
// does not fit in 64 bits.
var bigIntRE = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)

// isInt reports whether n is a whole number, however large.
func isInt(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float" && bigIntRE.MatchString(n.Value))
}

// integer decodes a whole number.
func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	n = d.deref(n)
	if n == nil {
		return 0, false
	}
	if isInt(n) && n.Tag != "!!int" {
		d.errorf(n, "bad-value", "%s: %s is too large a number", what, n.Value)
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.errorf(n, "wrong-type", "%s: want a whole number, found %s", what, kind(n))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil {
		d.errorf(n, "bad-value", "%s: %q is not a number portlint can read", what, n.Value)
		return 0, false
	}
	return int(v), true
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = d.deref(n)
	if n == nil {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, "wrong-type", "%s: want true or false, found %s", what, kind(n))
		return false, false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
}

// port decodes a single port number in 1–65535.
func (d *decoder) port(n *yaml.Node, what string) (int, Pos, bool) {
	n = d.deref(n)
	if n == nil {
		return 0, Pos{}, false
	}
	p, ok := d.integer(n, what)
	if !ok {
		return 0, d.pos(n), false
	}
	if p < MinPort || p > MaxPort {
		d.errorf(n, "bad-value", "%s: port %d is outside 1–65535", what, p)
		return 0, d.pos(n), false
	}
	return p, d.pos(n), true
}

// interval decodes a port or an interval string.
func (d *decoder) interval(n *yaml.Node, what string) (Interval, Pos, bool) {
	n = d.deref(n)
	if n == nil {
		return Interval{}, Pos{}, false
	}
	if isInt(n) {
		p, pos, ok := d.port(n, what)
		return Single(p), pos, ok
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n, "wrong-type", "%s: want a port or an interval such as \"[20000, 20100)\", found %s", what, kind(n))
		return Interval{}, d.pos(n), false
	}
	iv, err := ParseInterval(n.Value)
	if err != nil {
		p := d.pos(n)
		var se *SyntaxError
		if errors.As(err, &se) {
			p = d.inValue(n, se.Offset)
		}
		d.report(p, "bad-value", "%s: %v", what, err)
		return Interval{}, d.pos(n), false
	}
	return iv, d.pos(n), true
}

// inValue returns the position of byte off of scalar n's value. That is
// exact when the file writes the value on one line as it reads (plain, or
// quoted without escapes); otherwise it is the scalar's own position.
func (d *decoder) inValue(n *yaml.Node, off int) Pos {
	p := d.pos(n)
	if off < 0 || off > len(n.Value) || n.Line < 1 || n.Line > len(d.lines) || n.Column < 1 {
		return p
	}
	line := d.lines[n.Line-1]
	start := 0 // byte index of column n.Column
	for c := 1; c < n.Column; c++ {
		if start >= len(line) {
			return p
		}
		_, size := utf8.DecodeRune(line[start:])
		start += size
	}
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	if quoted {
		start++
	}
	if start > len(line) || !bytes.HasPrefix(line[start:], []byte(n.Value)) {
		return p
	}
	p.Col += utf8.RuneCountInString(n.Value[:off])
	if quoted {
		p.Col++
	}
	return p
}

// list calls fn for each element; a single scalar counts as a one-element list.
func (d *decoder) list(n *yaml.Node, what string, fn func(i int, e *yaml.Node)) {
	n = d.deref(n)
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, e := range n.Content {
			if d.over {
				return
			}
			fn(i, e)
		}
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return
		}
		fn(0, n)
	default:
		d.errorf(n, "wrong-type", "%s: want a list, found %s", what, kind(n))
	}
}

func (d *decoder) refs(n *yaml.Node, what string) []ref {
	var out []ref
	d.list(n, what, func(_ int, e *yaml.Node) {
		if s, ok := d.str(e, what); ok {
			out = append(out, ref{s, d.pos(e)})
		}
	})
	return out
}

func (d *decoder) oneRef(n *yaml.Node, what string) ref {
	s, _ := d.str(n, what)
	return ref{s, d.pos(n)}
}

// eachPair walks a mapping whose keys are names.
func (d *decoder) eachPair(n *yaml.Node, what string, fn func(k, v *yaml.Node)) {
	n = d.deref(n)
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "wrong-type", "%s: want a mapping of names, found %s", what, kind(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.deref(n.Content[i])
		if k == nil {
			return
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "wrong-type", "%s: names must be plain words", what)
			continue
		}
		if seen[k.Value] {
			d.errorf(k, "duplicate-name", "%s: %q is defined twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, n.Content[i+1])
	}
}

func (d *decoder) top(reg *Registry, root *yaml.Node) {
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		d.errorf(root, "yaml", "the registry is empty; it needs at least \"version: 1\"")
		return
	}
	d.fields(root, "the registry", []field{
		{"version", true, func(v *yaml.Node) {
			if n, ok := d.integer(v, "version"); ok {
				if n != 1 {
					d.errorf(v, "bad-value", "version %d is not supported; this portlint reads version 1", n)
				}
				reg.Version = n
			}
		}},
		{"title", false, func(v *yaml.Node) { reg.Title, _ = d.str(v, "title") }},
		{"vars", false, func(v *yaml.Node) {
			d.eachPair(v, "vars", func(k, v *yaml.Node) {
				x := &Var{Name: strings.TrimPrefix(k.Value, "$"), Pos: d.pos(k)}
				if !isIdent(x.Name) {
					d.errorf(k, "bad-value", "vars: %q is not a variable name (letters, digits, _)", k.Value)
				}
				x.Doc, _ = d.str(v, "vars."+k.Value)
				d.varNodes[x.Name] = x
				reg.Vars = append(reg.Vars, x)
			})
		}},
		{"groups", true, func(v *yaml.Node) {
			d.eachPair(v, "groups", func(k, v *yaml.Node) {
				if _, ok := d.name(k, "groups"); !ok {
					return
				}
				g := &Group{Name: k.Value, Pos: d.pos(k)}
				what := "group " + k.Value
				d.fields(v, what, []field{
					{"pool", false, func(v *yaml.Node) {
						g.Pool, g.PoolPos, _ = d.interval(v, what+" pool")
						g.PoolWritten = written(v)
					}},
					{"allow", false, func(v *yaml.Node) {
						d.list(v, what+" allow", func(_ int, e *yaml.Node) {
							if iv, _, ok := d.interval(e, what+" allow"); ok {
								g.Allow = append(g.Allow, iv)
							}
						})
					}},
					{"doc", false, func(v *yaml.Node) { g.Doc, _ = d.str(v, what+" doc") }},
				})
				d.groupNodes[g.Name] = g
				reg.Groups = append(reg.Groups, g)
			})
		}},
		{"planes", false, func(v *yaml.Node) {
			d.eachPair(v, "planes", func(k, v *yaml.Node) {
				if _, ok := d.name(k, "planes"); !ok {
					return
				}
				p := &Plane{Name: k.Value, Pos: d.pos(k)}
				what := "plane " + k.Value
				d.fields(v, what, []field{
					{"group", true, func(v *yaml.Node) {
						d.planeGroups = append(d.planeGroups, pendingRef[*Plane]{p, d.oneRef(v, what+" group")})
					}},
					{"doc", false, func(v *yaml.Node) { p.Doc, _ = d.str(v, what+" doc") }},
				})
				d.planeNodes[p.Name] = p
				reg.Planes = append(reg.Planes, p)
			})
		}},
		{"ranges", false, func(v *yaml.Node) {
			d.list(v, "ranges", func(i int, e *yaml.Node) { d.rangeEntry(reg, i, e) })
		}},
		{"components", false, func(v *yaml.Node) {
			d.list(v, "components", func(i int, e *yaml.Node) { d.component(reg, i, e) })
		}},
		{"retired", false, func(v *yaml.Node) {
			d.list(v, "retired", func(i int, e *yaml.Node) { d.retired(reg, i, e) })
		}},
		{"reserved", false, func(v *yaml.Node) {
			d.list(v, "reserved", func(i int, e *yaml.Node) { d.reserved(reg, i, e) })
		}},
	})
}

func (d *decoder) rangeEntry(reg *Registry, i int, e *yaml.Node) {
	r := &Range{Pos: d.pos(e)}
	raw := &rawRange{r: r}
	what := fmt.Sprintf("ranges[%d]", i)
	if name := nameOf(e); name != "" {
		what = "range " + name
	}
	d.fields(e, what, []field{
		{"name", true, func(v *yaml.Node) {
			r.Name, _ = d.name(v, what+" name")
			what = "range " + r.Name
			r.Pos = d.pos(v)
		}},
		{"group", false, func(v *yaml.Node) { raw.group = d.oneRef(v, what+" group") }},
		{"span", true, func(v *yaml.Node) {
			r.Span, r.SpanPos, _ = d.interval(v, what+" span")
			r.Written = written(v)
		}},
		{"planes", false, func(v *yaml.Node) { raw.planes = d.refs(v, what+" planes") }},
		{"within", false, func(v *yaml.Node) { raw.within = d.oneRef(v, what+" within") }},
		{"unallocated", false, func(v *yaml.Node) { r.Unallocated, _ = d.boolean(v, what+" unallocated") }},
		{"writtenAs", false, func(v *yaml.Node) {
			d.list(v, what+" writtenAs", func(_ int, e *yaml.Node) {
				if s, ok := d.str(e, what+" writtenAs"); ok {
					r.WrittenAs = append(r.WrittenAs, s)
					if _, err := ParseInterval(s); err != nil {
						d.errorf(e, "bad-value", "%s writtenAs: %v", what, err)
					}
				}
			})
		}},
		{"doc", false, func(v *yaml.Node) { r.Doc, _ = d.str(v, what+" doc") }},
	})
	if r.Name == "" {
		return
	}
	if prev, ok := d.rangeNodes[r.Name]; ok {
		d.report(r.Pos, "duplicate-name", "range %q is already defined at %s", r.Name, prev.Pos)
		return
	}
	if raw.group.name == "" && raw.within.name == "" {
		d.report(r.Pos, "missing-key", "range %s has no \"group\" (or \"within\" to take its parent's group)", r.Name)
	}
	d.rangeNodes[r.Name] = r
	reg.Ranges = append(reg.Ranges, r)
	d.rangeRefs = append(d.rangeRefs, raw)
}

func (d *decoder) component(reg *Registry, i int, e *yaml.Node) {
	c := &Component{Pos: d.pos(e)}
	raw := &rawComp{c: c}
	var hasGroup, hasGroups bool
	what := fmt.Sprintf("components[%d]", i)
	if name := nameOf(e); name != "" {
		what = "component " + name
	}
	d.fields(e, what, []field{
		{"name", true, func(v *yaml.Node) {
			c.Name, _ = d.name(v, what+" name")
			c.Pos = d.pos(v)
			what = "component " + c.Name
		}},
		{"group", false, func(v *yaml.Node) { hasGroup = true; raw.group = d.oneRef(v, what+" group") }},
		{"groups", false, func(v *yaml.Node) {
			hasGroups = true
			raw.groups = d.refs(v, what+" groups")
			if len(raw.groups) == 0 {
				d.errorf(v, "missing-key", "%s groups names no group", what)
			}
		}},
		{"planes", false, func(v *yaml.Node) { raw.planes = d.refs(v, what+" planes") }},
		{"ranges", false, func(v *yaml.Node) { raw.ranges = d.refs(v, what+" ranges") }},
		{"ports", false, func(v *yaml.Node) {
			d.list(v, what+" ports", func(j int, e *yaml.Node) { d.portEntry(c, fmt.Sprintf("%s ports[%d]", what, j), e) })
		}},
		{"packages", false, func(v *yaml.Node) {
			var negs []*yaml.Node
			d.list(v, what+" packages", func(_ int, e *yaml.Node) {
				s, ok := d.str(e, what+" packages")
				if !ok {
					return
				}
				if rest, neg := negated(s); neg {
					if rest == "" {
						d.errorf(e, "bad-value", "%s packages: \"!\" needs a pattern after it", what)
						return
					}
					negs = append(negs, e)
				}
				c.Packages = append(c.Packages, s)
			})
			d.onlyNegated(negs, len(c.Packages), what+" packages")
		}},
		{"manifests", false, func(v *yaml.Node) {
			var negs []*yaml.Node
			d.list(v, what+" manifests", func(_ int, e *yaml.Node) {
				s, ok := d.str(e, what+" manifests")
				if !ok {
					return
				}
				rest, neg := negated(s)
				if !doublestar.ValidatePattern(rest) || (neg && rest == "") {
					d.errorf(e, "bad-value", "%s manifests: %q is not a valid glob", what, s)
					return
				}
				if neg {
					negs = append(negs, e)
				}
				c.Manifests = append(c.Manifests, s)
			})
			d.onlyNegated(negs, len(c.Manifests), what+" manifests")
		}},
		{"types", false, func(v *yaml.Node) {
			d.list(v, what+" types", func(_ int, e *yaml.Node) {
				s, ok := d.str(e, what+" types")
				if !ok {
					return
				}
				if err := ValidateTypePattern(s); err != nil {
					d.errorf(e, "bad-value", "%s types: %q: %v", what, s, err)
					return
				}
				c.Types = append(c.Types, s)
			})
		}},
		{"keys", false, func(v *yaml.Node) {
			d.list(v, what+" keys", func(_ int, e *yaml.Node) {
				s, ok := d.str(e, what+" keys")
				if !ok {
					return
				}
				if err := ValidateKeyPattern(s); err != nil {
					d.errorf(e, "bad-value", "%s keys: %q: %v", what, s, err)
					return
				}
				c.Keys = append(c.Keys, s)
			})
		}},
		{"labels", false, func(v *yaml.Node) {
			c.Labels = map[string]string{}
			d.eachPair(v, what+" labels", func(k, v *yaml.Node) { c.Labels[k.Value], _ = d.str(v, what+" labels."+k.Value) })
		}},
		{"aliases", false, func(v *yaml.Node) {
			d.list(v, what+" aliases", func(_ int, e *yaml.Node) {
				s, ok := d.name(e, what+" aliases")
				if !ok {
					return
				}
				key := normName(s)
				if prev := d.aliasOwners[key]; prev != nil && prev != c {
					d.errorf(e, "duplicate-name", "alias %q of %s is already a name or alias of %s", s, what, prev.Name)
					return
				}
				d.aliasOwners[key] = c
				d.explicitNames[key] = d.pos(e)
				c.Aliases = append(c.Aliases, s)
			})
		}},
		{"external", false, func(v *yaml.Node) { c.External, _ = d.boolean(v, what+" external") }},
		{"doc", false, func(v *yaml.Node) { c.Doc, _ = d.str(v, what+" doc") }},
		{"since", false, func(v *yaml.Node) { c.Since, _ = d.str(v, what+" since") }},
	})
	switch {
	case hasGroup && hasGroups:
		d.errorf(e, "bad-value", "%s has both \"group\" and \"groups\"; give one", what)
	case !hasGroup && !hasGroups && isMapping(e):
		d.errorf(e, "missing-key", "%s has no \"group\" (or \"groups\" for a component deployed in several)", what)
	}
	if c.Name == "" {
		return
	}
	if prev, ok := d.compNodes[c.Name]; ok {
		d.report(c.Pos, "duplicate-name", "component %q is already defined at %s", c.Name, prev.Pos)
		return
	}
	if prev := d.aliasOwners[normName(c.Name)]; prev != nil && prev != c {
		d.report(c.Pos, "duplicate-name", "component name %q is already an alias of %s", c.Name, prev.Name)
	}
	d.aliasOwners[normName(c.Name)] = c
	d.compNodes[c.Name] = c
	reg.Components = append(reg.Components, c)
	d.compRefs = append(d.compRefs, raw)
}

// onlyNegated reports a list of patterns that are all negated: they take
// back from nothing, so the list matches nothing.
func (d *decoder) onlyNegated(negs []*yaml.Node, n int, what string) {
	if len(negs) > 0 && len(negs) == n {
		d.errorf(negs[0], "bad-value", "%s: every pattern is negated, so none matches anything; a negated pattern takes back from the others", what)
	}
}

func (d *decoder) portEntry(c *Component, what string, e *yaml.Node) {
	p := &Port{Component: c, Proto: TCP, Bind: Any, Pos: d.pos(e)}
	var hasPort, hasSpan bool
	d.fields(e, what, []field{
		{"port", false, func(v *yaml.Node) {
			hasPort = true
			if n, pos, ok := d.port(v, what+" port"); ok {
				p.Span, p.Pos = Single(n), pos
			}
		}},
		{"span", false, func(v *yaml.Node) {
			hasSpan = true
			p.Span, p.Pos, _ = d.interval(v, what+" span")
		}},
		{"proto", false, func(v *yaml.Node) {
			if s, ok := d.str(v, what+" proto"); ok {
				pr, ok := ParseProto(s)
				if !ok {
					d.errorf(v, "bad-value", "%s proto: %q is not tcp, udp or sctp", what, s)
				}
				p.Proto = pr
			}
		}},
		{"bind", false, func(v *yaml.Node) {
			if s, ok := d.str(v, what+" bind"); ok {
				p.BindPos = d.pos(v)
				b, err := ParseBind(s)
				if err != nil {
					d.errorf(v, "bad-value", "%s: %v", what, err)
				}
				p.Bind = b
				if b.Kind == BindVar {
					d.varRefs = append(d.varRefs, pendingRef[*Port]{p, ref{b.Value, d.pos(v)}})
				}
			}
		}},
		{"name", false, func(v *yaml.Node) { p.Name, _ = d.str(v, what+" name") }},
		{"purpose", false, func(v *yaml.Node) { p.Purpose, _ = d.str(v, what+" purpose") }},
		{"doc", false, func(v *yaml.Node) { p.Doc, _ = d.str(v, what+" doc") }},
		{"was", false, func(v *yaml.Node) {
			d.list(v, what+" was", func(_ int, e *yaml.Node) {
				if old, ok := d.oldPort(e, what+" was"); ok {
					p.Was = append(p.Was, old)
				}
			})
		}},
		{"exception", false, func(v *yaml.Node) { p.Exception, _ = d.str(v, what+" exception") }},
		{"pending", false, func(v *yaml.Node) { p.Pending, _ = d.str(v, what+" pending") }},
		{"targetPort", false, func(v *yaml.Node) {
			if n, pos, ok := d.port(v, what+" targetPort"); ok {
				p.TargetPort, p.TargetPortPos = n, pos
				d.targetRefs = append(d.targetRefs, p)
			}
		}},
		{"reuses", false, func(v *yaml.Node) {
			r := d.oneRef(v, what+" reuses")
			p.Reuses = r.name
			d.reusesRefs = append(d.reusesRefs, pendingRef[*Port]{p, r})
		}},
		{"since", false, func(v *yaml.Node) { p.Since, _ = d.str(v, what+" since") }},
	})
	switch {
	case hasPort && hasSpan:
		d.errorf(e, "bad-value", "%s has both \"port\" and \"span\"; give one", what)
	case !hasPort && !hasSpan:
		d.errorf(e, "missing-key", "%s has no \"port\" (or \"span\" for a run of ports)", what)
	case hasSpan && p.TargetPort != 0:
		d.errorf(e, "bad-value", "%s has a \"span\" and a \"targetPort\"; a Service port is one port", what)
	}
	for _, old := range p.Was {
		if old.Bind.Kind == BindVar {
			d.varRefs = append(d.varRefs, pendingRef[*Port]{p, ref{old.Bind.Value, old.Pos}})
		}
	}
	c.Ports = append(c.Ports, p)
}

// oldPort decodes a "was" entry: 8099, or "127.0.0.1:7000", or "$VIP:7000".
func (d *decoder) oldPort(e *yaml.Node, what string) (OldPort, bool) {
	e = d.deref(e)
	if e == nil {
		return OldPort{}, false
	}
	if isInt(e) {
		n, pos, ok := d.port(e, what)
		return OldPort{Port: n, Bind: Any, Pos: pos}, ok
	}
	s, ok := d.str(e, what)
	if !ok {
		return OldPort{}, false
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		d.errorf(e, "bad-value", "%s: %q is not a port or BIND:PORT", what, s)
		return OldPort{}, false
	}
	b, err := ParseBind(s[:i])
	if err != nil {
		d.errorf(e, "bad-value", "%s: %v", what, err)
		return OldPort{}, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < MinPort || n > MaxPort {
		d.errorf(e, "bad-value", "%s: %q does not end in a port in 1–65535", what, s)
		return OldPort{}, false
	}
	return OldPort{Port: n, Bind: b, Pos: d.pos(e)}, true
}

func (d *decoder) retired(reg *Registry, i int, e *yaml.Node) {
	r := &Retirement{Proto: TCP, Bind: Any, Pos: d.pos(e)}
	raw := &rawRetired{r: r}
	what := fmt.Sprintf("retired[%d]", i)
	d.fields(e, what, []field{
		{"port", true, func(v *yaml.Node) { r.Port, r.Pos, _ = d.port(v, what+" port") }},
		{"group", true, func(v *yaml.Node) { raw.group = d.oneRef(v, what+" group") }},
		{"owner", true, func(v *yaml.Node) { r.Owner, _ = d.str(v, what+" owner") }},
		{"proto", false, func(v *yaml.Node) {
			if s, ok := d.str(v, what+" proto"); ok {
				pr, ok := ParseProto(s)
				if !ok {
					d.errorf(v, "bad-value", "%s proto: %q is not tcp, udp or sctp", what, s)
				}
				r.Proto = pr
			}
		}},
		{"bind", false, func(v *yaml.Node) {
			if s, ok := d.str(v, what+" bind"); ok {
				b, err := ParseBind(s)
				if err != nil {
					d.errorf(v, "bad-value", "%s: %v", what, err)
				}
				r.Bind = b
			}
		}},
		{"replacedBy", false, func(v *yaml.Node) {
			if n := d.deref(v); n != nil && n.Kind == yaml.MappingNode {
				// {port: 15012, group: control}: a port of another group
				d.fields(n, what+" replacedBy", []field{
					{"port", true, func(v *yaml.Node) { raw.replacedBy, raw.replPos, _ = d.port(v, what+" replacedBy port") }},
					{"group", true, func(v *yaml.Node) { raw.replGroup = d.oneRef(v, what+" replacedBy group") }},
				})
				return
			}
			raw.replacedBy, raw.replPos, _ = d.port(v, what+" replacedBy")
		}},
		{"since", false, func(v *yaml.Node) { r.Since, _ = d.str(v, what+" since") }},
		{"doc", false, func(v *yaml.Node) { r.Doc, _ = d.str(v, what+" doc") }},
	})
	reg.Retired = append(reg.Retired, r)
	d.retiredRefs = append(d.retiredRefs, raw)
}

func (d *decoder) reserved(reg *Registry, i int, e *yaml.Node) {
	r := &Reservation{Pos: d.pos(e)}
	raw := &rawReserved{r: r}
	what := fmt.Sprintf("reserved[%d]", i)
	var hasPort, hasSpan, hasOwner, hasGroups, hasFor bool
	d.fields(e, what, []field{
		{"port", false, func(v *yaml.Node) {
			hasPort = true
			n, pos, _ := d.port(v, what+" port")
			r.Span, r.Pos = Single(n), pos
		}},
		{"span", false, func(v *yaml.Node) { hasSpan = true; r.Span, r.Pos, _ = d.interval(v, what+" span") }},
		{"proto", false, func(v *yaml.Node) {
			if s, ok := d.str(v, what+" proto"); ok {
				pr, ok := ParseProto(s)
				if !ok {
					d.errorf(v, "bad-value", "%s proto: %q is not tcp, udp or sctp", what, s)
				}
				r.Proto = pr
			}
		}},
		{"owner", false, func(v *yaml.Node) { hasOwner = true; r.Owner, _ = d.str(v, what+" owner") }},
		{"groups", false, func(v *yaml.Node) { hasGroups = true; raw.groups = d.refs(v, what+" groups") }},
		{"for", false, func(v *yaml.Node) {
			hasFor = true
			raw.forRef = d.oneRef(v, what+" for")
			r.ForPos = d.pos(v)
		}},
		{"doc", false, func(v *yaml.Node) { r.Doc, _ = d.str(v, what+" doc") }},
	})
	switch {
	case hasPort && hasSpan:
		d.errorf(e, "bad-value", "%s has both \"port\" and \"span\"; give one", what)
	case !hasPort && !hasSpan:
		d.errorf(e, "missing-key", "%s has no \"port\" (or \"span\")", what)
	}
	switch {
	case !hasOwner && !hasFor && isMapping(e):
		d.errorf(e, "missing-key", "%s has no \"owner\" (or \"for\", naming the component the block is set aside for)", what)
	case hasFor && hasGroups:
		d.errorf(e, "bad-value", "%s has both \"for\" and \"groups\"; a block set aside for a component applies in its groups", what)
	}
	reg.Reserved = append(reg.Reserved, r)
	d.reservedRefs = append(d.reservedRefs, raw)
}

// isMapping reports whether n is a mapping, through aliases.
func isMapping(n *yaml.Node) bool {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n != nil && n.Kind == yaml.MappingNode
}

// nameOf returns the "name" of a mapping entry, if it writes one plainly,
// so that messages about the entry's keys can use it from the first key on.
func nameOf(n *yaml.Node) string {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "name" && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			return v.Value
		}
	}
	return ""
}

// normName folds case and separators so that admin_dam, admin-dam and
// Admin_DAM name the same component in labels and binaries.
func normName(s string) string {
	return strings.ToLower(nameSeparators.Replace(strings.TrimSpace(s)))
}

var nameSeparators = strings.NewReplacer("_", "-", ".", "-")

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// written returns a scalar's text when it is a bracketed interval, which
// display code prefers over the normalised form.
func written(n *yaml.Node) string {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return ""
	}
	return strings.TrimSpace(n.Value)
}
