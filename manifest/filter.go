package manifest

import (
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// Packet-filter rules in command lines (an init container running
// iptables, istio-iptables or nft) and the mesh annotations that ask for
// them name ports in two ways: a rule matches traffic to a port (--dport
// 53, the ports a mesh captures or leaves alone: role match, claiming
// nothing) or redirects traffic to one (--to-ports 15001, the proxy's
// capture ports: role redirect, the rule's component's own port). Neither
// is a listener.

// filterProgram returns the packet-filter program a command-line word
// runs, or "".
func filterProgram(word string) string {
	switch path.Base(strings.Trim(word, `"'`)) {
	case "iptables", "ip6tables", "iptables-legacy", "iptables-nft", "ip6tables-legacy", "ip6tables-nft":
		return "iptables"
	case "nft":
		return "nft"
	case "istio-iptables":
		return "istio-iptables"
	}
	return ""
}

// filterFlags are the flags whose value names ports, by program: the role
// and whether the value is a list.
type filterFlag struct {
	role check.Role
	list bool
}

var iptablesFlags = map[string]filterFlag{
	"dport": {check.Match, false}, "destination-port": {check.Match, false},
	"sport": {check.Match, false}, "source-port": {check.Match, false},
	"dports": {check.Match, true}, "destination-ports": {check.Match, true},
	"sports": {check.Match, true}, "source-ports": {check.Match, true},
	"to-ports": {check.Redirect, false}, "to-port": {check.Redirect, false},
	"to-destination": {check.Redirect, false}, "on-port": {check.Redirect, false},
}

// istio-iptables (Istio's tools/istio-iptables): -p and -z are the
// proxy's outbound and inbound capture ports, where the rules send
// traffic; the others list the ports whose traffic is captured or left
// alone; -u and -g are user and group ids, not ports.
var istioFlags = map[string]filterFlag{
	"p": {check.Redirect, false}, "envoy-port": {check.Redirect, false},
	"z": {check.Redirect, false}, "inbound-capture-port": {check.Redirect, false},
	"b": {check.Match, true}, "inbound-ports": {check.Match, true},
	"d": {check.Match, true}, "local-exclude-ports": {check.Match, true},
	"q": {check.Match, true}, "outbound-ports": {check.Match, true},
	"o": {check.Match, true}, "local-outbound-ports-exclude": {check.Match, true},
	"e": {check.Match, false}, "inbound-tunnel-port": {check.Match, false},
}

// segments cuts a command line at the shell's command separators, so that
// "iptables ... && exec app --port 8080" is two commands.
func segments(toks []token) [][]token {
	var out [][]token
	var cur []token
	for _, t := range toks {
		switch v := t.text(); {
		case v == "&&" || v == "||" || v == ";" || v == "|" || v == "&":
			out, cur = append(out, cur), nil
		case strings.HasSuffix(v, ";") && len(v) > 1:
			t.j--
			cur = append(cur, t)
			out, cur = append(out, cur), nil
		default:
			cur = append(cur, t)
		}
	}
	return append(out, cur)
}

// segmentProgram returns the packet-filter program a command runs, or "".
func segmentProgram(seg []token) string {
	for _, t := range seg {
		if p := filterProgram(t.text()); p != "" {
			return p
		}
	}
	return ""
}

// filterRules records the ports of one packet-filter command.
func (s *scanner) filterRules(seg []token, prog string, o owner, names []string) {
	if prog == "nft" {
		s.nftRules(seg, o, names)
		return
	}
	flags := iptablesFlags
	if prog == "istio-iptables" {
		flags = istioFlags
	}
	proto := registry.TCP
	for k := 0; k < len(seg); k++ {
		text := seg[k].text()
		if !strings.HasPrefix(text, "-") {
			continue
		}
		if prog == "iptables" && (text == "-p" || text == "--protocol") && k+1 < len(seg) {
			if p, ok := registry.ParseProto(seg[k+1].text()); ok {
				proto = p // the rule's protocol: -p udp --dport 53
			}
			continue
		}
		name := strings.TrimLeft(text, "-")
		var val token
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			val = token{seg[k].n, seg[k].i + (len(text) - len(name)) + eq + 1, seg[k].j, seg[k].src}
			name = name[:eq]
		} else {
			if k+1 < len(seg) && seg[k+1].text() == "!" {
				k++ // the old negation: --dport ! 22
			}
			if k+1 >= len(seg) {
				continue
			}
			val = seg[k+1]
		}
		ff, ok := flags[name]
		if !ok {
			continue
		}
		if v := val.text(); len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			val.i, val.j = val.i+1, val.j-1
		}
		src := prog + " " + text
		if strings.Contains(text, "=") {
			src = prog + " --" + name
		}
		s.filterValue(val, ff, name == "to-destination", proto, src, o, names)
	}
}

// filterValue records the ports of one flag's value: "53", "1024:65535",
// "80,443", "15001-15002", "10.0.0.1:8080" (a destination).
func (s *scanner) filterValue(val token, ff filterFlag, hostPort bool, proto registry.Proto, src string, o owner, names []string) {
	v := val.text()
	if isTemplated(v) {
		return
	}
	off := val.i
	parts := []string{v}
	if ff.list {
		parts = strings.Split(v, ",")
	}
	for _, part := range parts {
		at := off
		off += len(part) + 1
		p := strings.TrimSpace(part)
		at += strings.Index(part, p)
		if hostPort {
			// [ip][:port[-port]]
			i := strings.LastIndexByte(p, ':')
			if i < 0 || strings.HasSuffix(p, "]") {
				continue
			}
			at += i + 1
			p = p[i+1:]
		}
		lo, hi, ok := parseRun(strings.Replace(p, ":", "-", 1))
		if !ok {
			continue
		}
		u := check.Use{Port: lo, PortEnd: hi, Proto: proto, Role: ff.role, Component: o.comp, Via: o.via, Source: src, Names: names}
		s.add(ref{val.n, at, at + len(p)}, u)
	}
}

// nftRules reads nft's "tcp dport 53", "dport { 80, 443 }", "redirect to
// :15001", "dnat to 10.0.0.1:8080", "tproxy to :15006".
func (s *scanner) nftRules(seg []token, o owner, names []string) {
	proto := registry.TCP
	for k := 0; k < len(seg); k++ {
		switch seg[k].text() {
		case "dport", "sport":
			src := "nft " + seg[k].text()
			if k > 0 {
				if p, ok := registry.ParseProto(seg[k-1].text()); ok {
					proto = p // udp dport 53
				}
			}
			if k+1 < len(seg) && strings.HasPrefix(seg[k+1].text(), "{") {
				for k++; k < len(seg); k++ {
					t := seg[k]
					v := t.text()
					start := t.i + (len(v) - len(strings.TrimLeft(v, "{")))
					end := t.j - (len(v) - len(strings.TrimRight(v, "},")))
					if start < end {
						s.filterValue(token{t.n, start, end, t.src}, filterFlag{check.Match, true}, false, proto, src, o, names)
					}
					if strings.Contains(v, "}") {
						break
					}
				}
				continue
			}
			if k+1 < len(seg) {
				k++
				s.filterValue(seg[k], filterFlag{check.Match, true}, false, proto, src, o, names)
			}
		case "redirect", "dnat", "tproxy":
			verb := seg[k].text()
			j := k + 1
			for j < len(seg) && (seg[j].text() == "ip" || seg[j].text() == "ip6") {
				j++
			}
			if j+1 < len(seg) && seg[j].text() == "to" {
				val := seg[j+1]
				s.filterValue(val, filterFlag{check.Redirect, false}, strings.Contains(val.text(), ":"), proto, "nft "+verb+" to", o, names)
				k = j + 1
			}
		}
	}
}

// meshAnnotation says what a pod annotation of a mesh does with the ports
// it lists: the ports whose traffic the sidecar captures or leaves alone
// (match), or the proxy's capture port the rules redirect to (redirect).
func meshAnnotation(key string) (filterFlag, bool) {
	switch key {
	case "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts",
		"traffic.sidecar.istio.io/includeOutboundPorts", "traffic.sidecar.istio.io/excludeOutboundPorts",
		"traffic.kuma.io/exclude-inbound-ports", "traffic.kuma.io/exclude-outbound-ports":
		return filterFlag{check.Match, true}, true
	}
	if rest, ok := strings.CutPrefix(key, "kuma.io/transparent-proxying-"); ok {
		switch {
		case strings.HasSuffix(rest, "-ports"):
			return filterFlag{check.Match, true}, true
		case strings.HasSuffix(rest, "-port"):
			return filterFlag{check.Redirect, false}, true
		}
	}
	return filterFlag{}, false
}

// meshAnnotations records the ports of a pod's mesh annotations. The ports
// a rule matches are the pod's (o); a redirect goes to the proxy that
// will be injected beside it (proxy), unknown when the pod does not name it.
func (s *scanner) meshAnnotations(m *yaml.Node, o, proxy owner) {
	for _, p := range s.pairs(m) {
		ff, ok := meshAnnotation(p.k.Value)
		v := s.asScalar(p.v)
		if !ok || v == nil {
			continue
		}
		who := o
		if ff.role == check.Redirect {
			who = proxy
		}
		s.filterValue(token{v, 0, len(v.Value), ""}, ff, false, registry.TCP, "annotation "+p.k.Value, who, []string{p.k.Value})
	}
}
