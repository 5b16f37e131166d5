package analyzer

import (
	"net/netip"
	"strconv"
	"strings"
)

// unknownHost stands for a part of an address computed at run time.
const unknownHost = "\x00"

// An address is a parsed host:port string or URL.
type address struct {
	host    string // "" for ":8080"; contains unknownHost when computed
	port    int
	portOff int  // byte offset of the port digits in the string
	portLen int  // number of digits
	url     bool // written as a URL (scheme://host:port)
	scheme  string
}

// hostKnown reports whether the host part is fully known.
func (a address) hostKnown() bool { return !strings.Contains(a.host, unknownHost) }

// parsePortString reads a string that is only a port: "8080".
func parsePortString(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(s)
	return n, true
}

// webSchemes are URL schemes whose authority is host:port.
var webSchemes = map[string]bool{
	"http": true, "https": true, "ws": true, "wss": true, "grpc": true, "grpcs": true,
	"tcp": true, "tcp4": true, "tcp6": true, "udp": true, "udp4": true, "udp6": true,
	"tls": true, "h2c": true, "dns": true, "redis": true, "rediss": true, "mongodb": true,
	"postgres": true, "postgresql": true, "mysql": true, "amqp": true, "amqps": true,
	"nats": true, "etcd": true, "kafka": true, "ldap": true, "ldaps": true, "smtp": true,
	"ftp": true, "sftp": true, "ssh": true, "mqtt": true, "mqtts": true, "unix": false,
	"dns+srv": false, "xds": true, "passthrough": true, "dns-srv": false,
}

// parseAddress parses "host:port", ":port", "[::1]:port" or a URL with an
// explicit port. strict demands evidence that the string is an address (an
// empty, local, IP or dotted host, or a URL); without strict any host name
// is accepted, for values already known to be addresses.
func parseAddress(s string, strict bool) (address, bool) {
	if s == "" || len(s) > 2048 || strings.ContainsAny(s, " \t\n\"'%{}") {
		return address{}, false
	}
	if i := strings.Index(s, "://"); i > 0 {
		return parseURL(s, i, strict)
	}
	// gRPC targets: "dns:///host:port", "passthrough:///host:port"
	if i := strings.Index(s, ":///"); i > 0 {
		return parseURL(s, i, strict)
	}
	if strings.ContainsAny(s, "/?#@") {
		return address{}, false
	}
	return parseHostPort(s, 0, strict)
}

// parseHostPort parses s[start:] as host:port.
func parseHostPort(s string, start int, strict bool) (address, bool) {
	hp := s[start:]
	i := strings.LastIndexByte(hp, ':')
	if i < 0 {
		return address{}, false
	}
	host, ps := hp[:i], hp[i+1:]
	n, ok := parsePortString(ps)
	if !ok {
		return address{}, false
	}
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return address{}, false
		}
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err != nil && !strings.Contains(host, unknownHost) {
			return address{}, false
		}
	} else if strings.Contains(host, ":") {
		return address{}, false // an IPv6 address without brackets, or "a:b:c"
	}
	if !plausibleHost(host, strict) {
		return address{}, false
	}
	return address{host: host, port: n, portOff: start + i + 1, portLen: len(ps)}, true
}

func parseURL(s string, i int, strict bool) (address, bool) {
	scheme := strings.ToLower(s[:i])
	on, known := webSchemes[scheme]
	if known && !on {
		return address{}, false
	}
	if !known && strict {
		return address{}, false
	}
	start := i + 3
	if strings.HasPrefix(s[i:], ":///") {
		start = i + 4
	}
	end := len(s)
	if j := strings.IndexAny(s[start:], "/?#"); j >= 0 {
		end = start + j
	}
	auth := s[start:end]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		start += at + 1
	}
	a, ok := parseHostPort(s[:end], start, false)
	if !ok {
		return address{}, false
	}
	a.url, a.scheme = true, scheme
	return a, true
}

// plausibleHost decides whether host can be the host part of an address.
func plausibleHost(host string, strict bool) bool {
	if host == "" || strings.Contains(host, unknownHost) {
		return true
	}
	h := strings.Trim(host, "[]")
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if !validHostname(h) {
		return false
	}
	if strict {
		lh := strings.ToLower(h)
		return lh == "localhost" || lh == "ip6-localhost" || lh == "*" ||
			(strings.Contains(h, ".") && !allDigitsAndDots(h))
	}
	return true
}

func validHostname(h string) bool {
	if h == "*" {
		return true
	}
	if len(h) > 253 {
		return false
	}
	letter := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
			letter = true
		case c >= '0' && c <= '9', c == '-', c == '.':
		default:
			return false
		}
	}
	return letter && h[0] != '-' && h[0] != '.'
}

func allDigitsAndDots(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}
