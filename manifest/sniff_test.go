package manifest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSniffNeedles: each alternative of manifestRE matches through
// sniffMatch, and content without any needle matches neither.
func TestSniffNeedles(t *testing.T) {
	for _, s := range []string{
		"apiVersion: v1", "KIND: Service", `"services": {}`, "static_resources:", "dynamic_resources:",
		"networking:", "socket_address:", "patches:", "patchesStrategicMerge:", "patchesJson6902:",
		"replacements:", "type: Dataplane", "TYPE: MeshGateway", "port: 80", `"Ports": []`, "addr:",
		"address:", "Listen:", "bind:", "endpoint:", "endpoints:", "url:", "urls:", "broker:", "brokers:",
		"target:", "targets:", "upstream:", "upstreams:", "servers:", "peer:", "peers:", "PORT=1",
		"HTTP_ADDR_X=1", "LISTEN_ON=:80", "  metricsPort : 9090",
		"\u212aind: Pod", "\u017fervices:", // the Kelvin sign and the long s fold to k and s
	} {
		if !manifestRE.MatchString(s) {
			t.Fatalf("%q: manifestRE does not match; the case is wrong", s)
		}
		if !sniffMatch([]byte(s)) {
			t.Errorf("%q: manifestRE matches, sniffMatch does not", s)
		}
	}
	for _, s := range []string{"name: x\nimage: y\n", `{"a": 1, "b": [2, 3]}`, "", "kin: d"} {
		if sniffMatch([]byte(s)) || manifestRE.MatchString(s) {
			t.Errorf("%q matches", s)
		}
	}
}

// TestSniffSame: on every file of the manifest and command fixtures,
// sniffMatch says what manifestRE says.
func TestSniffSame(t *testing.T) {
	n, yes := 0, 0
	for _, root := range []string{"testdata", filepath.Join("..", "internal", "cli", "testdata"), filepath.Join("..", "examples")} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, c := range [][]byte{b, []byte(strings.ToUpper(string(b)))} {
				n++
				want := manifestRE.Match(c)
				if want {
					yes++
				}
				if got := sniffMatch(c); got != want {
					t.Errorf("%s: sniffMatch %v, manifestRE %v", p, got, want)
				}
			}
			return nil
		})
	}
	if yes == 0 || yes == n {
		t.Fatalf("%d of %d files match: the fixtures test nothing", yes, n)
	}
	t.Logf("%d files, %d match", n, yes)
}

// FuzzSniff: on any content, sniffMatch says what manifestRE says.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{"apiVersion: v1\nkind: Pod\n", `{"ports": [80]}`, "name: x\n", "\u017fervices:", "\u212aIND: x", "HTTP_PORT=8080", "type: ZoneIngress"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := sniffMatch(b), manifestRE.Match(b); got != want {
			t.Errorf("%q: sniffMatch %v, manifestRE %v", b, got, want)
		}
	})
}
