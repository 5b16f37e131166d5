package manifest

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// A k8sObj is one Kubernetes object of the file.
type k8sObj struct {
	n                *yaml.Node
	apiVersion, kind string
	base             int // line base of its document
}

// A workload is what Services of the same file need to know of a pod
// template: its labels, its owner and its named ports.
type workload struct {
	labels map[string]string
	owner  owner
	ports  map[string]int
}

// podSpecPaths are where the kinds keep their pod spec.
var podSpecPaths = map[string][]string{
	"Pod":                   {"spec"},
	"PodTemplate":           {"template", "spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// skipKinds hold no ports, or only schemas and encoded data.
var skipKinds = map[string]bool{
	"CustomResourceDefinition": true, "Secret": true, "Role": true, "ClusterRole": true, "RoleBinding": true,
	"ClusterRoleBinding": true, "ServiceAccount": true, "Namespace": true, "PersistentVolumeClaim": true,
	"PersistentVolume": true, "StorageClass": true, "PodDisruptionBudget": true, "HorizontalPodAutoscaler": true,
	"LimitRange": true, "ResourceQuota": true, "PriorityClass": true, "Kustomization": true, "Component": true,
	"Certificate": true, "Issuer": true, "ClusterIssuer": true, "ValidatingAdmissionPolicy": true,
	"ValidatingAdmissionPolicyBinding": true, "Lease": true, "Event": true, "CSIDriver": true,
}

// scanK8s scans the file's Kubernetes objects: workloads first, so that
// Services can find the pods they select.
func (s *scanner) scanK8s(objs []k8sObj) {
	var wls []*workload
	for _, o := range objs {
		if o.kind == "Service" {
			continue
		}
		s.startDoc(o.n, o.base)
		if w := s.k8sObject(o); w != nil {
			wls = append(wls, w)
		}
	}
	for _, o := range objs {
		if o.kind == "Service" {
			s.startDoc(o.n, o.base)
			s.service(o, wls)
		}
	}
}

func (s *scanner) k8sObject(o k8sObj) *workload {
	n := o.n
	meta := s.get(n, "metadata")
	if p, ok := podSpecPaths[o.kind]; ok {
		return s.workload(n, meta, p)
	}
	switch {
	case skipKinds[o.kind]:
		return nil
	case s.path(n, "spec", "template", "spec", "containers") != nil:
		return s.workload(n, meta, []string{"spec", "template", "spec"}) // Rollout, CloneSet and the like
	case o.kind == "Ingress":
		s.ingress(n)
	case o.kind == "NetworkPolicy":
		s.networkPolicy(n)
	case o.kind == "Endpoints":
		for _, ss := range s.asSeq(s.get(n, "subsets")) {
			s.portList(s.get(ss, "ports"), "port", vctx{source: "k8s Endpoints", role: check.Dial, isDial: true, dial: s.byName(viaName, s.str(s.get(meta, "name"))), names: []string{s.str(s.get(meta, "name"))}})
		}
	case o.kind == "EndpointSlice":
		svc := s.strMap(s.get(meta, "labels"))["kubernetes.io/service-name"]
		s.portList(s.get(n, "ports"), "port", vctx{source: "k8s EndpointSlice", role: check.Dial, isDial: true, dial: s.byName(viaName, svc), names: []string{svc}})
	case strings.HasSuffix(o.kind, "WebhookConfiguration"):
		for _, wh := range s.asSeq(s.get(n, "webhooks")) {
			svc := s.path(wh, "clientConfig", "service")
			s.portField(svc, "port", vctx{source: "k8s webhook service", role: check.Dial, isDial: true, dial: s.byName(viaName, s.str(s.get(svc, "name"))), names: []string{s.str(s.get(svc, "name"))}})
		}
	case o.kind == "APIService":
		svc := s.path(n, "spec", "service")
		s.portField(svc, "port", vctx{source: "k8s APIService service", role: check.Dial, isDial: true, dial: s.byName(viaName, s.str(s.get(svc, "name"))), names: []string{s.str(s.get(svc, "name"))}})
	case strings.HasPrefix(o.apiVersion, "gateway.networking.k8s.io/"):
		s.gatewayAPI(o)
	case o.kind == "ConfigMap":
		x := vctx{owner: first(s.byGlob(), s.byLabels(s.strMap(s.get(meta, "labels"))), s.byName(viaName, s.str(s.get(meta, "name")))), source: "k8s ConfigMap", role: check.Default}
		s.config(s.get(n, "data"), x, 0)
	default:
		// A resource of an unknown kind: only the plain-config rules, and
		// only on its spec.
		x := vctx{owner: first(s.byGlob(), s.byLabels(s.strMap(s.get(meta, "labels"))), s.byName(viaName, s.str(s.get(meta, "name")))), source: "k8s " + o.kind, role: check.Default}
		s.config(s.get(n, "spec"), x, 0)
	}
	return nil
}

func (s *scanner) workload(n, meta *yaml.Node, specPath []string) *workload {
	spec := s.path(n, specPath...)
	if spec == nil {
		return nil
	}
	podMeta := s.path(n, append(specPath[:len(specPath)-1:len(specPath)-1], "metadata")...)
	podLabels := s.strMap(s.get(podMeta, "labels"))
	objLabels := s.strMap(s.get(meta, "labels"))
	w := &workload{labels: podLabels, ports: map[string]int{}}
	if w.labels == nil {
		w.labels = objLabels
	}
	w.owner = first(s.byGlob(), s.byLabels(podLabels, objLabels), s.byName(viaName, s.str(s.get(meta, "name"))))
	hostNet := s.str(s.get(spec, "hostNetwork")) == "true"
	if hn := s.get(spec, "hostNetwork"); hostNet && s.underCondition(hn) {
		// {{- if .Values.hostNetwork }} hostNetwork: true {{- end }}: off
		// unless the values say otherwise
		hostNet = false
		s.notef(s.posOf(hn), "hostNetwork: true is set under a template condition; container ports are read as the pod's own")
	}

	var proxy owner // a container of the pod that is another component: a sidecar
	var ctrs []*yaml.Node
	ctrs = append(ctrs, s.asSeq(s.get(spec, "initContainers"))...)
	ctrs = append(ctrs, s.asSeq(s.get(spec, "containers"))...)
	pod := s.newPod(s.str(s.get(n, "kind")), meta, w.labels, hostNet, w.owner)
	inits := len(ctrs) - len(s.asSeq(s.get(spec, "containers")))
	for i, c := range ctrs {
		o := w.owner
		// In a pod of several containers, a container named after a
		// component is that component (an envoy sidecar beside data_dam).
		nm := s.byName(viaName, s.str(s.get(c, "name")))
		if nm.comp != "" && (len(ctrs) > 1 || o.comp == "") {
			o = nm
		}
		if o.comp == "" {
			o = s.byName(viaName, imageName(s.str(s.get(c, "image"))))
		}
		if i >= inits { // an init container has exited before probes and Services reach the pod
			ownC := o.comp != "" && (len(ctrs)-inits == 1 || nm.comp == o.comp || s.byName(viaName, imageName(s.str(s.get(c, "image")))).comp == o.comp)
			s.containerFacts(pod, c, o, ownC)
		}
		own := s.container(c, o, hostNet)
		for k, v := range own {
			if _, dup := w.ports[k]; !dup {
				w.ports[k] = v
			}
		}
		if o.comp != "" && o.comp != w.owner.comp {
			proxy = o
		}
	}
	// The mesh's annotations: the pod's ports a sidecar captures or
	// leaves alone, and where it redirects to (the proxy's own port: the
	// proxy's when a container of the pod names it, else unattributed).
	s.meshAnnotations(s.get(podMeta, "annotations"), w.owner, proxy)
	s.scrapeAnnotation(s.get(podMeta, "annotations"), w.owner, proxy)
	return w
}

// scrapeAnnotation records the pod's metrics port that a Prometheus
// scrape annotation names (prometheus.io/port: "9402"): the pod serves
// there. The other scrape annotations (scrape, path, scheme) hold no port.
// In a pod with a proxy of another component, a port the plan gives the
// proxy is the proxy's (Istio's injector points the annotation at the
// sidecar's merged metrics).
func (s *scanner) scrapeAnnotation(m *yaml.Node, o, proxy owner) {
	for _, p := range s.pairs(m) {
		if p.k.Value != "prometheus.io/port" {
			continue
		}
		v := s.asScalar(p.v)
		if v == nil {
			continue
		}
		if port, ok := parsePort(v.Value); ok {
			o := o
			if s.assigns(proxy.comp, port) {
				o = proxy
			}
			s.add(whole(v), check.Use{Port: port, Proto: registry.TCP, Role: check.Default, Component: o.comp, Via: o.via,
				Source: "k8s annotation prometheus.io/port", Names: []string{"prometheus.io/port"}})
		} else if isTemplated(v.Value) {
			s.noteValue(v, "annotation prometheus.io/port")
		}
	}
}

// assigns reports whether the plan gives the port to the component.
func (s *scanner) assigns(comp string, port int) bool {
	if s.reg == nil || comp == "" {
		return false
	}
	c := s.reg.Component(comp)
	if c == nil {
		return false
	}
	groups := c.Groups
	if len(groups) == 0 {
		groups = []*registry.Group{c.Group}
	}
	for _, g := range groups {
		for _, a := range s.reg.Assignments(g, port) {
			if a.Component == c {
				return true
			}
		}
	}
	return false
}

// imageName returns the repository's last element of an image reference:
// "registry.example.com/engine/webserver:1.2" -> "webserver".
func imageName(img string) string {
	if i := strings.IndexByte(img, '@'); i >= 0 {
		img = img[:i]
	}
	if i := strings.LastIndexByte(img, '/'); i >= 0 {
		img = img[i+1:]
	}
	if i := strings.IndexByte(img, ':'); i >= 0 {
		img = img[:i]
	}
	return img
}

// container scans one container and returns its named ports.
func (s *scanner) container(c *yaml.Node, o owner, hostNet bool) map[string]int {
	named := map[string]int{}
	cname := s.str(s.get(c, "name"))
	src := "k8s containerPort"
	if hostNet {
		src += " (hostNetwork)"
	}
	for _, p := range s.asSeq(s.get(c, "ports")) {
		proto := protoOf(s.str(s.get(p, "protocol")))
		pname := s.str(s.get(p, "name"))
		if v := s.asScalar(s.get(p, "containerPort")); v != nil {
			if port, ok := parsePort(v.Value); ok {
				s.add(whole(v), check.Use{Port: port, Proto: proto, Role: check.Listen, Component: o.comp, Via: o.via, Source: src,
					Names: []string{"containerPort", pname, cname}})
				if name := pname; name != "" {
					named[name] = port
				}
			} else if isTemplated(v.Value) {
				s.noteValue(v, "containerPort")
			}
		}
		if v := s.asScalar(s.get(p, "hostPort")); v != nil {
			if port, ok := parsePort(v.Value); ok {
				ip := s.str(s.get(p, "hostIP"))
				s.add(whole(v), check.Use{Port: port, Proto: proto, Role: check.Listen, Bind: registry.HostBind(ip), BindKnown: true,
					Component: o.comp, Via: o.via, Source: "k8s hostPort", Names: []string{"hostPort", pname, cname}})
			}
		}
	}
	x := vctx{owner: o, source: "k8s env", role: check.Default, names: []string{cname}}
	vars := map[string]string{}
	for _, e := range s.asSeq(s.get(c, "env")) {
		if name := s.str(s.get(e, "name")); name != "" {
			vars[name] = s.str(s.get(e, "value"))
		}
	}
	s.envHosts = envHosts(vars)
	defer func() { s.envHosts = nil }()
	for _, e := range s.asSeq(s.get(c, "env")) {
		name := s.str(s.get(e, "name"))
		if v := s.get(e, "value"); v != nil && name != "" {
			s.env(name, v, nil, x)
		}
	}
	// command and args are one command line: flags of the process, or
	// the rules of a packet filter it runs (an istio-init container)
	toks := append(s.tokens(s.asSeq(s.get(c, "command")), "k8s command"), s.tokens(s.asSeq(s.get(c, "args")), "k8s args")...)
	for _, seg := range segments(toks) {
		if prog := segmentProgram(seg); prog != "" {
			s.filterRules(seg, prog, o, []string{cname})
			continue
		}
		s.flagTokens(seg, vctx{owner: o, role: check.Listen, names: []string{cname}})
	}
	// Probes and lifecycle hooks connect to the container's own ports.
	for _, k := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
		pr := s.get(c, k)
		for _, h := range []string{"httpGet", "tcpSocket", "grpc"} {
			s.probePort(s.path(pr, h, "port"), named, o, "k8s "+k+" "+h, cname)
		}
	}
	for _, k := range []string{"postStart", "preStop"} {
		for _, h := range []string{"httpGet", "tcpSocket"} {
			s.probePort(s.path(c, "lifecycle", k, h, "port"), named, o, "k8s "+k+" "+h, cname)
		}
	}
	return named
}

// probePort records the port a probe connects to; a named port resolves to
// the container's port of that name.
func (s *scanner) probePort(v *yaml.Node, named map[string]int, o owner, src, cname string) {
	if v = s.asScalar(v); v == nil {
		return
	}
	u := check.Use{Proto: registry.TCP, Role: check.Dial, Component: o.comp, Via: o.via, Source: src, Names: []string{cname, v.Value}}
	if p, ok := parsePort(v.Value); ok {
		u.Port = p
		s.add(whole(v), u)
		return
	}
	if p, ok := named[v.Value]; ok {
		u.Port = p
		u.Source += " (named port " + v.Value + ")"
		s.addNamed(whole(v), u)
	}
}

func (s *scanner) service(o k8sObj, wls []*workload) {
	n := o.n
	meta := s.get(n, "metadata")
	spec := s.get(n, "spec")
	sel := s.strMap(s.get(spec, "selector"))
	var matched []*workload
	if len(sel) > 0 {
		for _, w := range wls {
			if selects(sel, w.labels) {
				matched = append(matched, w)
			}
		}
	}
	var own owner
	for _, w := range matched {
		if own = w.owner; own.comp != "" {
			break
		}
	}
	own = first(s.byGlob(), own, s.byLabels(sel, s.strMap(s.get(meta, "labels"))), s.byName(viaName, s.str(s.get(meta, "name"))))
	typ := s.str(s.get(spec, "type"))
	svcName := s.str(s.get(meta, "name"))
	if typ != "ExternalName" && len(sel) > 0 {
		s.serviceFacts(n, own)
	}
	for _, p := range s.asSeq(s.get(spec, "ports")) {
		proto := protoOf(s.str(s.get(p, "protocol")))
		names := []string{svcName, s.str(s.get(p, "name"))}
		if v := s.asScalar(s.get(p, "port")); v != nil {
			if port, ok := parsePort(v.Value); ok {
				src, role := "k8s Service port", check.Expose
				switch typ {
				case "LoadBalancer", "NodePort":
					src = "k8s Service port (" + typ + ")"
				case "ExternalName":
					// An alias of a service outside the cluster: its port
					// is where clients connect, not one of ours.
					src, role = "k8s Service port (ExternalName)", check.Dial
				}
				s.add(whole(v), check.Use{Port: port, Proto: proto, Role: role, Component: own.comp, Via: own.via, Source: src, Names: names})
			} else if isTemplated(v.Value) {
				s.noteValue(v, "Service port")
			}
		}
		if v := s.asScalar(s.get(p, "nodePort")); v != nil {
			if port, ok := parsePort(v.Value); ok {
				s.add(whole(v), check.Use{Port: port, Proto: proto, Role: check.Expose, Bind: registry.Any, BindKnown: true,
					Component: own.comp, Via: own.via, Source: "k8s Service nodePort", Names: names})
			}
		}
		if typ == "ExternalName" {
			continue
		}
		if v := s.asScalar(s.get(p, "targetPort")); v != nil {
			u := check.Use{Proto: proto, Role: check.Dial, Component: own.comp, Via: own.via, Source: "k8s Service targetPort", Names: append(names, v.Value)}
			if port, ok := parsePort(v.Value); ok {
				u.Port = port
				s.add(whole(v), u)
				continue
			}
			for _, w := range matched {
				if port, ok := w.ports[v.Value]; ok {
					u.Port = port
					u.Source += " (named port " + v.Value + ")"
					s.addNamed(whole(v), u)
					break
				}
			}
		}
	}
}

// selects reports whether a selector matches a set of labels.
func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// portField records the port in m[key] (a number) with the context's role.
func (s *scanner) portField(m *yaml.Node, key string, x vctx) {
	v := s.asScalar(s.get(m, key))
	if v == nil {
		return
	}
	if p, ok := parsePort(v.Value); ok {
		u := check.Use{Port: p, Proto: x.proto, Role: x.role, Source: x.source, Names: append([]string{key}, x.names...)}
		if x.proto == "" {
			u.Proto = protoOf(s.str(s.get(m, "protocol")))
		}
		o := x.owner
		if x.role == check.Dial {
			o = x.dial
		}
		u.Component, u.Via = o.comp, o.via
		s.add(whole(v), u)
	}
}

// portList records the port of each item of a list of port objects.
func (s *scanner) portList(list *yaml.Node, key string, x vctx) {
	for _, p := range s.asSeq(list) {
		s.portField(p, key, x)
	}
}

func (s *scanner) ingress(n *yaml.Node) {
	backend := func(b *yaml.Node) {
		if svc := s.get(b, "service"); svc != nil { // networking.k8s.io/v1
			x := vctx{source: "k8s Ingress backend", role: check.Dial, isDial: true, dial: s.byName(viaName, s.str(s.get(svc, "name"))), names: []string{s.str(s.get(svc, "name"))}}
			s.portField(s.get(svc, "port"), "number", x)
			return
		}
		x := vctx{source: "k8s Ingress backend", role: check.Dial, isDial: true, dial: s.byName(viaName, s.str(s.get(b, "serviceName"))), names: []string{s.str(s.get(b, "serviceName"))}}
		s.portField(b, "servicePort", x)
	}
	spec := s.get(n, "spec")
	backend(s.get(spec, "defaultBackend"))
	backend(s.get(spec, "backend"))
	for _, r := range s.asSeq(s.get(spec, "rules")) {
		for _, p := range s.asSeq(s.path(r, "http", "paths")) {
			backend(s.get(p, "backend"))
		}
	}
}

func (s *scanner) networkPolicy(n *yaml.Node) {
	spec := s.get(n, "spec")
	sel := s.strMap(s.path(spec, "podSelector", "matchLabels"))
	o := s.byLabels(sel)
	var selNames []string
	for _, k := range labelKeys {
		selNames = append(selNames, sel[k])
	}
	for _, dir := range []string{"ingress", "egress"} {
		for _, rule := range s.asSeq(s.get(spec, dir)) {
			for _, p := range s.asSeq(s.get(rule, "ports")) {
				v := s.asScalar(s.get(p, "port"))
				if v == nil {
					continue
				}
				port, ok := parsePort(v.Value)
				if !ok {
					continue
				}
				u := check.Use{Port: port, Proto: protoOf(s.str(s.get(p, "protocol"))), Role: check.Dial, Source: "k8s NetworkPolicy " + dir}
				if dir == "ingress" {
					u.Component, u.Via, u.Names = o.comp, o.via, selNames
				}
				r := whole(v)
				if e := s.asScalar(s.get(p, "endPort")); e != nil {
					if hi, ok := parsePort(e.Value); ok && hi > port {
						u.PortEnd = hi
					}
				}
				s.add(r, u)
			}
		}
	}
}

func (s *scanner) gatewayAPI(o k8sObj) {
	n := o.n
	spec := s.get(n, "spec")
	if o.kind == "Gateway" {
		x := vctx{owner: first(s.byGlob(), s.byName(viaName, s.str(s.path(n, "metadata", "name")))), source: "gateway-api listener", role: check.Expose}
		s.portList(s.get(spec, "listeners"), "port", x)
		return
	}
	for _, r := range s.asSeq(s.get(spec, "rules")) {
		for _, b := range s.asSeq(s.get(r, "backendRefs")) {
			x := vctx{source: "gateway-api backendRef", role: check.Dial, isDial: true, dial: s.byName(viaName, s.str(s.get(b, "name"))), names: []string{s.str(s.get(b, "name"))}}
			s.portField(b, "port", x)
		}
	}
}
