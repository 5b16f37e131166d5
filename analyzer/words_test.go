package analyzer

import (
	"strings"
	"testing"
)

// TestNameNeedles: every word that makes classify say port or address
// holds one of nameNeedles, so mayClassify never turns away a name that
// classify would read.
func TestNameNeedles(t *testing.T) {
	holds := func(w string) bool {
		for _, n := range nameNeedles {
			if strings.Contains(w, n) {
				return true
			}
		}
		return false
	}
	for w := range addrWords {
		if !holds(w) {
			t.Errorf("address word %q holds no needle", w)
		}
	}
	for p := range portPrefixes {
		for _, s := range []string{"port", "ports"} {
			if !isPortWord(p+s) || !holds(p+s) {
				t.Errorf("port word %q: isPortWord %v, holds a needle %v", p+s, isPortWord(p+s), holds(p+s))
			}
		}
	}
}

// TestMayClassify: names with and without port or address words, in every
// case and with separators, get the same kind with the fast path as
// without it.
func TestMayClassify(t *testing.T) {
	var names []string
	parts := []string{"", "http", "Listen", "ADDR", "Port", "num", "Ports", "max", "URL", "bind", "dial", "x", "Kafka", "Endpoint", "Uri", "export", "report", "Transport", "_", "2", "ℹ", "\u212a"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				names = append(names, a+b+c, strings.ToLower(a+b+c), strings.ToUpper(a+b+c))
			}
		}
	}
	names = append(names, strings.Repeat("x", 64)+"Port", strings.Repeat("y", 100))
	classified := 0
	for _, n := range names {
		want := nameKind{}
		if ws := words(n); len(ws) > 0 {
			// classify without the fast path
			want = classifyWords(ws)
		}
		if got := classify(n); got != want {
			t.Errorf("classify(%q) = %+v, without the fast path %+v", n, got, want)
		}
		if want.port || want.addr {
			classified++
		}
	}
	if classified == 0 || classified == len(names) {
		t.Fatalf("%d of %d names say port or address: the cases test nothing", classified, len(names))
	}
}

// BenchmarkClassify: names as a package's syntax holds them, most saying
// nothing.
func BenchmarkClassify(b *testing.B) {
	names := []string{"err", "ctx", "fmt", "NewReplicationControllerInformerWithResyncPeriod", "i", "listenPort", "s", "NodeAddress", "cfg", "Errorf", "handleVolumeAttachmentSpecificationUpdate"}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			classify(n)
		}
	}
}

// FuzzClassify: on any name, classify with its fast path says what the
// split into words says.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"listenPort", "NodeAddress", "err", "numPorts", "\u212aafka", "HTTPPort", "x_url"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := classify(name), classifyWords(words(name)); got != want {
			t.Errorf("classify(%q) = %+v, without the fast path %+v", name, got, want)
		}
	})
}
