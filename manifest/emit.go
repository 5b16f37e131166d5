package manifest

import (
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// An owner is the component a use belongs to and how it was found.
type owner struct{ comp, via string }

// The ways a component is found, as Use.Via reports them.
const (
	viaGlob    = "glob"
	viaLabel   = "label"
	viaCompose = "compose-service"
	viaKuma    = "kuma"
	viaName    = "name"
	viaKey     = "key"
	viaPackage = "package" // the Go package that embeds the file
)

// byName returns the first name that is a component's name or alias.
func (s *scanner) byName(via string, names ...string) owner {
	if s.discover {
		for _, n := range names {
			if discoverable(n) {
				return owner{n, via}
			}
		}
		return owner{}
	}
	if s.reg == nil {
		return owner{}
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if c := s.reg.Component(n); c != nil {
			return owner{c.Name, via}
		}
	}
	return owner{}
}

// labelKeys are the Kubernetes labels that name an application.
var labelKeys = []string{"app.kubernetes.io/name", "app.kubernetes.io/component", "app"}

// byLabels tries the registry's label selectors on each set, then the
// values of the well-known name labels as component names.
func (s *scanner) byLabels(sets ...map[string]string) owner {
	if s.reg == nil && !s.discover {
		return owner{}
	}
	for _, l := range sets {
		if s.discover {
			break
		}
		if c := s.reg.MatchLabels(l); c != nil {
			return owner{c.Name, viaLabel}
		}
	}
	for _, l := range sets {
		for _, k := range labelKeys {
			if o := s.byName(viaLabel, l[k]); o.comp != "" {
				return o
			}
		}
	}
	return owner{}
}

// byGlob is the component the registry's manifest globs give the file.
func (s *scanner) byGlob() owner {
	if s.glob == nil {
		return owner{}
	}
	return owner{s.glob.Name, viaGlob}
}

// byPackage is the component whose packages patterns match the Go
// package that embeds the file.
func (s *scanner) byPackage() owner {
	if s.pkg == "" || s.reg == nil || s.discover {
		return owner{}
	}
	if c := s.reg.MatchPackage(s.pkg); c != nil {
		return owner{c.Name, viaPackage}
	}
	return owner{}
}

// byPath tries the file's directory and its name without extension.
func (s *scanner) byPath() owner {
	p := s.rel
	if p == "" {
		p = strings.ReplaceAll(s.file.Path, "\\", "/")
	}
	dir, base := path.Split(path.Clean(p))
	stem := strings.TrimSuffix(base, path.Ext(base))
	return s.byName(viaName, path.Base(dir), stem)
}

// first returns the first owner that names a component.
func first(os ...owner) owner {
	for _, o := range os {
		if o.comp != "" {
			return o
		}
	}
	return owner{}
}

// inWords returns the component a key names once its port words are set
// aside: "webserver", "data_dam_port", "REDIS_ADDR", "agentEndpoint". A
// key that only contains a component's name among other words
// ("envoyOtelAls") names none.
func (s *scanner) inWords(ws []string) owner {
	if s.reg == nil || s.discover {
		return owner{}
	}
	var rest []string
	for _, w := range ws {
		if !portWords[w] && !addrWords[w] && !targetWords[w] && w != "host" && w != "hostname" {
			rest = append(rest, w)
		}
	}
	if len(rest) == 0 || len(rest) > 3 {
		return owner{}
	}
	return s.byName(viaName, strings.Join(rest, "_"))
}

// discoverable reports whether a name can name a component: letters,
// digits, "_", "-", ".", starting with a letter or digit, as the registry
// requires, and not "." or a directory that says nothing ("deploy").
func discoverable(n string) bool {
	if n == "" || len(n) > 64 || genericDirs[strings.ToLower(n)] {
		return false
	}
	for i, r := range n {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
		case i > 0 && (r == '_' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// genericDirs are directory names that hold manifests of any component.
var genericDirs = map[string]bool{
	"deploy": true, "deployment": true, "deployments": true, "manifests": true, "k8s": true, "kubernetes": true,
	"config": true, "configs": true, "conf": true, "etc": true, "templates": true, "charts": true, "helm": true,
	"base": true, "overlays": true, "examples": true, "example": true, "docker": true, "compose": true, "values": true,
}

// A ref is where a port is written: a scalar and the bytes of its value
// that spell the port (or run of ports).
type ref struct {
	n    *yaml.Node
	i, j int
}

// whole refers to a scalar's entire value.
func whole(n *yaml.Node) ref { return ref{n, 0, len(n.Value)} }

// add records a use at the ref, unless the same use is already recorded
// (a value reached twice through an alias).
func (s *scanner) add(r ref, u check.Use) *check.Use {
	u.Pos, u.End = s.locate(r)
	u.Names = compactNames(append(append(u.Names, u.Component), s.extraNames...))
	k := useKey{u.Pos.Offset, u.Role, u.Component, u.Source}
	if s.seen[k] {
		return nil
	}
	s.seen[k] = true
	p := &u
	s.file.Uses = append(s.file.Uses, p)
	return p
}

// compactNames drops empty and repeated names.
func compactNames(ns []string) []string {
	out := ns[:0]
	for _, n := range ns {
		dup := n == ""
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// addNamed records a use whose port is a name resolved to a number declared
// elsewhere in the file.
func (s *scanner) addNamed(r ref, u check.Use) {
	if p := s.add(r, u); p != nil {
		if s.file.named == nil {
			s.file.named = map[*check.Use]bool{}
		}
		s.file.named[p] = true
	}
}

// locate finds the bytes of value[i:j] of a scalar in the source. yaml.v3
// places a node at its first property (anchor, tag) or at its opening
// quote or block indicator, and counts columns in characters; the value may
// differ from the source by quoting, escapes and folding. The digits of a
// port survive all of that, so the k-th occurrence of the text in the value
// is the k-th occurrence in the source from the node on.
func (s *scanner) locate(r ref) (check.Position, check.Position) {
	n := r.n
	d := s.src.data
	start := s.src.offset(n.Line+s.lineBase, n.Column)
	for start < len(d) && (d[start] == '&' || d[start] == '!') {
		for start < len(d) && !isBlank(d[start]) {
			start++
		}
		for start < len(d) && isBlank(d[start]) {
			start++
		}
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		for start < len(d) && d[start] != '\n' && d[start] != '\r' {
			start++
		}
	}
	i, j := max(0, min(r.i, len(n.Value))), max(0, min(r.j, len(n.Value)))
	if j < i {
		j = i
	}
	target := n.Value[i:j]
	k := 0
	if target != "" {
		for p := 0; p < i; p++ {
			if strings.HasPrefix(n.Value[p:], target) {
				k++
			}
		}
	}
	limit := min(len(d), start+8*len(n.Value)+64)
	at := -1
	if target != "" && start <= limit {
		hay := string(d[start:limit])
		for p, seen := 0, 0; p+len(target) <= len(hay); p++ {
			if strings.HasPrefix(hay[p:], target) {
				if seen == k {
					at = start + p
					break
				}
				seen++
			}
		}
	}
	if at < 0 {
		at = min(start, len(d))
		return s.src.pos(at), s.src.pos(min(at+len(target), len(d)))
	}
	return s.src.pos(at), s.src.pos(at + len(target))
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// noteTemplate records a port value that a template or variable sets.
func (s *scanner) noteValue(n *yaml.Node, what string) {
	pos, _ := s.locate(whole(n))
	v := n.Value
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	s.notef(pos, "%s is set by %q; not checked", what, v)
}

// isTemplated reports whether a value is a template or variable that a tool
// fills in later.
func isTemplated(v string) bool {
	return strings.Contains(v, "{{") || strings.Contains(v, "{%") || strings.Contains(v, "${") || strings.Contains(v, "$(")
}

// protoOf reads a protocol field; unknown or absent means TCP, as
// Kubernetes, compose and Envoy default.
func protoOf(v string) registry.Proto {
	if p, ok := registry.ParseProto(v); ok {
		return p
	}
	return registry.TCP
}
