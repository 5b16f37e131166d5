package manifest

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// kumaTypes are the Kuma resources that hold ports.
var kumaTypes = map[string]bool{"Dataplane": true, "ZoneIngress": true, "ZoneEgress": true, "MeshGateway": true}

// kuma scans a Kuma resource; spec is the universal document itself or the
// Kubernetes form's spec.
func (s *scanner) kuma(typ, name string, spec *yaml.Node) {
	netw := s.get(spec, "networking")
	base := first(s.byGlob(), s.byName(viaName, name, trimOrdinal(name)))
	addrOf := func(m *yaml.Node, keys ...string) (registry.Bind, bool) {
		for _, k := range keys {
			if a := s.str(s.get(m, k)); a != "" {
				return registry.HostBind(a), true
			}
		}
		return registry.Bind{}, false
	}
	switch typ {
	case "MeshGateway":
		var tags map[string]string
		if sels := s.asSeq(s.get(spec, "selectors")); len(sels) > 0 {
			tags = s.strMap(s.get(sels[0], "match"))
		}
		o := first(s.byGlob(), s.byName(viaKuma, tags["kuma.io/service"]), base)
		for _, l := range s.asSeq(s.path(spec, "conf", "listeners")) {
			s.portField(l, "port", vctx{owner: o, source: "kuma gateway listener", role: check.Expose, proto: registry.TCP})
		}
		return
	case "ZoneIngress", "ZoneEgress":
		b, known := addrOf(netw, "address")
		s.kumaPort(s.get(netw, "port"), check.Use{Bind: b, BindKnown: known, Role: check.Listen, Component: base.comp, Via: base.via, Source: "kuma " + strings.ToLower(typ[4:]) + " port"})
		ab, aknown := addrOf(netw, "advertisedAddress")
		s.kumaPort(s.get(netw, "advertisedPort"), check.Use{Bind: ab, BindKnown: aknown, Role: check.Expose, Component: base.comp, Via: base.via, Source: "kuma " + strings.ToLower(typ[4:]) + " advertised port"})
		s.kumaPort(s.path(netw, "admin", "port"), check.Use{Role: check.Listen, Component: base.comp, Via: base.via, Source: "kuma admin"})
		return
	}
	dpBind, dpKnown := addrOf(netw, "address")
	owner0 := base
	for i, ib := range s.asSeq(s.get(netw, "inbound")) {
		tags := s.strMap(s.get(ib, "tags"))
		o := first(s.byGlob(), s.byName(viaKuma, tags["kuma.io/service"], tags["service"]), base)
		if i == 0 {
			owner0 = o
		}
		if iface := s.asScalar(s.get(ib, "interface")); iface != nil {
			s.kumaInterface(iface, o, true)
			continue
		}
		b, known := addrOf(ib, "address")
		if !known {
			b, known = dpBind, dpKnown
		}
		s.kumaPort(s.get(ib, "port"), check.Use{Bind: b, BindKnown: known, Role: check.Listen, Component: o.comp, Via: o.via, Source: "kuma inbound port"})
		sb, sknown := addrOf(ib, "serviceAddress")
		s.kumaPort(s.get(ib, "servicePort"), check.Use{Bind: sb, BindKnown: sknown, Role: check.Listen, Component: o.comp, Via: o.via, Source: "kuma inbound servicePort"})
	}
	for _, ob := range s.asSeq(s.get(netw, "outbound")) {
		tags := s.strMap(s.get(ob, "tags"))
		o := s.byName(viaKuma, tags["kuma.io/service"], s.str(s.get(ob, "service")))
		if iface := s.asScalar(s.get(ob, "interface")); iface != nil {
			s.kumaInterface(iface, o, false)
			continue
		}
		b, known := addrOf(ob, "address")
		s.kumaPort(s.get(ob, "port"), check.Use{Bind: b, BindKnown: known, Role: check.Dial, Component: o.comp, Via: o.via, Source: "kuma outbound port"})
	}
	s.kumaPort(s.path(netw, "admin", "port"), check.Use{Role: check.Listen, Component: owner0.comp, Via: owner0.via, Source: "kuma admin"})
}

var ordinal = regexp.MustCompile(`[-_.][0-9]+$`)

// trimOrdinal drops an instance number: "webserver-1" -> "webserver".
func trimOrdinal(name string) string { return ordinal.ReplaceAllString(name, "") }

func (s *scanner) kumaPort(v *yaml.Node, u check.Use) {
	if v = s.asScalar(v); v == nil {
		return
	}
	if p, ok := parsePort(v.Value); ok {
		u.Port = p
		if u.Proto == "" {
			u.Proto = registry.TCP
		}
		s.add(whole(v), u)
	} else if isTemplated(v.Value) {
		s.noteValue(v, u.Source)
	}
}

// kumaInterface reads the old forms: inbound "ADDRESS:DP_PORT:SERVICE_PORT",
// outbound "[ADDRESS]:PORT".
func (s *scanner) kumaInterface(n *yaml.Node, o owner, inbound bool) {
	v := n.Value
	parts := strings.Split(v, ":")
	if inbound {
		if len(parts) != 3 {
			return
		}
		b := registry.HostBind(parts[0])
		dp, svc := len(parts[0])+1, len(parts[0])+1+len(parts[1])+1
		if p, ok := parsePort(parts[1]); ok {
			s.add(ref{n, dp, dp + len(parts[1])}, check.Use{Port: p, Proto: registry.TCP, Bind: b, BindKnown: true, Role: check.Listen, Component: o.comp, Via: o.via, Source: "kuma inbound interface (dataplane port)"})
		}
		if p, ok := parsePort(parts[2]); ok {
			s.add(ref{n, svc, len(v)}, check.Use{Port: p, Proto: registry.TCP, Role: check.Listen, Component: o.comp, Via: o.via, Source: "kuma inbound interface (service port)"})
		}
		return
	}
	if len(parts) != 2 {
		return
	}
	if p, ok := parsePort(parts[1]); ok {
		u := check.Use{Port: p, Proto: registry.TCP, Role: check.Dial, Component: o.comp, Via: o.via, Source: "kuma outbound interface"}
		if parts[0] != "" {
			u.Bind, u.BindKnown = registry.HostBind(parts[0]), true
		}
		s.add(ref{n, len(parts[0]) + 1, len(v)}, u)
	}
}

// isEnvoy reports whether a document is an Envoy bootstrap or a file of
// xDS resources.
func (s *scanner) isEnvoy(root *yaml.Node) bool {
	if s.get(root, "static_resources") != nil || s.get(root, "dynamic_resources") != nil {
		return true
	}
	if s.path(root, "admin", "address", "socket_address") != nil {
		return true
	}
	for _, r := range s.asSeq(s.get(root, "resources")) {
		if strings.Contains(s.str(s.get(r, "@type")), "envoy.") {
			return true
		}
	}
	return false
}

func (s *scanner) envoy(root *yaml.Node) {
	own := first(s.byGlob(), s.byName(viaName, s.str(s.path(root, "node", "cluster")), s.str(s.path(root, "node", "id"))), s.byPath())
	done := map[*yaml.Node]bool{}
	listen := func(sa *yaml.Node, src string) {
		if sa == nil {
			return
		}
		done[sa] = true
		s.socketAddress(sa, check.Listen, own, src)
	}
	listen(s.path(root, "admin", "address", "socket_address"), "envoy admin")
	var listeners []*yaml.Node
	listeners = append(listeners, s.asSeq(s.path(root, "static_resources", "listeners"))...)
	for _, r := range s.asSeq(s.get(root, "resources")) {
		if strings.HasSuffix(s.str(s.get(r, "@type")), ".Listener") {
			listeners = append(listeners, r)
		}
	}
	for _, l := range listeners {
		listen(s.path(l, "address", "socket_address"), "envoy listener")
		for _, a := range s.asSeq(s.get(l, "additional_addresses")) {
			listen(s.path(a, "address", "socket_address"), "envoy listener")
		}
	}
	// Every other socket address is one Envoy connects to: cluster
	// endpoints, xDS servers, tracers, sinks.
	s.envoyTargets(root, done, owner{}, 0)
}

func (s *scanner) envoyTargets(n *yaml.Node, done map[*yaml.Node]bool, cluster owner, depth int) {
	n = s.deref(n)
	if n == nil || !s.enter(n) {
		return
	}
	defer s.leave(n)
	switch n.Kind {
	case yaml.MappingNode:
		if name := s.str(s.get(n, "cluster_name")); name != "" {
			cluster = s.byName(viaName, name)
		} else if t := s.str(s.get(n, "@type")); strings.HasSuffix(t, ".Cluster") || s.get(n, "load_assignment") != nil {
			cluster = s.byName(viaName, s.str(s.get(n, "name")))
		}
		for _, p := range s.pairs(n) {
			if p.k.Value == "socket_address" {
				if sa := s.asMap(p.v); sa != nil && !done[sa] {
					done[sa] = true
					s.socketAddress(sa, check.Dial, cluster, "envoy cluster endpoint")
				}
				continue
			}
			s.envoyTargets(p.v, done, cluster, depth+1)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			s.envoyTargets(c, done, cluster, depth+1)
		}
	}
}

// socketAddress records port_value with address as the bind (listeners)
// or the target (clusters).
func (s *scanner) socketAddress(sa *yaml.Node, role check.Role, o owner, src string) {
	v := s.asScalar(s.get(sa, "port_value"))
	if v == nil {
		return
	}
	p, ok := parsePort(v.Value)
	if !ok {
		if isTemplated(v.Value) {
			s.noteValue(v, src)
		}
		return
	}
	u := check.Use{Port: p, Proto: protoOf(s.str(s.get(sa, "protocol"))), Role: role, Source: src}
	if a := s.str(s.get(sa, "address")); a != "" && !isTemplated(a) {
		u.Bind, u.BindKnown = registry.HostBind(a), true
		if role == check.Dial {
			if t := s.byTarget(a); t.comp != "" {
				o = t
			}
		}
	}
	u.Component, u.Via = o.comp, o.via
	s.add(whole(v), u)
}

// istio scans the Istio networking resources that carry ports.
func (s *scanner) istio(o k8sObj) {
	n := o.n
	meta := s.get(n, "metadata")
	spec := s.get(n, "spec")
	name := s.str(s.get(meta, "name"))
	labels := s.strMap(s.get(meta, "labels"))
	protoField := func(m *yaml.Node) registry.Proto {
		if strings.EqualFold(s.str(s.get(m, "protocol")), "UDP") {
			return registry.UDP
		}
		return registry.TCP
	}
	number := func(pm *yaml.Node, u check.Use) {
		if v := s.asScalar(s.get(pm, "number")); v != nil {
			if p, ok := parsePort(v.Value); ok {
				u.Port = p
				u.Names = append(u.Names, name, s.str(s.get(pm, "name")))
				if u.Proto == "" {
					u.Proto = protoField(pm)
				}
				s.add(whole(v), u)
			}
		}
	}
	hostOwner := func(host string) owner {
		return s.byTarget(host)
	}
	switch o.kind {
	case "Gateway":
		own := first(s.byGlob(), s.byLabels(s.strMap(s.get(spec, "selector")), labels), s.byName(viaName, name))
		for _, sv := range s.asSeq(s.get(spec, "servers")) {
			var hosts []string
			for _, h := range s.asSeq(s.get(sv, "hosts")) {
				hosts = append(hosts, h.Value)
			}
			number(s.get(sv, "port"), check.Use{Role: check.Expose, Component: own.comp, Via: own.via, Source: "istio Gateway server", Names: hosts})
		}
	case "ServiceEntry":
		var hosts, names []string
		for _, h := range s.asSeq(s.get(spec, "hosts")) {
			hosts = append(hosts, targetName(h.Value))
			names = append(names, h.Value)
		}
		own := s.byName(viaName, hosts...)
		for _, p := range s.asSeq(s.get(spec, "ports")) {
			number(p, check.Use{Role: check.Dial, Component: own.comp, Via: own.via, Source: "istio ServiceEntry port", Names: names})
			s.portField(p, "targetPort", vctx{source: "istio ServiceEntry targetPort", role: check.Dial, isDial: true, dial: own, proto: protoField(p), names: names})
		}
		for _, ep := range s.asSeq(s.get(spec, "endpoints")) {
			t := first(hostOwner(s.str(s.get(ep, "address"))), own)
			for _, kv := range s.pairs(s.get(ep, "ports")) {
				if v := s.asScalar(kv.v); v != nil {
					if p, ok := parsePort(v.Value); ok {
						s.add(whole(v), check.Use{Port: p, Proto: registry.TCP, Role: check.Dial, Component: t.comp, Via: t.via, Source: "istio ServiceEntry endpoint"})
					}
				}
			}
		}
	case "Sidecar":
		own := first(s.byGlob(), s.byLabels(s.strMap(s.path(spec, "workloadSelector", "labels"))), s.byName(viaName, name))
		for _, in := range s.asSeq(s.get(spec, "ingress")) {
			u := check.Use{Role: check.Listen, Component: own.comp, Via: own.via, Source: "istio Sidecar ingress"}
			if b := s.str(s.get(in, "bind")); b != "" {
				u.Bind, u.BindKnown = registry.HostBind(b), true
			}
			number(s.get(in, "port"), u)
			if de := s.asScalar(s.get(in, "defaultEndpoint")); de != nil {
				if a, ok := parseAddr(de.Value); ok {
					s.add(ref{de, a.i, a.j}, check.Use{Port: a.port, Proto: registry.TCP, Bind: a.bind(), BindKnown: true, Role: check.Dial,
						Component: own.comp, Via: own.via, Source: "istio Sidecar defaultEndpoint"})
				}
			}
		}
		for _, eg := range s.asSeq(s.get(spec, "egress")) {
			var hosts []string
			for _, h := range s.asSeq(s.get(eg, "hosts")) {
				hosts = append(hosts, h.Value)
			}
			number(s.get(eg, "port"), check.Use{Role: check.Dial, Source: "istio Sidecar egress", Names: hosts})
		}
	case "VirtualService":
		for _, kind := range []string{"http", "tcp", "tls"} {
			for _, rt := range s.asSeq(s.get(spec, kind)) {
				for _, r := range s.asSeq(s.get(rt, "route")) {
					d := s.get(r, "destination")
					t := hostOwner(s.str(s.get(d, "host")))
					number(s.get(d, "port"), check.Use{Role: check.Dial, Component: t.comp, Via: t.via, Source: "istio VirtualService destination", Names: []string{s.str(s.get(d, "host"))}})
				}
				if m := s.get(rt, "mirror"); m != nil {
					t := hostOwner(s.str(s.get(m, "host")))
					number(s.get(m, "port"), check.Use{Role: check.Dial, Component: t.comp, Via: t.via, Source: "istio VirtualService mirror"})
				}
			}
		}
	case "DestinationRule":
		host := s.str(s.get(spec, "host"))
		t := hostOwner(host)
		for _, pl := range s.asSeq(s.path(spec, "trafficPolicy", "portLevelSettings")) {
			number(s.get(pl, "port"), check.Use{Role: check.Dial, Component: t.comp, Via: t.via, Source: "istio DestinationRule port", Names: []string{host}})
		}
	}
}
