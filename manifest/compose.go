package manifest

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// isCompose reports whether a document is a compose file: a "services"
// mapping whose entries look like containers.
func (s *scanner) isCompose(root *yaml.Node) bool {
	if s.get(root, "apiVersion") != nil || s.get(root, "kind") != nil {
		return false
	}
	svcs := s.get(root, "services")
	if svcs == nil || svcs.Kind != yaml.MappingNode {
		return false
	}
	for _, p := range s.pairs(svcs) {
		for _, k := range []string{"image", "build", "ports", "expose", "network_mode", "container_name", "depends_on"} {
			if s.get(p.v, k) != nil {
				return true
			}
		}
	}
	return false
}

func (s *scanner) compose(root *yaml.Node) {
	for _, p := range s.pairs(s.get(root, "services")) {
		svc := s.asMap(p.v)
		if svc == nil {
			continue
		}
		// the image is the program that runs; the service's name is a
		// label ("jaeger" running jaegertracing/all-in-one)
		o := first(s.byGlob(), s.byName(viaName, imageName(s.str(s.get(svc, "image")))), s.byName(viaCompose, p.k.Value),
			s.byName(viaName, s.str(s.get(svc, "container_name")), s.str(s.get(svc, "hostname"))))
		// the service's name and image name what runs there: a cassandra
		// service on 9042 is Cassandra on its own port, not a collision
		s.extraNames = []string{p.k.Value, imageName(s.str(s.get(svc, "image")))}
		hostNet := s.str(s.get(svc, "network_mode")) == "host"
		from := len(s.file.Uses)
		if k := s.key(svc, "ports"); hostNet && k != nil {
			s.notef(s.posOf(k), "service %s uses network_mode: host: Docker ignores published ports; container ports are host ports", p.k.Value)
		}
		for _, it := range s.asSeq(s.get(svc, "ports")) {
			switch it.Kind {
			case yaml.MappingNode:
				s.composeLong(it, o, hostNet)
			case yaml.ScalarNode:
				s.composeShort(it, o, hostNet)
			}
		}
		for _, it := range s.asSeq(s.get(svc, "expose")) {
			if it = s.asScalar(it); it == nil {
				continue
			}
			v, proto := splitProto(it.Value)
			if lo, hi, ok := parseRun(v); ok {
				s.add(ref{it, 0, len(v)}, check.Use{Port: lo, PortEnd: hi, Proto: proto, Role: check.Listen, Component: o.comp, Via: o.via, Source: "compose expose"})
			} else if isTemplated(v) {
				s.noteValue(it, "compose expose")
			}
		}
		s.extraNames = nil
		x := vctx{owner: o, source: "compose environment", role: check.Default}
		env := s.get(svc, "environment")
		switch {
		case env == nil:
		case env.Kind == yaml.MappingNode:
			vars := map[string]string{}
			for _, kv := range s.pairs(env) {
				vars[kv.k.Value] = s.str(kv.v)
			}
			s.envHosts = envHosts(vars)
			for _, kv := range s.pairs(env) {
				s.env(kv.k.Value, kv.v, nil, x)
			}
		case env.Kind == yaml.SequenceNode:
			vars := map[string]string{}
			for _, it := range s.asSeq(env) {
				if it = s.asScalar(it); it != nil {
					if k, v, ok := strings.Cut(it.Value, "="); ok && k != "" {
						vars[k] = v
					}
				}
			}
			s.envHosts = envHosts(vars)
			for _, it := range s.asSeq(env) {
				if it = s.asScalar(it); it != nil {
					if eq := strings.IndexByte(it.Value, '='); eq > 0 {
						s.env(it.Value[:eq], nil, &ref{it, eq + 1, len(it.Value)}, x)
					}
				}
			}
		}
		s.envHosts = nil
		for _, k := range []string{"entrypoint", "command"} {
			c := s.get(svc, k)
			x := vctx{owner: o, source: "compose " + k, role: check.Listen}
			if c != nil && c.Kind == yaml.ScalarNode {
				s.flags([]*yaml.Node{c}, x)
			} else if items := s.asSeq(c); items != nil {
				s.flags(items, x)
			}
		}
		s.composeFacts(p.k, svc, o, hostNet, s.file.Uses[from:])
	}
}

// posOf is where a node starts.
func (s *scanner) posOf(n *yaml.Node) check.Position {
	if n == nil {
		return s.docStart
	}
	return s.src.pos(s.src.offset(n.Line+s.lineBase, n.Column))
}

func splitProto(v string) (string, registry.Proto) {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[:i], protoOf(v[i+1:])
	}
	return v, registry.TCP
}

// interpolation is compose's "${VAR:-default}" with a port as its default.
var interpolation = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([0-9]+(?:-[0-9]+)?)\}$`)

// composeShort reads "[[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTO]", where
// each port may be a run ("28960-28965") or a "${VAR:-20200}" default.
func (s *scanner) composeShort(n *yaml.Node, o owner, hostNet bool) {
	full := n.Value
	if n.Tag == "!!int" {
		if p, ok := parsePort(full); ok {
			s.add(whole(n), check.Use{Port: p, Proto: registry.TCP, Role: check.Listen, Component: o.comp, Via: o.via, Source: "compose ports (container)", Private: o.comp == "" && !hostNet})
		}
		return
	}
	v, proto := splitProto(full)
	// Split at the colons outside "${...}" and "[...]".
	var cuts []int
	depth := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ':':
			if depth == 0 {
				cuts = append(cuts, i)
			}
		}
	}
	type part struct{ i, j int }
	var container, host, ip part
	ip.i, ip.j = -1, -1
	host.i, host.j = -1, -1
	switch len(cuts) {
	case 0:
		container = part{0, len(v)}
	case 1:
		host, container = part{0, cuts[0]}, part{cuts[0] + 1, len(v)}
	default:
		k := len(cuts)
		ip, host, container = part{0, cuts[k-2]}, part{cuts[k-2] + 1, cuts[k-1]}, part{cuts[k-1] + 1, len(v)}
	}
	run := func(p part, what string) (lo, hi, i, j int, ok bool) {
		t := v[p.i:p.j]
		if m := interpolation.FindStringSubmatchIndex(t); m != nil {
			t, p.i, p.j = t[m[2]:m[3]], p.i+m[2], p.i+m[3]
		} else if isTemplated(t) {
			s.noteValue(n, what)
			return 0, 0, 0, 0, false
		}
		lo, hi, ok = parseRun(t)
		return lo, hi, p.i, p.j, ok
	}
	if lo, hi, i, j, ok := run(container, "compose container port"); ok {
		src := "compose ports (container)"
		if hostNet {
			src = "compose ports (host network)"
		}
		s.add(ref{n, i, j}, check.Use{Port: lo, PortEnd: hi, Proto: proto, Role: check.Listen, Component: o.comp, Via: o.via, Source: src, Private: o.comp == "" && !hostNet})
	} else {
		return // not a port mapping
	}
	if host.i < 0 || hostNet || host.i == host.j {
		return // no published port, or Docker picks one
	}
	if lo, hi, i, j, ok := run(host, "compose published port"); ok {
		bind := registry.Any
		if ip.i >= 0 {
			h := v[ip.i:ip.j]
			if !validHost(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")) && !strings.HasPrefix(h, "[") && !strings.Contains(h, ":") {
				return
			}
			bind = registry.HostBind(h)
		}
		s.add(ref{n, i, j}, check.Use{Port: lo, PortEnd: hi, Proto: proto, Role: check.Expose, Bind: bind, BindKnown: true,
			Component: o.comp, Via: o.via, Source: "compose ports (published)"})
	}
}

// composeLong reads the long syntax: target, published, host_ip, protocol.
func (s *scanner) composeLong(m *yaml.Node, o owner, hostNet bool) {
	proto := protoOf(s.str(s.get(m, "protocol")))
	if t := s.asScalar(s.get(m, "target")); t != nil {
		if p, ok := parsePort(t.Value); ok {
			src := "compose ports (container)"
			if hostNet {
				src = "compose ports (host network)"
			}
			s.add(whole(t), check.Use{Port: p, Proto: proto, Role: check.Listen, Component: o.comp, Via: o.via, Source: src, Private: o.comp == "" && !hostNet})
		}
	}
	if hostNet {
		return
	}
	if pub := s.asScalar(s.get(m, "published")); pub != nil {
		lo, hi, ok := parseRun(pub.Value)
		if !ok {
			if isTemplated(pub.Value) {
				s.noteValue(pub, "compose published port")
			}
			return
		}
		bind := registry.Any
		if ip := s.str(s.get(m, "host_ip")); ip != "" {
			bind = registry.HostBind(ip)
		}
		s.add(whole(pub), check.Use{Port: lo, PortEnd: hi, Proto: proto, Role: check.Expose, Bind: bind, BindKnown: true,
			Component: o.comp, Via: o.via, Source: "compose ports (published)"})
	}
}
