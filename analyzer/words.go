package analyzer

import (
	"strings"

	"github.com/portlint/portlint/check"
)

// words splits a name into lowercase words; see check.Words.
func words(s string) []string { return check.Words(s) }

// notPort lists words that end in "port" but are not ports.
var notPort = map[string]bool{
	"support": true, "supports": true, "report": true, "reports": true, "export": true, "exports": true,
	"import": true, "imports": true, "transport": true, "transports": true, "passport": true,
	"airport": true, "sport": true, "deport": true, "rapport": true, "viewport": true,
	"purport": true, "teleport": true, "seaport": true, "newport": true, "davenport": true,
	"exported": true, "supported": true, "reported": true, "imported": true, "transported": true,
}

// portPrefixes are the words that form a port name when run together with
// "port" in a lowercase compound: nodeport, hostport, httpport. Other words
// ending in "port" (transport, report, soreuseport) are not ports.
var portPrefixes = map[string]bool{
	"node": true, "host": true, "container": true, "target": true, "listen": true, "http": true,
	"https": true, "grpc": true, "admin": true, "metrics": true, "health": true, "debug": true,
	"service": true, "secure": true, "insecure": true, "web": true, "api": true, "proxy": true,
	"server": true, "client": true, "local": true, "remote": true, "public": true, "private": true,
	"internal": true, "external": true, "bind": true, "tcp": true, "udp": true, "dst": true,
	"src": true, "dest": true, "source": true, "peer": true, "raft": true, "gossip": true,
	"rpc": true, "db": true, "redis": true, "mysql": true, "etcd": true, "default": true, "ssh": true,
	"smtp": true, "dns": true, "ws": true, "tls": true, "ui": true, "app": true, "main": true,
	"data": true, "control": true, "mgmt": true, "status": true, "probe": true, "pprof": true,
	"console": true, "agent": true, "gateway": true, "ingress": true, "egress": true,
	"inbound": true, "outbound": true, "sidecar": true, "serve": true, "stats": true,
	"statsd": true, "jaeger": true, "otlp": true, "zipkin": true, "kafka": true, "nats": true,
	"amqp": true, "mqtt": true, "ldap": true, "sip": true, "rtp": true, "cluster": true,
	"monitor": true, "monitoring": true, "exporter": true, "xds": true, "envoy": true,
	"controller": true, "webhook": true, "dashboard": true, "leafnode": true, "db2": true,
}

// isPortWord reports whether w names a port: "port", "ports", or a
// lowercase compound of a known prefix and "port" ("nodeport", "httpport").
func isPortWord(w string) bool {
	if w == "port" || w == "ports" {
		return true
	}
	if notPort[w] {
		return false
	}
	for _, suffix := range []string{"port", "ports"} {
		if strings.HasSuffix(w, suffix) && portPrefixes[strings.TrimSuffix(w, suffix)] {
			return true
		}
	}
	return false
}

// addrWords name values that hold an address (host:port) or a URL.
var addrWords = map[string]bool{
	"addr": true, "address": true, "addrs": true, "addresses": true, "hostport": true,
	"listen": true, "listenaddr": true, "bind": true, "bindaddr": true,
	"endpoint": true, "endpoints": true, "url": true, "urls": true, "uri": true, "uris": true,
	"laddr": true, "raddr": true, "baseurl": true,
}

// quantity words make a port-named identifier a number about ports rather
// than a port: a count, a timeout, a bound of a range, a validity check.
var quantity = map[string]bool{
	"count": true, "counts": true, "total": true, "timeout": true, "timeouts": true,
	"retries": true, "retry": true, "attempts": true, "attempt": true, "interval": true,
	"delay": true, "duration": true, "size": true, "len": true, "length": true, "limit": true,
	"limits": true, "max": true, "min": true, "maximum": true, "minimum": true, "workers": true,
	"threads": true, "buffer": true, "ttl": true, "qps": true, "burst": true, "rate": true,
	"percent": true, "pct": true, "version": true, "index": true, "idx": true, "offset": true,
	"weight": true, "priority": true, "uid": true, "gid": true, "mode": true, "perm": true,
	"backlog": true, "capacity": true, "cap": true, "range": true, "ranges": true, "step": true,
	"base": true, "start": true, "end": true, "first": true, "last": true, "lower": true, "upper": true,
	"free": true, "random": true, "ephemeral": true, "valid": true, "invalid": true,
	"regex": true, "regexp": true, "pattern": true, "format": true, "fmt": true, "label": true,
	"name": true, "names": true, "key": true, "field": true, "env": true, "flag": true,
	"mapping": true, "map": true, "proto": true, "protocol": true, "type": true, "kind": true,
	"help": true, "usage": true, "desc": true, "description": true, "doc": true, "err": true,
	"error": true, "msg": true, "message": true, "header": true, "enabled": true, "disabled": true,
	"enable": true, "disable": true, "used": true, "in": true, "is": true, "has": true,
	"allocator": true, "pool": true, "policy": true, "family": true, "mask": true, "prefix": true,
	"suffix": true, "path": true, "file": true, "dir": true, "socket": true, "sock": true,
}

// countWords before a port word make it a count ("numPorts", "nPorts").
var countWords = map[string]bool{"num": true, "number": true, "n": true, "nr": true, "no": true}

// usageSays reports whether a flag's usage text says the address is
// listened on (listen, bind, serve) or connected to (connect, dial,
// remote, upstream); listening wins when it says both.
func usageSays(usage string) (listen, dial bool) {
	for _, w := range words(usage) {
		switch w {
		case "listen", "listens", "listening", "bind", "binds", "serve", "serves", "serving":
			return true, false
		case "connect", "connects", "connecting", "dial", "dials", "remote", "upstream":
			dial = true
		}
	}
	return false, dial
}

// dialWords mark an address as someone else's: the value is where the code
// connects to, not where it listens.
var dialWords = map[string]bool{
	"endpoint": true, "endpoints": true, "url": true, "urls": true, "uri": true, "uris": true,
	"upstream": true, "remote": true, "target": true, "peer": true, "peers": true,
	"backend": true, "backends": true, "connect": true, "dial": true, "client": true,
	"proxy": true, "broker": true, "brokers": true, "master": true, "apiserver": true,
	"server": false, "servers": true, "raddr": true, "dest": true, "destination": true,
	"dst": true, "redis": true, "mysql": true, "postgres": true, "postgresql": true, "pg": true,
	"mongo": true, "mongodb": true, "kafka": true, "nats": true, "amqp": true, "rabbitmq": true,
	"etcd": true, "consul": true, "zookeeper": true, "zk": true, "db": true, "database": true,
	"memcache": true, "memcached": true, "elasticsearch": true, "es": true, "jaeger": true,
	"otlp": true, "collector": true, "agent": false, "registry": true, "vault": true,
	"smtp": true, "ldap": true, "statsd": true, "syslog": true, "sentry": true, "webhook": true,
	"scrape": true, "scraping": true, "tracing": true, "tracer": true, "otel": true, "zipkin": true, "callback": true, "api": false, "base": false, "baseurl": true, "gateway": false, "sink": true,
	"export": false, "exporter": true, "push": true, "pushgateway": true, "upstreams": true,
	"resolver": true, "resolvers": true, "nameserver": true, "nameservers": true,
}

// listenWords mark an address as the code's own listener.
var listenWords = map[string]bool{
	"listen": true, "listener": true, "bind": true, "serve": true, "serving": true, "laddr": true,
	"local": true, "metrics": true, "health": true, "healthz": true, "probe": true, "pprof": true,
	"debug": true, "admin": true, "secure": true, "insecure": true, "http": true, "https": true,
	"grpc": true, "web": true, "status": true, "profiling": true, "prometheus": true,
	"listenaddr": true, "bindaddr": true, "advertise": true, "advertised": true,
}

// nameKind classifies a name: whether it says port or address, and which
// way the value points.
type nameKind struct {
	port   bool // the name says port: an int (or digit string) is a port
	addr   bool // the name says address/URL: a host:port string is an address
	dial   bool // the name says the value is someone else's endpoint
	listen bool // the name says listen, bind or serve
}

// classify tells what a name says. A name says nothing (zero nameKind) when
// it has no port or address word, or when a quantity word makes it a number
// about ports (maxPort, portCount, numPorts, portTimeout).
func classify(name string) nameKind {
	if !mayClassify(name) {
		return nameKind{}
	}
	return classifyWords(words(name))
}

// classifyWords is classify of a name split into words.
func classifyWords(ws []string) nameKind {
	var k nameKind
	for i, w := range ws {
		switch {
		case isPortWord(w):
			if i > 0 && countWords[ws[i-1]] {
				return nameKind{}
			}
			k.port = true
		case addrWords[w]:
			k.addr = true
		}
	}
	if !k.port && !k.addr {
		return nameKind{}
	}
	for _, w := range ws {
		if quantity[w] {
			return nameKind{}
		}
	}
	k.dial = dialish(ws)
	for _, w := range ws {
		if w == "listen" || w == "bind" || w == "serve" || w == "serving" || w == "listener" || w == "laddr" || w == "advertise" || w == "advertised" {
			k.listen = true
		}
	}
	return k
}

// nameNeedles are what every port or address word holds, case aside:
// "port" (port, ports, nodeport, hostport), "addr" (addr, address, laddr,
// listenaddr), and the other address words. TestNameNeedles checks each
// word of the lists above against them.
var nameNeedles = [...]string{"port", "addr", "listen", "bind", "endpoint", "url", "uri"}

// mayClassify reports whether classify can find a port or address word in
// name: false only for an ASCII name that holds no needle, case aside,
// which spares splitting the names that say nothing (most of them).
func mayClassify(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return true // strings.ToLower of a non-ASCII letter may give an ASCII one (K, the Kelvin sign)
		}
	}
	for _, n := range nameNeedles {
		if containsLower(name, n) {
			return true
		}
	}
	return false
}

// containsLower reports whether the ASCII name holds the lowercase needle,
// ignoring the case of the name's letters.
func containsLower(name, needle string) bool {
	for i := 0; i+len(needle) <= len(name); i++ {
		j := 0
		for ; j < len(needle); j++ {
			c := name[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

// dialish reports whether the words name a client-side target.
func dialish(ws []string) bool {
	dial, listen := false, false
	for _, w := range ws {
		if w == "scrape" || w == "scraping" {
			return true // what a scraper fetches: a PrometheusScrapeConfiguration's port is the target's
		}
		if dialWords[w] {
			dial = true
		}
		if listenWords[w] {
			listen = true
		}
	}
	return dial && !listen
}
