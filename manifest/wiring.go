package manifest

import (
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
)

// The wiring facts of a file: what its pods and compose services serve and
// probe, and what its Services route to. Wiring reads them across every
// file of the tree, with the Go inventory, to tell a probe or a Service
// pointed at a port nothing serves.
//
// A file read with its template actions set aside (a Helm template scanned
// line by line) gives no facts: its ports, probes and labels may be the
// template's, and a verdict on half a pod would cry wolf. A rendered chart
// gives its facts like any manifest.

// A Pod is a Kubernetes pod template (of a Deployment, a StatefulSet, ...)
// or a compose service, with its containers.
type Pod struct {
	Kind      string // the workload's kind, or "compose" for a compose service
	Name      string // metadata.name, or the compose service's name
	Namespace string // metadata.namespace as written ("" when not set)
	Pos       check.Position
	// Labels are the pod template's labels (the object's when the template
	// has none): what a Service's selector matches.
	Labels      map[string]string
	HostNetwork bool // hostNetwork: true, or network_mode: host
	Component   string
	Containers  []*Container
}

// A Container is one container of a pod, or a compose service's.
type Container struct {
	Name      string
	Component string
	// Own is set when the container itself names its component (by its
	// name or image, or as the pod's only container): a sidecar of a
	// component's pod is not the component.
	Own   bool
	Ports []DeclaredPort
	// Served holds the numbers the container's command line and
	// environment spell ("--health-addr=:8081", "PORT=8081"), with where
	// each is written. Any number counts: a port set this way is served,
	// whatever the flag's name.
	Served map[int]check.Position
	// Open is set when the container's ports may be set where portlint
	// cannot read them: environment from ConfigMaps or Secrets,
	// "$(VAR)" references, a config file named on the command line, a
	// templated value. Open containers are never said to miss a port by
	// number.
	Open   bool
	Probes []Probe
}

// A DeclaredPort is a containerPort (or a compose service's container port).
type DeclaredPort struct {
	Name     string
	Port     int // 0 when the value is not a number
	PortEnd  int // the last port of a compose run ("8000-8005"), else 0
	Pos, End check.Position
}

// A Probe is a liveness, readiness or startup probe's port: a number or a
// name.
type Probe struct {
	What     string // "livenessProbe httpGet"
	Port     int    // 0 when named
	Name     string // the port's name, "" when a number
	Pos, End check.Position
}

// A Service is a Kubernetes Service with a selector.
type Service struct {
	Name, Namespace string
	Type            string
	Headless        bool // clusterIP: None
	Selector        map[string]string
	Pos             check.Position // its name
	Component       string
	Ports           []ServicePort
}

// A ServicePort is one port of a Service and the pod port it routes to.
type ServicePort struct {
	Port       int
	TargetPort int    // the number routed to: targetPort, or port when targetPort is absent
	TargetName string // a named targetPort
	// Pos and End are the targetPort's value, or the port's when targetPort
	// is absent.
	Pos, End check.Position
}

// factsOff reports whether the file gives no wiring facts.
func (s *scanner) factsOff() bool { return s.templated }

// newPod starts the facts of a pod.
func (s *scanner) newPod(kind string, meta *yaml.Node, labels map[string]string, hostNet bool, o owner) *Pod {
	if s.factsOff() {
		return nil
	}
	p := &Pod{Kind: kind, Name: s.str(s.get(meta, "name")), Namespace: s.str(s.get(meta, "namespace")), Pos: s.posOf(meta),
		Labels: labels, HostNetwork: hostNet, Component: o.comp}
	if nm := s.asScalar(s.get(meta, "name")); nm != nil {
		p.Pos, _ = s.locate(whole(nm))
	}
	s.file.Pods = append(s.file.Pods, p)
	return p
}

// containerFacts records what a Kubernetes container serves and probes.
func (s *scanner) containerFacts(p *Pod, c *yaml.Node, o owner, own bool) {
	if p == nil {
		return
	}
	ct := &Container{Name: s.str(s.get(c, "name")), Component: o.comp, Own: own, Served: map[int]check.Position{}}
	for _, port := range s.asSeq(s.get(c, "ports")) {
		v := s.asScalar(s.get(port, "containerPort"))
		if v == nil {
			continue
		}
		pos, end := s.locate(whole(v))
		n, ok := parsePort(v.Value)
		if !ok {
			ct.Open = true // a computed port: its number is unknown, its name is not
		}
		ct.Ports = append(ct.Ports, DeclaredPort{Name: s.str(s.get(port, "name")), Port: n, Pos: pos, End: end})
	}
	for _, k := range []string{"command", "args"} {
		for _, it := range s.asSeq(s.get(c, k)) {
			s.servedIn(ct, s.asScalar(it))
		}
	}
	if s.get(c, "envFrom") != nil {
		ct.Open = true
	}
	for _, e := range s.asSeq(s.get(c, "env")) {
		if s.get(e, "valueFrom") != nil {
			ct.Open = true
		}
		s.servedIn(ct, s.asScalar(s.get(e, "value")))
	}
	for _, k := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
		for _, h := range []string{"httpGet", "tcpSocket", "grpc"} {
			pr := s.path(c, k, h)
			v := s.asScalar(s.get(pr, "port"))
			if v == nil || s.str(s.get(pr, "host")) != "" {
				continue // a probe of another host is not the container's
			}
			pos, end := s.locate(whole(v))
			pb := Probe{What: k + " " + h, Pos: pos, End: end}
			if n, ok := parsePort(v.Value); ok {
				pb.Port = n
			} else if isPortName(v.Value) {
				pb.Name = v.Value
			} else {
				continue
			}
			ct.Probes = append(ct.Probes, pb)
		}
	}
	p.Containers = append(p.Containers, ct)
}

// servedIn records the numbers a command-line word or an environment
// value spells, and opens the container when the value is computed.
func (s *scanner) servedIn(ct *Container, v *yaml.Node) {
	if v == nil {
		return
	}
	text := v.Value
	if isTemplated(text) || strings.Contains(text, "$") {
		ct.Open = true
	}
	if configFileArg(text) {
		ct.Open = true
	}
	for i := 0; i < len(text); {
		if text[i] < '0' || text[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		if n, ok := parsePort(text[i:j]); ok {
			if _, seen := ct.Served[n]; !seen {
				pos, _ := s.locate(ref{v, i, j})
				ct.Served[n] = pos
			}
		}
		i = j
	}
}

// configFileArg reports whether a command-line word names a configuration
// file, which may set the process's ports.
func configFileArg(w string) bool {
	l := strings.ToLower(w)
	if strings.Contains(l, "config") || strings.Contains(l, "conf=") {
		return true
	}
	for _, ext := range []string{".yaml", ".yml", ".json", ".toml", ".conf", ".cfg", ".ini", ".hcl", ".properties", ".xml"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}

// isPortName reports whether v is an IANA_SVC_NAME, the form of a named
// port: 1 to 15 lowercase letters, digits and hyphens with a letter.
func isPortName(v string) bool {
	if v == "" || len(v) > 15 {
		return false
	}
	letter := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letter
}

// serviceFacts records a Service's selector and the ports it routes to.
func (s *scanner) serviceFacts(n *yaml.Node, own owner) {
	if s.factsOff() {
		return
	}
	meta := s.get(n, "metadata")
	spec := s.get(n, "spec")
	sv := &Service{Name: s.str(s.get(meta, "name")), Namespace: s.str(s.get(meta, "namespace")), Type: s.str(s.get(spec, "type")),
		Headless: s.str(s.get(spec, "clusterIP")) == "None", Selector: s.strMap(s.get(spec, "selector")), Pos: s.posOf(meta), Component: own.comp}
	if nm := s.asScalar(s.get(meta, "name")); nm != nil {
		sv.Pos, _ = s.locate(whole(nm))
	}
	for _, p := range s.asSeq(s.get(spec, "ports")) {
		pv := s.asScalar(s.get(p, "port"))
		if pv == nil {
			continue
		}
		port, ok := parsePort(pv.Value)
		if !ok {
			continue
		}
		sp := ServicePort{Port: port, TargetPort: port}
		at := pv
		if tv := s.asScalar(s.get(p, "targetPort")); tv != nil {
			at = tv
			sp.TargetPort = 0
			if n, ok := parsePort(tv.Value); ok {
				sp.TargetPort = n
			} else if isPortName(tv.Value) {
				sp.TargetName = tv.Value
			} else {
				continue
			}
		}
		sp.Pos, sp.End = s.locate(whole(at))
		sv.Ports = append(sv.Ports, sp)
	}
	s.file.Services = append(s.file.Services, sv)
}

// composeFacts records a compose service as a pod of one container: its
// container ports (from the uses its ports gave), and the numbers of its
// command, entrypoint and environment.
func (s *scanner) composeFacts(name, svc *yaml.Node, o owner, hostNet bool, uses []*check.Use) {
	if s.factsOff() {
		return
	}
	p := &Pod{Kind: "compose", Name: name.Value, Pos: s.posOf(name), HostNetwork: hostNet, Component: o.comp}
	p.Pos, _ = s.locate(whole(name))
	ct := &Container{Name: name.Value, Component: o.comp, Own: o.comp != "", Served: map[int]check.Position{}}
	for _, u := range uses {
		if u.Source == "compose ports (container)" {
			ct.Ports = append(ct.Ports, DeclaredPort{Port: u.Port, PortEnd: u.PortEnd, Pos: u.Pos, End: u.End})
		}
	}
	if s.get(svc, "env_file") != nil {
		ct.Open = true
	}
	for _, k := range []string{"entrypoint", "command"} {
		c := s.get(svc, k)
		if v := s.asScalar(c); v != nil {
			s.servedIn(ct, v)
		}
		for _, it := range s.asSeq(c) {
			s.servedIn(ct, s.asScalar(it))
		}
	}
	env := s.get(svc, "environment")
	for _, kv := range s.pairs(env) {
		s.servedIn(ct, s.asScalar(kv.v))
	}
	for _, it := range s.asSeq(env) {
		s.servedIn(ct, s.asScalar(it))
	}
	for _, it := range s.asSeq(s.get(svc, "ports")) {
		if v := s.asScalar(it); v != nil && isTemplated(v.Value) && !interpolation.MatchString(v.Value) {
			ct.Open = true
		}
	}
	p.Containers = []*Container{ct}
	s.file.Pods = append(s.file.Pods, p)
}

// kustomizeFacts records the directories a kustomization patches: its own
// and the directories it names as resources, bases and components, when
// it has patches, replacements or components (which may add containers
// and ports, as a JSON patch appending a sidecar does). Their pods are
// not judged.
func (s *scanner) kustomizeFacts(root *yaml.Node, kind string) {
	base := strings.ToLower(path.Base(filepath.ToSlash(s.file.Path)))
	if kind != "Kustomization" && kind != "Component" && base != "kustomization.yaml" && base != "kustomization.yml" && base != "kustomization" {
		return
	}
	patched := false
	for _, k := range []string{"patches", "patchesStrategicMerge", "patchesJson6902", "replacements", "components"} {
		if s.get(root, k) != nil {
			patched = true
		}
	}
	if !patched && kind != "Component" {
		return
	}
	dir := filepath.Dir(s.file.Path)
	s.file.Patches = append(s.file.Patches, dir)
	for _, k := range []string{"resources", "bases", "components"} {
		for _, it := range s.asSeq(s.get(root, k)) {
			v := s.str(it)
			if v == "" || strings.Contains(v, "://") || filepath.IsAbs(v) {
				continue
			}
			s.file.Patches = append(s.file.Patches, filepath.Join(dir, filepath.FromSlash(v)))
		}
	}
}
