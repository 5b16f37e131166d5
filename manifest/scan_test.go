package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// inventory writes the uses of a file one per line:
// line:col port[-end] proto bind role component/via source.
func inventory(f *File) string {
	var b strings.Builder
	for _, u := range f.Uses {
		r := finding.RecordOf(u)
		port := strconv.Itoa(r.Port)
		if r.PortEnd != 0 {
			port += "-" + strconv.Itoa(r.PortEnd)
		}
		bind := r.Bind
		if bind == "" {
			bind = "-"
		}
		fmt.Fprintf(&b, "%d:%d %s %s %s %s %s/%s %s\n", r.Line, r.Column, port, r.Proto, bind, r.Role, r.Component, r.Via, r.Source)
	}
	return b.String()
}

func scanFixture(t *testing.T, p string) *File {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	reg, rel := fixtureEnv(t, p)
	f, err := Scan(p, data, Options{Registry: reg, Rel: rel})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestInventory pins the exact uses of a few fixtures: port, protocol,
// bind, role, component and how it was found, source, line:column.
func TestInventory(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		// the image names the component (all-in-one), not the service
		// (collector); a port variable dials the host its sibling names
		{"thirdparty/compose.yaml", `
9:10 16686 tcp any expose all-in-one/name compose ports (published)
9:16 16686 tcp - listen all-in-one/name compose ports (container)
14:10 5778 tcp any expose agent/compose-service compose ports (published)
14:15 5778 tcp - listen agent/compose-service compose ports (container)
20:10 18080 tcp any expose / compose ports (published)
20:16 80 tcp - listen / compose ports (container)
21:10 443 tcp any expose / compose ports (published)
21:14 8443 tcp - listen / compose ports (container)
27:10 81 tcp - listen / compose ports (host network)
35:26 6831 tcp - dial / compose environment
40:19 6831 tcp - dial all-in-one/name compose environment
45:19 5778 tcp - dial agent/name compose environment
`},
		{"compose/long-syntax.yml", `
7:17 20202 tcp - listen admin_dam/compose-service compose ports (container)
8:20 20202 tcp $VIP expose admin_dam/compose-service compose ports (published)
11:17 20203 tcp - listen admin_dam/compose-service compose ports (container)
12:21 8443 tcp any expose admin_dam/compose-service compose ports (published)
14:17 28952 tcp - listen admin_dam/compose-service compose ports (container)
15:20 28952 tcp $VIP expose admin_dam/compose-service compose ports (published)
20:17 5000 tcp - listen / compose ports (container)
21:21 5000-5001 tcp any expose / compose ports (published)
`},
		{"k8s/initsidecar.yaml", `
20:22 28950 tcp - listen envoy/name k8s containerPort
21:22 9902 tcp - listen envoy/name k8s containerPort
27:22 28951 tcp - listen data_dam/label k8s containerPort
29:22 28952 tcp - listen data_dam/label k8s containerPort
30:17 28952 tcp any listen data_dam/label k8s hostPort
32:22 28953 tcp - listen data_dam/label k8s containerPort
33:17 28952 tcp 127.0.0.1 listen data_dam/label k8s hostPort
36:22 9977 udp - listen data_dam/label k8s containerPort
39:20 28951 tcp - dial data_dam/label k8s startupProbe grpc (named port dam)
41:23 28952 tcp - dial data_dam/label k8s readinessProbe httpGet (named port control)
`},
		{"kuma/dataplane.yaml", `
9:13 20200 tcp 10.0.0.12 listen webserver/kuma kuma inbound port
10:20 8299 tcp 127.0.0.1 listen webserver/kuma kuma inbound servicePort
16:13 20201 tcp 10.0.0.13 listen webserver/kuma kuma inbound port
21:13 10000 tcp - dial / kuma outbound port
23:13 33033 tcp 127.0.0.1 dial data_dam/kuma kuma outbound port
26:13 9977 tcp - dial data_dam/kuma kuma outbound port
29:11 9901 tcp - listen webserver/kuma kuma admin
36:30 8099 tcp 192.168.0.5 listen agent/kuma kuma inbound interface (dataplane port)
36:35 20000 tcp - listen agent/kuma kuma inbound interface (service port)
39:19 28951 tcp - dial data_dam/kuma kuma outbound interface
41:28 20300 tcp 127.0.0.1 dial etcd-engine/kuma kuma outbound interface
`},
		{"envoy/envoy.yaml", `
10:52 9902 tcp any listen envoy/name envoy admin
17:21 28950 tcp any listen envoy/name envoy listener
20:53 15001 tcp any listen envoy/name envoy listener
50:75 20200 tcp webserver.engine.svc dial webserver/name envoy cluster endpoint
53:75 8298 tcp webserver.engine.svc dial webserver/name envoy cluster endpoint
60:85 18000 tcp control-plane dial / envoy cluster endpoint
`},
		{"config/data_dam/config.yaml", `
5:20 28952 tcp any listen data_dam/name config
6:9 28951 tcp - default data_dam/name config
10:14 28959 tcp - default data_dam/name config
12:27 28952 tcp 127.0.0.1 listen data_dam/name config
21:33 20200 tcp webserver dial webserver/name config
21:63 8299 tcp webserver dial webserver/name config
26:28 28970 tcp any default data_dam/name config
28:35 28971 tcp any dial / config
31:26 28972 tcp 127.0.0.1 dial / config
33:32 5353 tcp 127.0.0.1 dial / config
35:26 8099 tcp agent.engine.svc dial agent/name config
37:9 28953 tcp - dial polycube/name config
40:9 3306 tcp - dial mysql/name config
43:14 9977 tcp any default data_dam/name config
45:35 8099 tcp agent.engine.svc dial agent/name config
46:31 20200 tcp webserver dial webserver/name config
46:59 20201 tcp webserver dial webserver/name config
`},
		// Shapes from third-party trees: a key that merely contains a
		// component's name (envoyOtelAls) is not that component; a port
		// beside another host's name is a dial; targetPorts dial, probes
		// dial the owner, a service's ports are exposed.
		{"config/realworld.yaml", `
8:15 4317 tcp - dial / config
10:29 4317 tcp - dial / config
14:30 9090 tcp 127.0.0.1 dial / config
17:34 8099 tcp agent-0.agent dial agent/name config
`},
		// Attribution by key path: the control plane's chart and defaults
		// carry the sidecar's values (configure when the file has an
		// owner, the scanner's role when not); a dial under such a key
		// stays a dial to its target.
		{"mesh/charts/istiod/values.yaml", `
6:19 15020 tcp - configure sidecar/key helm values
7:18 15010 tcp - configure sidecar/key helm values
10:40 9411 tcp zipkin.istio-system dial / helm values
14:15 15090 tcp - configure sidecar/key helm values
15:20 15099 tcp - configure sidecar/key helm values
17:11 15010 tcp - default istiod/glob helm values
18:21 15014 tcp - default istiod/glob helm values
19:17 15020 tcp - default istiod/glob helm values
22:9 15017 tcp - default istiod/glob helm values
`},
		{"mesh/istiod/config.yaml", `
2:11 15012 tcp any listen istiod/name config
4:14 15000 tcp - configure sidecar/key config
5:14 15001 tcp - default istiod/name config
`},
		{"mesh/defaults.yaml", `
3:14 15010 tcp - default sidecar/key config
6:17 15020 tcp - default sidecar/key config
`},
		// ServicePorts in values lists and mappings: port published,
		// targetPort the chart's pods, nodePort, containerPort, each with
		// its protocol; a network policy's ports let traffic through.
		{"helm/webserver/values-ports.yaml", `
7:13 20200 tcp - expose webserver/name helm values
8:19 8299 tcp - dial webserver/name helm values
10:25 8298 tcp - expose webserver/name helm values
10:43 20201 tcp - dial webserver/name helm values
12:13 20210 udp - expose webserver/name helm values
13:17 30210 udp - expose webserver/name helm values
18:22 20201 tcp - listen webserver/name helm values
22:11 20200 tcp - expose webserver/name helm values
23:17 20200 tcp - dial webserver/name helm values
29:17 80 tcp - dial / helm values
31:17 53 udp - dial / helm values
35:17 20200 tcp - dial webserver/name helm values
`},
		// Packet-filter rules and mesh annotations: match claims nothing,
		// redirect targets the rule's component (the proxy's port when
		// a container of the pod names the proxy); -u 1337 is a user id,
		// -p tcp a protocol, the app's own flags stay listeners.
		{"mesh/injected.yaml", `
12:56 15020 tcp - match reviews/label annotation traffic.sidecar.istio.io/excludeInboundPorts
12:63 9080 tcp - match reviews/label annotation traffic.sidecar.istio.io/excludeInboundPorts
14:53 15006 tcp - redirect sidecar/name annotation kuma.io/transparent-proxying-inbound-port
15:54 15014 tcp - redirect sidecar/name annotation kuma.io/transparent-proxying-outbound-port
16:30 15020 tcp - default sidecar/name k8s annotation prometheus.io/port
21:41 15001 tcp - redirect sidecar/name istio-iptables -p
21:56 15006 tcp - redirect sidecar/name istio-iptables -z
22:52 15090 tcp - match sidecar/name istio-iptables -d
22:58 15021 tcp - match sidecar/name istio-iptables -d
22:64 15020 tcp - match sidecar/name istio-iptables -d
26:47 15001 tcp - redirect sidecar/name istio-iptables --envoy-port
26:77 15010 tcp - redirect sidecar/name istio-iptables --inbound-capture-port
30:93 80 tcp - match reviews/name iptables --dports
30:96 15010 tcp - match reviews/name iptables --dports
30:125 9080 tcp - redirect reviews/name iptables --to-ports
30:153 9080 tcp - listen reviews/name k8s command
32:30 9080 tcp - listen reviews/name k8s containerPort
38:54 53 tcp - match sidecar/name nft dport
38:58 15010 tcp - match sidecar/name nft dport
38:79 15053 tcp - redirect sidecar/name nft redirect to
38:129 53 udp - match sidecar/name iptables --dport
38:163 15053 udp - redirect sidecar/name iptables --to-destination
40:30 15090 tcp - listen sidecar/name k8s containerPort
`},
		// Ports that are not the component's: public hosts it pings or
		// asks, schemes' default ports, range bounds (not read at all).
		{"config/pings.yaml", `
4:21 443 tcp 1.1.1.1 dial / config
5:31 443 tcp www.google.com dial / config
8:9 53 tcp - dial / config
11:9 53 tcp - dial / config
13:9 80 tcp - dial / config
14:10 443 tcp - dial / config
15:20 443 tcp - dial / config
23:22 5000 tcp 203.0.113.7 listen / config
25:9 5080 tcp - default / config
28:11 80 tcp - default / config
29:12 443 tcp - default / config
`},
		{"helm/ingress/ci/internal-lb-values.yaml", `
7:21 30443 tcp - expose / helm values
7:35 80 tcp - expose / helm values
8:27 443 tcp - dial / helm values
8:39 80 tcp - dial / helm values
10:37 10254 tcp - dial / helm values
13:9 8080 tcp - default / helm values
`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := scanFixture(t, filepath.Join(fixtureRoot, tc.file))
			if got, want := inventory(f), strings.TrimPrefix(tc.want, "\n"); got != want {
				t.Errorf("uses of %s:\n%s\nwant:\n%s", tc.file, got, want)
			}
		})
	}
}

// TestPositions checks that every use's position is the byte position of
// its digits, whatever stands before them on the line: multi-byte text,
// quotes, escapes, flow collections, anchors and tags, tabs in JSON, CRLF,
// a byte order mark, YAML 1.1 line breaks (NEL, LS), block scalars.
func TestPositions(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // line:col of each use, in order
	}{
		{"ascii", "services:\n  agent:\n    image: a\n    ports: [\"127.0.0.1:28952:7000\"]\n", []string{"4:24", "4:30"}},
		{"multibyte key", "services:\n  agent:\n    image: a\n    labels: {ünïcödé: 中文}\n    ports: [\"中:28952\"]\n", nil},
		{"multibyte before", "# 注释\nhttp:\n  描述: \"端口\"\n  listen: {地址: 1, port: 28951}\n", []string{"4:29"}},
		{"double quoted escapes", "config: {é: 1, addr: \"\\x30.0.0.0:28951\"}\n", []string{"1:35"}},
		{"double quoted", "config:\n  listen: \"localhost\\u003a28951\"\n", []string{"2:27"}},
		{"single quoted", "'it''s é': {listen: 'localhost:28951'}\n", []string{"1:33"}},
		{"anchor and tag", "a:\n  port: &p !!int 28951\n  b: {port: *p}\n", []string{"2:18"}},
		{"json tabs", "{\n\t\"é\": \"ü\",\t\"port\":\t28951\n}\n", []string{"2:22"}},
		{"crlf", "a: 1\r\nport: 28951\r\nlisten: \":28952\"\r\n", []string{"2:7", "3:11"}},
		{"bom", "\ufeffport: 28951\n", []string{"1:10"}},
		{"nel", "a: é\u0085port: 28951\n", []string{"2:7"}},
		{"line separator", "a: 1\u2028port: 28951\n", []string{"2:7"}},
		{"block scalar", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    args:\n    - |2\n      exec app --name=é \\\n        --listen=:28951\n", []string{"10:19"}},
		{"folded plain", "é:\n  endpoints: a.example:1,\n    b.example:28951\n  listen: >-\n    0.0.0.0:28952\n", []string{"2:24", "3:15", "5:13"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.src)
			f, err := Scan("x.yaml", data, Options{Registry: flagship(t)})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Uses) == 0 {
				t.Fatalf("no uses in %q", tc.src)
			}
			var got []string
			for _, u := range f.Uses {
				digits := string(data[u.Pos.Offset:u.End.Offset])
				if digits != strconv.Itoa(u.Port) {
					t.Errorf("use of %d at %s spans %q", u.Port, u.Pos, digits)
				}
				if err := consistent(data, u.Pos); err != nil {
					t.Error(err)
				}
				got = append(got, fmt.Sprintf("%d:%d", u.Pos.Line, u.Pos.Column))
			}
			if tc.want != nil && strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("positions %v, want %v", got, tc.want)
			}
		})
	}
}

// consistent checks that a position's line and byte column agree with its
// offset, counting lines as YAML does.
func consistent(data []byte, p check.Position) error {
	src := newSource("", data)
	if want := src.pos(p.Offset); want.Line != p.Line || want.Column != p.Column {
		return fmt.Errorf("position %d:%d does not match offset %d (%d:%d)", p.Line, p.Column, p.Offset, want.Line, want.Column)
	}
	return nil
}

// TestFixes applies the retired-port fixes of a fixture and compares the
// result with its golden file; applying the fixes of the result changes
// nothing more.
func TestFixes(t *testing.T) {
	files, _ := filepath.Glob("testdata/fix/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fix fixtures")
	}
	reg := flagship(t)
	fix := func(p string, data []byte) ([]byte, int) {
		f, err := Scan(p, data, Options{Registry: reg})
		if err != nil {
			t.Fatal(err)
		}
		fs := Check(f, &check.Checker{Reg: reg})
		n := 0
		for _, fd := range fs {
			if !fd.Ignored {
				n += len(fd.Fixes)
			}
		}
		return ApplyFixes(data, fs), n
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(p + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			got, n := fix(p, data)
			if n == 0 {
				t.Fatal("no fixes offered")
			}
			if !bytes.Equal(got, want) {
				t.Errorf("fixed %s:\n%s\nwant:\n%s", p, got, want)
			}
			again, _ := fix(p, got)
			if !bytes.Equal(again, got) {
				t.Errorf("fixing twice changed more:\n%s", again)
			}
		})
	}
}
