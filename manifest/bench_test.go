package manifest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
)

// corpus generates n manifests of the scanned kinds in equal parts:
// Kubernetes Deployments with Services, compose files, Envoy bootstraps
// and plain configs, with ports from the plan and outside it.
func corpus(n int) [][]byte {
	rnd := rand.New(rand.NewSource(1))
	ports := []int{20000, 20200, 20201, 28950, 28951, 28952, 8099, 8299, 9977, 30080, 5000, 15001}
	port := func() int { return ports[rnd.Intn(len(ports))] }
	comps := []string{"agent", "webserver", "data-dam", "envoy", "polycube", "other"}
	comp := func() string { return comps[rnd.Intn(len(comps))] }
	var out [][]byte
	for i := 0; i < n; i++ {
		var b strings.Builder
		switch i % 4 {
		case 0:
			c := comp()
			fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  labels: {app: %s}\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n      containers:\n", c, c, c)
			for k := 0; k < 3; k++ {
				fmt.Fprintf(&b, "      - name: c%d\n        image: engine/%s:1.%d\n        args: [\"--port=%d\", \"--log-level=4\", \"--metrics-addr=127.0.0.1:%d\"]\n        ports:\n        - {name: p%d, containerPort: %d}\n        - {name: q%d, containerPort: %d, protocol: UDP}\n        env:\n        - {name: HTTP_PORT, value: \"%d\"}\n        - {name: GOMAXPROCS, value: \"4\"}\n        resources: {limits: {cpu: 500m, memory: 512Mi}}\n        livenessProbe: {httpGet: {port: p%d, path: /}, periodSeconds: 10}\n",
					k, c, k, port(), port(), k, port(), k, port(), port(), k)
			}
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: %s}\nspec:\n  type: NodePort\n  selector: {app: %s}\n  ports:\n  - {port: %d, targetPort: p0, nodePort: 30080}\n", c, c, port())
		case 1:
			b.WriteString("services:\n")
			for k := 0; k < 4; k++ {
				fmt.Fprintf(&b, "  %s%d:\n    image: engine/%s\n    ports:\n      - \"%d:%d\"\n      - \"127.0.0.1:%d:%d/udp\"\n      - target: %d\n        published: \"%d\"\n    environment:\n      LISTEN_ADDR: \":%d\"\n      WORKERS: 8\n    deploy: {replicas: 2}\n", comp(), k, comp(), port(), port(), port(), port(), port(), port(), port())
			}
		case 2:
			fmt.Fprintf(&b, "node: {id: n, cluster: envoy}\nadmin:\n  address: {socket_address: {address: 127.0.0.1, port_value: %d}}\nstatic_resources:\n  listeners:\n", port())
			for k := 0; k < 3; k++ {
				fmt.Fprintf(&b, "  - name: l%d\n    address: {socket_address: {address: 0.0.0.0, port_value: %d}}\n    filter_chains: [{filters: [{name: envoy.filters.network.tcp_proxy, typed_config: {stat_prefix: t, cluster: c%d}}]}]\n", k, port(), k)
			}
			b.WriteString("  clusters:\n")
			for k := 0; k < 3; k++ {
				fmt.Fprintf(&b, "  - name: c%d\n    connect_timeout: 1s\n    load_assignment:\n      cluster_name: %s\n      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: %s.svc, port_value: %d}}}}]}]\n", k, comp(), comp(), port())
			}
		case 3:
			fmt.Fprintf(&b, "server:\n  listen: \"0.0.0.0:%d\"\n  read_timeout: 30s\n  max_header_bytes: 8192\nmetrics: {port: %d, path: /metrics}\nupstreams:\n", port(), port())
			for k := 0; k < 5; k++ {
				fmt.Fprintf(&b, "  - {name: u%d, endpoint: \"http://%s:%d/api\", retries: 3}\n", k, comp(), port())
			}
			b.WriteString("logging: {level: info, max_size: 100}\n")
		}
		out = append(out, []byte(b.String()))
	}
	return out
}

// BenchmarkScan measures Scan and Check over a generated corpus of
// manifests; it reports MB/s of manifest text.
func BenchmarkScan(b *testing.B) {
	files := corpus(400)
	size := 0
	for _, f := range files {
		size += len(f)
	}
	reg := flagship(b)
	c := &check.Checker{Reg: reg}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	uses := 0
	for i := 0; i < b.N; i++ {
		uses = 0
		for k, data := range files {
			f, err := Scan(fmt.Sprintf("f%d.yaml", k), data, Options{Registry: reg})
			if err != nil {
				b.Fatal(err)
			}
			uses += len(f.Uses)
			Check(f, c)
		}
	}
	b.ReportMetric(float64(uses), "uses/op")
}

// TestCorpusScans keeps the benchmark's corpus honest: it must parse and
// hold uses of every kind it generates.
func TestCorpusScans(t *testing.T) {
	reg := flagship(t)
	kinds := map[string]int{}
	for k, data := range corpus(8) {
		f, err := Scan(fmt.Sprintf("f%d.yaml", k), data, Options{Registry: reg})
		if err != nil {
			t.Fatalf("generated file %d: %v\n%s", k, err, data)
		}
		if len(f.Uses) == 0 {
			t.Errorf("generated file %d has no uses:\n%s", k, data)
		}
		kinds[f.Kind]++
	}
	for _, k := range []string{KindKubernetes, KindCompose, KindEnvoy, KindConfig} {
		if kinds[k] != 2 {
			t.Errorf("corpus has %d files of kind %s, want 2 (%v)", kinds[k], k, kinds)
		}
	}
}

// BenchmarkYAMLDecode decodes the same corpus with yaml.v3 alone: the
// floor under BenchmarkScan.
func BenchmarkYAMLDecode(b *testing.B) {
	files := corpus(400)
	size := 0
	for _, f := range files {
		size += len(f)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, data := range files {
			dec := yaml.NewDecoder(bytes.NewReader(data))
			for {
				var n yaml.Node
				if err := dec.Decode(&n); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
			}
		}
	}
}
