package analyzer

import (
	"strconv"
	"testing"
)

// FuzzParseAddress: the address and URL parsers never panic, and an
// address they accept has its port digits where it says, reading as its
// port.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{":8080", "127.0.0.1:20200", "[::1]:53", "http://user@host.example:8443/x?y#z",
		"dns:///resolver.local:53", "grpc://[fe80::1%25eth0]:9", "localhost:", "a:b:c", "redis://:p@h:6379", "\x00:1"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, strict bool) {
		a, ok := parseAddress(s, strict)
		if !ok {
			return
		}
		if a.portOff < 0 || a.portLen <= 0 || a.portOff+a.portLen > len(s) {
			t.Fatalf("%q: port at [%d, %d) outside the string", s, a.portOff, a.portOff+a.portLen)
		}
		n, err := strconv.Atoi(s[a.portOff : a.portOff+a.portLen])
		if err != nil || n != a.port {
			t.Fatalf("%q: port %d, digits %q", s, a.port, s[a.portOff:a.portOff+a.portLen])
		}
		if p, ok := parsePortString(s[a.portOff : a.portOff+a.portLen]); !ok || p != a.port {
			t.Fatalf("%q: parsePortString disagrees", s)
		}
	})
}
