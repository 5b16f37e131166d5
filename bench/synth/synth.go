// Package synth writes a synthetic Go module for portlint's benchmarks and
// tests: services with listeners, flag defaults, struct tags and port
// constants; many more library packages without any port use, as real
// modules have; Kubernetes and compose manifests; and the registry.yaml
// that plans the services' ports, with a few deliberate mistakes.
package synth

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Options size the module.
type Options struct {
	Packages  int   // Go packages in all
	Manifests int   // YAML manifests
	Seed      int64 // the same seed writes the same module
}

// Module is the module path of the written module.
const Module = "example.com/synth"

// A service is one component: cmd/svcNNN (a main package) and
// internal/svcNNN (its server), with ports base and base+1.
type service struct {
	name string
	base int
}

// Write writes the module into dir, which must not exist or be empty.
// About one package in ten holds a port use.
func Write(dir string, o Options) error {
	if o.Packages < 3 {
		return fmt.Errorf("synth: at least 3 packages, got %d", o.Packages)
	}
	rng := rand.New(rand.NewSource(o.Seed))
	nsvc := max(1, o.Packages/20)
	nlib := o.Packages - 2*nsvc
	w := &writer{dir: dir}
	w.file("go.mod", fmt.Sprintf("module %s\n\ngo 1.26\n", Module))
	svcs := make([]service, nsvc)
	for i := range svcs {
		svcs[i] = service{name: fmt.Sprintf("svc%03d", i), base: 20000 + 10*i}
	}
	w.file("registry.yaml", registry(svcs))
	for i := 0; i < nlib; i++ {
		w.file(fmt.Sprintf("lib/pkg%03d/pkg%03d.go", i, i), library(rng, i))
	}
	for i, s := range svcs {
		w.file("internal/"+s.name+"/server.go", server(s))
		w.file("cmd/"+s.name+"/main.go", mainPkg(s, svcs, i, nlib))
	}
	for i := 0; i < o.Manifests; i++ {
		s := svcs[i%nsvc]
		switch {
		case i == nsvc:
			w.file("docker-compose.yaml", compose(svcs))
		case i < nsvc:
			w.file("deploy/"+s.name+"/deployment.yaml", deployment(s, i))
		default:
			w.file(fmt.Sprintf("deploy/%s/service-%d.yaml", s.name, i), k8sService(s, i))
		}
	}
	return w.err
}

type writer struct {
	dir string
	err error
}

func (w *writer) file(name, content string) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	if w.err = os.MkdirAll(filepath.Dir(p), 0o777); w.err != nil {
		return
	}
	w.err = os.WriteFile(p, []byte(content), 0o666)
}

func registry(svcs []service) string {
	var b strings.Builder
	b.WriteString("version: 1\ngroups:\n  svc: {pool: \"[20000, 30000)\"}\nranges:\n")
	for _, s := range svcs {
		fmt.Fprintf(&b, "  - {name: %s, group: svc, span: \"[%d, %d)\"}\n", s.name, s.base, s.base+10)
	}
	b.WriteString("components:\n")
	for i, s := range svcs {
		fmt.Fprintf(&b, "  - name: %s\n    group: svc\n    ranges: [%s]\n", s.name, s.name)
		fmt.Fprintf(&b, "    packages: [\"*/cmd/%s/...\", \"*/internal/%s/...\"]\n", s.name, s.name)
		fmt.Fprintf(&b, "    manifests: [\"deploy/%s/**\"]\n    aliases: [%s-app]\n    ports:\n", s.name, s.name)
		fmt.Fprintf(&b, "      - {port: %d, was: %d, purpose: api}\n", s.base, 9000+i)
		fmt.Fprintf(&b, "      - {port: %d, bind: 127.0.0.1, purpose: metrics}\n", s.base+1)
	}
	b.WriteString("reserved:\n  - {span: \"[30000, 32767]\", owner: Kubernetes NodePort services}\n  - {port: 9090, owner: Prometheus}\n")
	return b.String()
}

// library is a package without port use: types, loops, and numbers that
// are not ports (timeouts, sizes, limits), importing two earlier ones.
func library(rng *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Package pkg%03d is library code with no network port.\npackage pkg%03d\n\nimport (\n\t\"errors\"\n\t\"sort\"\n\t\"strings\"\n\t\"time\"\n", i, i)
	var deps []int
	for _, d := range []int{i - 1, i / 2} {
		if d >= 0 && d < i && (len(deps) == 0 || deps[0] != d) {
			deps = append(deps, d)
		}
	}
	for _, d := range deps {
		fmt.Fprintf(&b, "\n\tdep%d %q\n", d, fmt.Sprintf("%s/lib/pkg%03d", Module, d))
	}
	b.WriteString(")\n\n")
	fmt.Fprintf(&b, "// Timeout bounds one call.\nconst Timeout = %d * time.Millisecond\n\n", 100+rng.Intn(5000))
	fmt.Fprintf(&b, "// MaxItems bounds a batch.\nconst MaxItems = %d\n\n", 1000+rng.Intn(60000))
	b.WriteString("// ErrEmpty is returned for an empty batch.\nvar ErrEmpty = errors.New(\"empty batch\")\n\n")
	b.WriteString("// Item is one record.\ntype Item struct {\n\tID    int\n\tName  string\n\tScore float64\n\tTags  []string\n}\n\n")
	for f := 0; f < 6; f++ {
		fmt.Fprintf(&b, "// Process%d sorts, filters and scores a batch.\nfunc Process%d(items []Item, limit int) ([]Item, error) {\n", f, f)
		b.WriteString("\tif len(items) == 0 {\n\t\treturn nil, ErrEmpty\n\t}\n\tif limit <= 0 || limit > MaxItems {\n\t\tlimit = MaxItems\n\t}\n")
		fmt.Fprintf(&b, "\tsort.Slice(items, func(i, j int) bool { return items[i].Score > items[j].Score })\n\tout := make([]Item, 0, %d)\n", 16+rng.Intn(4096))
		b.WriteString("\tfor _, it := range items {\n\t\tif strings.HasPrefix(it.Name, \"_\") {\n\t\t\tcontinue\n\t\t}\n")
		fmt.Fprintf(&b, "\t\tit.Score = it.Score*%d/100 + float64(len(it.Tags))\n", 1+rng.Intn(300))
		b.WriteString("\t\tout = append(out, it)\n\t\tif len(out) >= limit {\n\t\t\tbreak\n\t\t}\n\t}\n")
		if len(deps) > 0 && f == 0 {
			b.WriteString("\tnames := make([]string, 0, len(out))\n\tfor _, it := range out {\n\t\tnames = append(names, it.Name)\n\t}\n")
			for _, d := range deps {
				fmt.Fprintf(&b, "\tif dep%[1]d.Join(names) == \"\" && limit > dep%[1]d.MaxItems {\n\t\treturn nil, ErrEmpty\n\t}\n", d)
			}
		}
		b.WriteString("\treturn out, nil\n}\n\n")
	}
	b.WriteString("// Join joins names.\nfunc Join(names []string) string { return strings.Join(names, \",\") }\n\n")
	b.WriteString("// Wait sleeps for the timeout, scaled.\nfunc Wait(factor int) { time.Sleep(Timeout * time.Duration(factor)) }\n")
	return b.String()
}

// server is internal/svcNNN: a listener behind a function whose parameter
// says port, and the service's port constants.
func server(s service) string {
	return fmt.Sprintf(`// Package %[1]s serves the %[1]s API.
package %[1]s

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// DefaultPort is where the API listens.
const DefaultPort = %[2]d

// MetricsAddr is where metrics are served, on loopback only.
const MetricsAddr = "127.0.0.1:%[3]d"

// Config is read from the environment.
type Config struct {
	APIAddr     string        `+"`env:\"API_ADDR\" envDefault:\":%[2]d\"`"+`
	ReadTimeout time.Duration `+"`env:\"READ_TIMEOUT\" envDefault:\"5s\"`"+`
}

// Serve listens on port with the handler.
func Serve(port int, h http.Handler) error {
	l, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return http.Serve(l, h)
}

// ServeMetrics serves the metrics endpoint.
func ServeMetrics(h http.Handler) error {
	srv := &http.Server{Addr: MetricsAddr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}
`, s.name, s.base, s.base+1)
}

// mainPkg is cmd/svcNNN: flags and the server; some services carry a
// deliberate mistake: a retired port, a wide bind, a neighbour's port.
func mainPkg(s service, svcs []service, i, nlib int) string {
	var extra string
	switch {
	case i%7 == 3:
		extra = fmt.Sprintf("\tgo http.ListenAndServe(\":%d\", nil) // the old port\n", 9000+i)
	case i%5 == 2:
		extra = fmt.Sprintf("\tgo http.ListenAndServe(\"0.0.0.0:%d\", nil)\n", s.base+1)
	case i%11 == 5 && len(svcs) > 1:
		extra = fmt.Sprintf("\tgo http.ListenAndServe(\":%d\", nil)\n", svcs[(i+1)%len(svcs)].base)
	}
	lib := ""
	if nlib > 0 {
		lib = fmt.Sprintf("\tlib %q\n", fmt.Sprintf("%s/lib/pkg%03d", Module, i%nlib))
	}
	use := ""
	if nlib > 0 {
		use = "\t_, _ = lib.Process0(nil, 10)\n"
	}
	return fmt.Sprintf(`// Command %[1]s runs the %[1]s service.
package main

import (
	"flag"
	"log"
	"net/http"

	server %[2]q
%[3]s)

var (
	port   = flag.Int("port", server.DefaultPort, "API port")
	pprof  = flag.String("pprof-addr", "127.0.0.1:%[4]d", "pprof listen address")
	limit  = flag.Int("limit", 5000, "requests per second")
)

func main() {
	flag.Parse()
%[5]s%[6]s	go server.ServeMetrics(http.DefaultServeMux)
	log.Printf("limit %%d, pprof on %%s", *limit, *pprof)
	log.Fatal(server.Serve(*port, http.DefaultServeMux))
}
`, s.name, Module+"/internal/"+s.name, lib, s.base+2, use, extra)
}

func deployment(s service, i int) string {
	metrics := s.base + 1
	if i%9 == 4 {
		metrics = 9090 // reserved by the platform
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  labels: {app: %[1]s}
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
        - name: %[1]s
          image: registry.example.com/%[1]s:1.0
          ports:
            - {name: api, containerPort: %[2]d}
            - {name: metrics, containerPort: %[3]d}
          readinessProbe:
            httpGet: {path: /healthz, port: %[2]d}
            periodSeconds: 10
          resources:
            limits: {memory: 512Mi, cpu: 500m}
`, s.name, s.base, metrics)
}

func k8sService(s service, i int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s-%[3]d
spec:
  selector: {app: %[1]s}
  ports:
    - {name: api, port: %[2]d, targetPort: %[2]d}
`, s.name, s.base, i)
}

func compose(svcs []service) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for _, s := range svcs[:min(len(svcs), 5)] {
		fmt.Fprintf(&b, "  %s-app:\n    image: registry.example.com/%s:1.0\n    ports:\n      - \"%d:%d\"\n", s.name, s.name, s.base, s.base)
	}
	return b.String()
}
