package manifest

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// A vctx is what the surroundings say about a value in a port context.
type vctx struct {
	owner  owner      // the component the file or object belongs to
	source string     // Use.Source
	role   check.Role // the role of a port the key says nothing more about
	dial   owner      // set when an enclosing key names a client target
	isDial bool
	expose bool // an enclosing key publishes (a Helm values "service:")
	proto  registry.Proto
	names  []string // names around the value: container, service, enclosing keys
	// named is the component an enclosing key names ("webserver:" in
	// data_dam's config): a reference to it, unless the registry's keys
	// say the subtree belongs to a component.
	named owner
	// byKey: the registry's "keys" patterns apply, matched against keys,
	// the key path from the document's root to the value (list indices
	// left out). Set for plain config and Helm values.
	byKey bool
	keys  []string
	// hostNamed: the dial's target is the host a sibling variable names
	// (X_HOST beside X_PORT), not a component the key's words name.
	hostNamed bool
	// portItems: the value is an item of a list under a port key
	// (ports: [{name: http, port: 80}]); svcPort: the mapping is shaped
	// like a Kubernetes ServicePort.
	portItems, svcPort bool
}

// value records the uses in a scalar (or a list of scalars) under a key of
// class c: a bare port where the key allows one, else addresses.
func (s *scanner) value(n *yaml.Node, c keyClass, x vctx, what string) {
	if n = s.deref(n); n == nil {
		return
	}
	if n.Kind == yaml.SequenceNode {
		for _, it := range s.asSeq(n) {
			if it.Kind == yaml.ScalarNode {
				s.value(it, c, x, what)
			}
		}
		return
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Tag == "!!bool" || n.Tag == "!!float" {
		return
	}
	v := n.Value
	if isTemplated(v) {
		if strings.ContainsAny(v, "0123456789") || c.kind != keyTarget {
			s.noteValue(n, what)
		}
		return
	}
	if c.kind != keyTarget {
		if p, ok := parsePort(v); ok {
			s.emit(whole(n), p, nil, c, x)
			return
		}
	}
	off := 0
	for _, tok := range strings.Split(v, ",") {
		t := strings.TrimSpace(tok)
		lead := strings.Index(tok, t)
		if a, ok := parseAddr(t); ok {
			s.emit(ref{n, off + lead + a.i, off + lead + a.j}, a.port, &a, c, x)
		}
		off += len(tok) + 1
	}
}

// emit records one port found in a port context.
func (s *scanner) emit(r ref, port int, a *addr, c keyClass, x vctx) {
	u := check.Use{Port: port, Proto: x.proto, Source: x.source}
	u.Names = append(append([]string{c.name}, x.names...), x.dial.comp)
	if a != nil {
		u.Bind, u.BindKnown = a.bind(), true
		u.Names = append(u.Names, a.host)
	}
	keyComp := s.byKeyPath(c, x)
	if keyComp.comp == "" && x.named.comp != "" {
		x.isDial, x.dial = true, x.named
	}
	dialTo := owner{}
	switch {
	case c.listen:
		u.Role = check.Listen
	case c.expose || x.expose && !c.dial:
		u.Role = check.Expose
	case c.dial || x.isDial || c.kind == keyTarget || a != nil && (a.hostKind == registry.BindHost || publicIP(a.host)):
		u.Role = check.Dial
		dialTo = x.dial
		if n := len(c.words); n >= 2 && c.words[n-2] == "target" && (c.words[n-1] == "port" || c.words[n-1] == "ports") && !x.isDial {
			dialTo = x.owner // a Service's targetPort: the owner's own pods
		}
	default:
		u.Role = x.role
	}
	if u.Role == check.Dial && a != nil && !a.isURL && a.hostKind == registry.BindAny && a.host != "" {
		// an "endpoint" on all addresses (0.0.0.0:4318, an OpenTelemetry
		// receiver) is where the process listens: nobody dials 0.0.0.0
		u.Role, dialTo = x.role, owner{}
	}
	if a != nil && a.isURL && u.Role != check.Listen {
		u.Role = check.Dial
	}
	// A key that names another component ("webserver_port" in the agent's
	// config) is about that component: where to reach it.
	if o := s.inWords(c.words); o.comp != "" && o.comp != x.owner.comp && u.Role != check.Listen && keyComp.comp == "" && !x.hostNamed {
		u.Role, dialTo = check.Dial, o
	}
	if u.Role == check.Dial {
		if a != nil {
			if o := s.byTarget(a.host); o.comp != "" {
				dialTo = o
			}
		}
		u.Component, u.Via = dialTo.comp, dialTo.via
	} else {
		u.Component, u.Via = x.owner.comp, x.owner.via
		if keyComp.comp != "" {
			// The key path is the component's (sidecar.* in the control
			// plane's chart): written here, it configures that component.
			if x.owner.comp != "" && keyComp.comp != x.owner.comp {
				u.Role = check.Configure
			}
			u.Component, u.Via = keyComp.comp, keyComp.via
		}
	}
	s.add(r, u)
}

// byKeyPath returns the component whose "keys" patterns match the path of
// a value under the key c, or no owner.
func (s *scanner) byKeyPath(c keyClass, x vctx) owner {
	if !x.byKey || s.reg == nil || !s.reg.HasKeys() || c.name == "" {
		return owner{}
	}
	path := append(append(make([]string, 0, len(x.keys)+1), x.keys...), c.name)
	if comp := s.reg.MatchKey(path); comp != nil {
		return owner{comp.Name, viaKey}
	}
	return owner{}
}

// env records a port in an environment variable whose name says port,
// addr, listen or bind.
func (s *scanner) env(name string, val *yaml.Node, r *ref, x vctx) {
	c := classifyKey(name)
	if c.kind == keyNone {
		return
	}
	x.role = check.Default
	if host, ok := s.envHosts[envPrefix(name, "PORT")]; ok && c.kind == keyPort {
		// JAEGER_AGENT_PORT beside JAEGER_AGENT_HOST=jaeger: the port of
		// the host the sibling names, whatever the variable's words say
		x.isDial, x.dial, x.hostNamed = true, s.byTarget(host), true
		x.names = append(x.names, host)
	}
	if r == nil {
		s.value(val, c, x, "environment variable "+name)
		return
	}
	// "NAME=VALUE" inside one string: the value is a slice of the scalar.
	v := r.n.Value[r.i:r.j]
	if isTemplated(v) {
		s.noteValue(r.n, "environment variable "+name)
		return
	}
	if p, ok := parsePort(v); ok && c.kind != keyTarget {
		s.emit(*r, p, nil, c, x)
		return
	}
	if a, ok := parseAddr(v); ok {
		s.emit(ref{r.n, r.i + a.i, r.i + a.j}, a.port, &a, c, x)
	}
}

// envHosts returns, for the variables of one environment whose names end
// in _HOST or _HOSTNAME and whose values are plain host names or
// addresses, their prefix and the host.
func envHosts(vars map[string]string) map[string]string {
	var out map[string]string
	for k, v := range vars {
		v = strings.TrimSpace(v)
		if v == "" || isTemplated(v) || !validHost(v) {
			continue
		}
		for _, suf := range []string{"HOST", "HOSTNAME"} {
			if p := envPrefix(k, suf); p != "" {
				if out == nil {
					out = map[string]string{}
				}
				out[p] = v
			}
		}
	}
	return out
}

// envPrefix returns the variable's name without "_"+suffix, upper case,
// or "" when it does not end so: JAEGER_AGENT of JAEGER_AGENT_PORT.
func envPrefix(name, suffix string) string {
	u := strings.ToUpper(name)
	if p, ok := strings.CutSuffix(u, "_"+suffix); ok && p != "" {
		return p
	}
	return ""
}

// A token is one word of a command line, inside the scalar that holds it.
type token struct {
	n    *yaml.Node
	i, j int
	src  string // Use.Source of a flag in it; "" for the context's
}

func (t token) text() string { return t.n.Value[t.i:t.j] }

// tokens splits command-line items into words, keeping where each is.
func (s *scanner) tokens(items []*yaml.Node, src string) []token {
	var out []token
	for _, it := range items {
		if it = s.asScalar(it); it == nil {
			continue
		}
		v := it.Value
		for i := 0; i < len(v); {
			for i < len(v) && isSpace(v[i]) {
				i++
			}
			j := i
			for j < len(v) && !isSpace(v[j]) {
				j++
			}
			if j > i {
				out = append(out, token{it, i, j, src})
			}
			i = j
		}
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// flags records ports in command-line flags: "--port=20200",
// "--listen :20200", "-addr=127.0.0.1:28952", "--metrics-bind-address=:8080".
func (s *scanner) flags(items []*yaml.Node, x vctx) {
	s.flagTokens(s.tokens(items, ""), x)
}

// flagTokens records the ports in the flags of a command line's words.
func (s *scanner) flagTokens(toks []token, x vctx) {
	for k, t := range toks {
		x := x
		if t.src != "" {
			x.source = t.src
		}
		text := t.text()
		if !strings.HasPrefix(text, "-") || text == "-" || text == "--" {
			continue
		}
		name := strings.TrimLeft(text, "-")
		var val token
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			start := t.i + (len(text) - len(name)) + eq + 1
			val = token{t.n, start, t.j, t.src}
			name = name[:eq]
		} else if k+1 < len(toks) && !strings.HasPrefix(toks[k+1].text(), "-") {
			val = toks[k+1]
		} else {
			continue
		}
		c := classifyKey(name)
		if c.kind == keyNone {
			continue
		}
		// Quotes of a shell command line: --port='20200'.
		if v := val.text(); len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			val.i, val.j = val.i+1, val.j-1
		}
		v := val.text()
		if isTemplated(v) {
			continue
		}
		if p, ok := parsePort(v); ok && c.kind != keyTarget {
			s.emit(ref{val.n, val.i, val.j}, p, nil, c, x)
			continue
		}
		off := val.i
		for _, part := range strings.Split(v, ",") {
			if a, ok := parseAddr(part); ok {
				s.emit(ref{val.n, off + a.i, off + a.j}, a.port, &a, c, x)
			}
			off += len(part) + 1
		}
	}
}
