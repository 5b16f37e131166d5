package manifest

import (
	"net/netip"
	"strings"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// words splits a key, flag or variable name into lowercase words, as the
// checks do: "listenAddr" -> listen addr, "HTTP_PORT" -> http port.
func words(name string) []string { return check.Words(name) }

// The kinds of key a value can sit under.
const (
	keyNone   = iota
	keyPort   // the value is a port: "port", "httpPort", "ports"
	keyAddr   // the value is an address, or a bare port: "addr", "listen", "bindAddress"
	keyTarget // the value is another service's address: "endpoint", "url", "servers"
)

// A keyClass is what a key says about its value.
type keyClass struct {
	kind   int
	listen bool // the key says listen or bind
	dial   bool // the key names a client target or another service
	expose bool // the key says the port is published (nodePort, advertise)
	words  []string
	name   string // the key as written
}

var (
	portWords   = set("port", "ports", "hostport")
	addrWords   = set("addr", "addrs", "address", "addresses", "listen", "bind", "hostport")
	targetWords = set("endpoint", "endpoints", "url", "urls", "uri", "target", "targets", "server", "servers",
		"upstream", "upstreams", "peer", "peers", "broker", "brokers")
	listenWords = set("listen", "listener", "listeners", "bind", "listening")
	exposeWords = set("advertise", "advertised", "nodeport", "published", "public", "external")
	// dialWords in a key or an enclosing key mark a client's target.
	dialWords = set("endpoint", "endpoints", "url", "urls", "uri", "upstream", "upstreams", "target", "targets",
		"remote", "client", "backends", "dial", "connect", "peer", "peers", "broker", "brokers",
		"database", "db", "redis", "mysql", "postgres", "postgresql", "mongo", "mongodb", "etcd", "kafka", "nats",
		"zookeeper", "amqp", "rabbitmq", "elasticsearch", "ldap", "smtp", "memcached", "consul", "jaeger", "otlp",
		"collector", "apiserver", "servers", "resolver", "resolvers", "nameserver", "nameservers", "ping")
	// qualifiers turn a port word into something else: a count, a limit, a
	// name, a range bound, a protocol.
	qualifiers = set("max", "min", "num", "count", "total", "limit", "limits", "range", "ranges", "size", "offset",
		"timeout", "interval", "retries", "retry", "type", "family", "protocol", "proto", "name", "names", "policy",
		"mode", "enabled", "enable", "disable", "disabled", "pool", "index", "idx", "base", "start", "end", "first",
		"last", "step", "percent", "percentage", "ratio", "weight", "prefix", "suffix", "file", "path", "dir", "mask",
		"len", "length", "id", "key", "secret", "token", "env", "var", "annotation", "label", "selector", "regex",
		"pattern", "format", "template", "allocation", "forward", "forwarding", "mapping", "cert", "email", "mail",
		"mac", "upper", "lower", "bound", "bounds", "ephemeral")
)

// classifyKey says whether a key, flag or variable name is a port context.
func classifyKey(name string) keyClass {
	ws := words(name)
	c := keyClass{words: ws, name: name}
	if len(ws) == 0 {
		return c
	}
	for _, w := range ws {
		if qualifiers[w] {
			return keyClass{words: ws}
		}
	}
	for _, w := range ws {
		switch {
		case portWords[w]:
			c.kind = max(c.kind, keyPort)
		case addrWords[w]:
			c.kind = max(c.kind, keyAddr)
		}
		c.listen = c.listen || listenWords[w]
		c.expose = c.expose || exposeWords[w]
		c.dial = c.dial || dialWords[w]
	}
	if c.kind == keyNone && targetWords[ws[len(ws)-1]] {
		c.kind = keyTarget
		c.dial = true
	}
	if c.kind == keyNone {
		return keyClass{words: ws}
	}
	if last := ws[len(ws)-1]; len(ws) >= 2 && (last == "port" || last == "ports") {
		switch ws[len(ws)-2] {
		case "node", "service":
			c.expose = true
		case "container", "host":
			c.listen = true
		}
	} else if last == "hostport" {
		c.listen = true
	}
	return c
}

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// parsePort reads a port written in decimal: 1 to 65535, no sign, no
// leading zero.
func parsePort(s string) (int, bool) {
	if len(s) == 0 || len(s) > 5 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > registry.MaxPort {
		return 0, false
	}
	return n, true
}

// parseRun reads a port or a run of ports, "28960-28965".
func parseRun(s string) (lo, hi int, ok bool) {
	if i := strings.IndexByte(s, '-'); i > 0 {
		lo, ok1 := parsePort(s[:i])
		hi, ok2 := parsePort(s[i+1:])
		if !ok1 || !ok2 || hi < lo {
			return 0, 0, false
		}
		return lo, hi, true
	}
	p, ok := parsePort(s)
	return p, 0, ok
}

// An addr is a host and port found in a string.
type addr struct {
	host     string
	hasHost  bool // a host part was written (possibly empty, as in ":80")
	port     int
	i, j     int // the port's bytes within the string
	isURL    bool
	hostKind registry.BindKind
}

func (a addr) bind() registry.Bind { return registry.HostBind(a.host) }

// parseAddr reads "host:port", ":port", "[v6]:port" or a URL with an
// explicit port, "scheme://[user@]host:port[/path]". Anything else — no
// port, a port that is not a number, a host that is neither an address, a
// host name nor a $VARIABLE — is not an address.
func parseAddr(s string) (addr, bool) {
	off := 0
	var a addr
	if i := strings.Index(s, "://"); i > 0 && isScheme(s[:i]) {
		a.isURL = true
		off = i + 3
		rest := s[off:]
		if k := strings.IndexAny(rest, "/?#"); k >= 0 {
			rest = rest[:k]
		}
		if k := strings.LastIndexByte(rest, '@'); k >= 0 {
			off += k + 1
			rest = rest[k+1:]
		}
		s = rest
	}
	var host, port string
	var portAt int
	if strings.HasPrefix(s, "[") {
		k := strings.Index(s, "]:")
		if k < 0 {
			return addr{}, false
		}
		host, port, portAt = s[:k+1], s[k+2:], k+2
		if _, err := netip.ParseAddr(host[1 : len(host)-1]); err != nil {
			return addr{}, false
		}
	} else {
		k := strings.LastIndexByte(s, ':')
		if k < 0 || strings.Count(s, ":") > 1 {
			return addr{}, false
		}
		host, port, portAt = s[:k], s[k+1:], k+1
		if !validHost(host) {
			return addr{}, false
		}
	}
	p, ok := parsePort(port)
	if !ok {
		return addr{}, false
	}
	a.host, a.hasHost, a.port = host, true, p
	a.i, a.j = off+portAt, off+portAt+len(port)
	a.hostKind = registry.HostBind(host).Kind
	return a, true
}

// publicIP reports whether a host is a public address: a process pings
// 1.1.1.1:443 or asks 8.8.8.8:53, it does not listen there.
func publicIP(host string) bool {
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast()
}

// schemeDefaults are the ports URL schemes imply: a table of them
// (defaultPorts: {http: 80, https: 443}) is a protocol fact, not the
// component's ports.
var schemeDefaults = map[string]int{"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "ssh": 22,
	"smtp": 25, "ldap": 389, "ldaps": 636, "dns": 53, "grpc": 80, "grpcs": 443, "h2c": 80, "h2": 443}

func isScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// validHost accepts "", "*", an IPv4 address, a $VARIABLE or a DNS name
// (with at least one letter: "12" in "12:30" is no host).
func validHost(h string) bool {
	switch {
	case h == "" || h == "*":
		return true
	case strings.HasPrefix(h, "$"):
		n := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(h, "$"), "{"), "}")
		return n != "" && strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == ""
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 || h[0] == '-' || h[0] == '.' || h[len(h)-1] == '-' {
		return false
	}
	letter := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case isLetter(c):
			letter = true
		case c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return letter
}

// byTarget returns the component a dial target's host names: its first DNS
// label, with or without an instance number ("nexus-0.nexus" -> nexus).
func (s *scanner) byTarget(host string) owner {
	t := targetName(host)
	return s.byName(viaName, t, trimOrdinal(t))
}

// targetName returns the component-ish name of a dial target's host: the
// first DNS label of a host name ("webserver" of
// "webserver.engine.svc.cluster.local").
func targetName(host string) string {
	if registry.HostBind(host).Kind != registry.BindHost {
		return ""
	}
	if i := strings.IndexByte(host, '.'); i > 0 {
		return host[:i]
	}
	return host
}
