package manifest

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

// Wiring runs the wiring checks over the facts of every file of the tree
// and the Go inventory (code: the uses the analyzer found; only those in
// .go files count): probe-port, target-port and drift, as enabled. It
// returns the findings, in no particular order, and notes for what it
// cannot judge (a Service whose selector matches no workload in the tree).
// Findings that a directive of their file silences are marked Ignored.
//
// Every rule stays silent when unsure: a pod whose ports may be set where
// portlint cannot read them (environment from a ConfigMap, "$(VAR)", a
// config file on the command line), a pod on the host's network, a
// headless Service, and a pod that states no port at all are not judged by
// number.
//
// A component that the registry maps to Go packages but of which code
// holds no listener is not judged either: its code was not scanned (or
// listens where the analyzer cannot see), and the manifest alone does not
// say what it serves.
func Wiring(files []*File, code []*check.Use, reg *registry.Registry, enabled check.Set) ([]finding.Finding, []Note) {
	if enabled == nil {
		enabled = check.DefaultSet()
	}
	w := &wiring{served: goServed(code), reg: reg, patched: map[*Pod]bool{}, patchedSvc: map[*Service]bool{}}
	var patches []string
	for _, f := range files {
		patches = append(patches, f.Patches...)
	}
	for _, f := range files {
		w.pods = append(w.pods, f.Pods...)
		if underAny(f.Path, patches) {
			for _, p := range f.Pods {
				w.patched[p] = true
			}
			for _, sv := range f.Services {
				w.patchedSvc[sv] = true
			}
		}
	}
	if enabled[check.ProbePort] {
		for _, p := range w.pods {
			w.probes(p)
		}
	}
	if enabled[check.TargetPort] {
		for _, f := range files {
			for _, sv := range f.Services {
				w.service(sv)
			}
		}
	}
	if enabled[check.Drift] {
		for _, p := range w.pods {
			w.drift(p)
		}
		for _, f := range files {
			w.meshDrift(f)
		}
	}
	byPath := map[string]*File{}
	for _, f := range files {
		byPath[f.Path] = f
		for _, d := range f.Directives { // a rendered chart's: its values files' and templates'
			if byPath[d.Pos.File] == nil {
				byPath[d.Pos.File] = f
			}
		}
	}
	for i := range w.out {
		if f := byPath[w.out[i].Pos.File]; f != nil && f.silences(&w.out[i]) {
			// (a directive naming only whole-tree checks is never judged
			// unused, so the directive is not marked: the files are left
			// as they are given)
			w.out[i].Ignored = true
		}
	}
	return w.out, w.notes
}

type wiring struct {
	pods       []*Pod
	patched    map[*Pod]bool // pods a kustomization patches: not judged
	patchedSvc map[*Service]bool
	reg        *registry.Registry
	served     map[string][]*check.Use // a component's Go listeners and defaults
	out        []finding.Finding
	notes      []Note
}

// goServed returns, per component, the Go uses that serve a port: listeners
// and defaults.
func goServed(code []*check.Use) map[string][]*check.Use {
	m := map[string][]*check.Use{}
	for _, u := range code {
		if u.Component == "" || u.Port == 0 || !strings.HasSuffix(u.Pos.File, ".go") || !u.Role.Listens() {
			continue
		}
		m[u.Component] = append(m[u.Component], u)
	}
	for _, us := range m {
		sort.SliceStable(us, func(i, j int) bool {
			if us[i].Pos.File != us[j].Pos.File {
				return us[i].Pos.File < us[j].Pos.File
			}
			return us[i].Pos.Offset < us[j].Pos.Offset
		})
	}
	return m
}

// codeServes returns the component's Go use of the port, or nil.
func (w *wiring) codeServes(comp string, port int) *check.Use {
	for _, u := range w.served[comp] {
		if port >= u.Port && port <= u.Last() {
			return u
		}
	}
	return nil
}

// podServes reports whether a container of the pod, or the Go code of
// one of its containers' components, serves the port.
func (w *wiring) podServes(p *Pod, port int) bool {
	for _, c := range p.Containers {
		if c.declares(port) {
			return true
		}
		if _, ok := c.Served[port]; ok {
			return true
		}
		if c.Component != "" && w.codeServes(c.Component, port) != nil {
			return true
		}
	}
	return false
}

// judgeable reports whether the pod's served ports are known well enough
// to say one is missing: it is not on the host's network, and every
// container states its ports (declared, spelled on its command line or in
// its environment, or served by its component's Go code) and has none set
// where portlint cannot read them. A container that states nothing serves
// whatever its image does (nginx on 80).
func (w *wiring) judgeable(p *Pod) bool {
	if p.HostNetwork || len(p.Containers) == 0 {
		return false
	}
	for _, c := range p.Containers {
		if c.Open || len(c.Ports) == 0 && len(c.Served) == 0 && (c.Component == "" || len(w.served[c.Component]) == 0) {
			return false
		}
		if w.codeUnseen(c.Component) {
			return false
		}
	}
	return true
}

// codeUnseen reports whether the component has Go code (the registry maps
// it to packages) of which the inventory holds no listener.
func (w *wiring) codeUnseen(comp string) bool {
	if comp == "" || w.reg == nil || len(w.served[comp]) > 0 {
		return false
	}
	c := w.reg.Component(comp)
	return c != nil && len(c.Packages) > 0
}

func (c *Container) declares(port int) bool {
	for _, d := range c.Ports {
		if d.Port != 0 && port >= d.Port && port <= max(d.Port, d.PortEnd) {
			return true
		}
	}
	return false
}

func (c *Container) named(name string) bool {
	for _, d := range c.Ports {
		if d.Name == name {
			return true
		}
	}
	return false
}

// portList says what a pod serves, for a message: "http 8080, 9090, and
// its code 20200".
func (w *wiring) portList(p *Pod) string {
	var parts []string
	seen := map[string]bool{}
	addPart := func(s string) {
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	for _, c := range p.Containers {
		for _, d := range c.Ports {
			switch {
			case d.Port == 0:
				addPart(d.Name)
			case d.Name != "":
				addPart(d.Name + " " + strconv.Itoa(d.Port))
			default:
				addPart(portText(d.Port, d.PortEnd))
			}
		}
	}
	for _, c := range p.Containers {
		for _, u := range w.served[c.Component] {
			if !c.declares(u.Port) {
				addPart(portText(u.Port, u.PortEnd) + " (its code)")
			}
		}
	}
	if len(parts) == 0 {
		return "no port"
	}
	return strings.Join(parts, ", ")
}

func portText(lo, hi int) string {
	if hi > lo {
		return fmt.Sprintf("%d-%d", lo, hi)
	}
	return strconv.Itoa(lo)
}

func (w *wiring) report(name, msg string, pos, end check.Position, comp string, rel []finding.Related) {
	w.out = append(w.out, finding.Finding{Check: name, Severity: check.Lookup(name).Severity, Message: msg,
		Hint: check.Hint(name), Pos: pos, End: end, Component: comp, Related: rel})
}

// declared returns related positions for the pod's declared ports and its
// code's listeners, at most a few of each.
func (w *wiring) declared(p *Pod) []finding.Related {
	var rel []finding.Related
	for _, c := range p.Containers {
		for _, d := range c.Ports {
			if d.Port != 0 && len(rel) < 4 {
				rel = append(rel, finding.Related{Pos: d.Pos, Message: fmt.Sprintf("container %s declares port %s", c.Name, portText(d.Port, d.PortEnd))})
			}
		}
	}
	rel = append(rel, w.codeRelated(p)...)
	return rel
}

func (w *wiring) codeRelated(p *Pod) []finding.Related {
	var rel []finding.Related
	seen := map[string]bool{}
	for _, c := range p.Containers {
		if c.Component == "" || seen[c.Component] {
			continue
		}
		seen[c.Component] = true
		for i, u := range w.served[c.Component] {
			if i == 3 {
				break
			}
			rel = append(rel, finding.Related{Pos: u.Pos, Message: fmt.Sprintf("%s's code %s port %s (%s)", c.Component, verb(u.Role), portText(u.Port, u.PortEnd), u.Source)})
		}
	}
	return rel
}

func verb(r check.Role) string {
	if r == check.Default {
		return "defaults to"
	}
	return "listens on"
}

// probes checks the probes of each container of the pod.
func (w *wiring) probes(p *Pod) {
	if p.Kind == "compose" || w.patched[p] {
		return
	}
	for _, c := range p.Containers {
		for _, pb := range c.Probes {
			if pb.Name != "" {
				// Kubernetes resolves a probe's named port among the
				// container's own ports; a name it lacks fails every probe.
				if !c.named(pb.Name) {
					w.report(check.ProbePort, fmt.Sprintf("%s port %q names no port of container %s (its ports: %s)", pb.What, pb.Name, c.Name, w.portList(&Pod{Containers: []*Container{{Ports: c.Ports}}})),
						pb.Pos, pb.End, c.Component, w.declared(&Pod{Containers: []*Container{{Name: c.Name, Ports: c.Ports}}}))
				}
				continue
			}
			if !w.judgeable(p) || w.podServes(p, pb.Port) {
				continue
			}
			w.report(check.ProbePort, fmt.Sprintf("%s port %d is served by no container of %s %s (it serves %s)", pb.What, pb.Port, strings.ToLower(p.Kind), p.Name, w.portList(p)),
				pb.Pos, pb.End, c.Component, w.declared(p))
		}
	}
}

// service checks where a Service's ports route to.
func (w *wiring) service(sv *Service) {
	if sv.Headless || len(sv.Selector) == 0 || w.patchedSvc[sv] {
		return // a headless Service's ports name what clients dial on each pod; nothing routes
	}
	var matched []*Pod
	for _, p := range w.pods {
		if p.Kind == "compose" || !selects(sv.Selector, p.Labels) {
			continue
		}
		if sv.Namespace != p.Namespace {
			if sv.Namespace != "" && p.Namespace != "" {
				continue // another namespace: other pods
			}
			return // one of them goes where kubectl's context says: maybe the same pods
		}
		if w.patched[p] {
			return // a kustomization may add the port
		}
		matched = append(matched, p)
	}
	if len(matched) == 0 {
		if len(sv.Ports) > 0 {
			w.notes = append(w.notes, Note{Pos: sv.Pos, Message: fmt.Sprintf("service %s selects no workload in the tree (%s); its target ports are not checked", sv.Name, selectorText(sv.Selector))})
		}
		return
	}
	for _, sp := range sv.Ports {
		if sp.TargetName != "" {
			found := false
			for _, p := range matched {
				for _, c := range p.Containers {
					found = found || c.named(sp.TargetName)
				}
			}
			if !found {
				w.report(check.TargetPort, fmt.Sprintf("targetPort %q of service %s names no container port of the pods it selects (%s)", sp.TargetName, sv.Name, w.podsText(matched)),
					sp.Pos, sp.End, sv.Component, w.podRelated(matched))
			}
			continue
		}
		judged, served := false, false
		for _, p := range matched {
			if !w.judgeable(p) {
				served = true // unknown: never a finding
				break
			}
			judged = true
			served = served || w.podServes(p, sp.TargetPort)
		}
		if judged && !served {
			what := "targetPort"
			if sp.TargetPort == sp.Port {
				what = "port (the target, as targetPort is not set)"
			}
			w.report(check.TargetPort, fmt.Sprintf("%s %d of service %s is served by no container of the pods it selects (%s)", what, sp.TargetPort, sv.Name, w.podsText(matched)),
				sp.Pos, sp.End, sv.Component, w.podRelated(matched))
		}
	}
}

func (w *wiring) podsText(ps []*Pod) string {
	var parts []string
	for i, p := range ps {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s serves %s", strings.ToLower(p.Kind), p.Name, w.portList(p)))
	}
	return strings.Join(parts, "; ")
}

func (w *wiring) podRelated(ps []*Pod) []finding.Related {
	var rel []finding.Related
	for i, p := range ps {
		if i == 3 {
			break
		}
		rel = append(rel, finding.Related{Pos: p.Pos, Message: fmt.Sprintf("selected %s %s", strings.ToLower(p.Kind), p.Name)})
		rel = append(rel, w.declared(p)...)
	}
	return rel
}

func selectorText(sel map[string]string) string {
	var ks []string
	for k, v := range sel {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// drift checks that a container port of a component's own container is a
// port the component's code serves, when the code serves others.
func (w *wiring) drift(p *Pod) {
	if p.HostNetwork || w.patched[p] {
		return
	}
	for _, c := range p.Containers {
		if !c.Own || c.Open || c.Component == "" || len(w.served[c.Component]) == 0 {
			continue
		}
		for _, d := range c.Ports {
			if d.Port == 0 {
				continue
			}
			if w.codeServesRun(c.Component, d.Port, max(d.Port, d.PortEnd)) {
				continue
			}
			if _, ok := c.Served[d.Port]; ok {
				continue // the command line sets it
			}
			what := "containerPort"
			if p.Kind == "compose" {
				what = "container port"
			}
			w.report(check.Drift, fmt.Sprintf("%s %s of %s is not a port its code listens on (the code serves %s)", what, portText(d.Port, d.PortEnd), c.Component, w.codePorts(c.Component)),
				d.Pos, d.End, c.Component, w.codeRelated(&Pod{Containers: []*Container{c}}))
		}
	}
}

// codeServesRun reports whether the code serves any port of lo..hi.
func (w *wiring) codeServesRun(comp string, lo, hi int) bool {
	for _, u := range w.served[comp] {
		if u.Port <= hi && u.Last() >= lo {
			return true
		}
	}
	return false
}

func (w *wiring) codePorts(comp string) string {
	var parts []string
	seen := map[string]bool{}
	for _, u := range w.served[comp] {
		t := portText(u.Port, u.PortEnd)
		if !seen[t] {
			seen[t] = true
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, ", ")
}

// meshDrift checks where a sidecar sends inbound traffic against the
// component's code: a Kuma inbound's service port, and an Envoy cluster
// endpoint on the loopback address (the local application) of a cluster
// named after the component.
func (w *wiring) meshDrift(f *File) {
	for _, u := range f.Uses {
		if u.Component == "" || len(w.served[u.Component]) == 0 {
			continue
		}
		kuma := strings.HasPrefix(u.Source, "kuma inbound servicePort") || strings.HasPrefix(u.Source, "kuma inbound interface (service port)")
		envoy := strings.HasPrefix(u.Source, "envoy cluster endpoint") && u.BindKnown && u.Bind.Kind == registry.BindLoopback
		if !kuma && !envoy {
			continue
		}
		if w.codeServesRun(u.Component, u.Port, u.Last()) {
			continue
		}
		w.report(check.Drift, fmt.Sprintf("the mesh's inbound sends traffic to port %d of %s, which its code does not listen on (the code serves %s)", u.Port, u.Component, w.codePorts(u.Component)),
			u.Pos, u.End, u.Component, w.codeRelated(&Pod{Containers: []*Container{{Component: u.Component}}}))
	}
}

// underAny reports whether the file lies in one of the directories (or is
// one of the files).
func underAny(file string, dirs []string) bool {
	for _, d := range dirs {
		if file == d || strings.HasPrefix(file, d+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// silences reports whether a directive of the file silences the finding,
// changing nothing.
func (f *File) silences(fd *finding.Finding) bool {
	for _, d := range f.Directives {
		if d.Ignore != nil && d.Line == fd.Pos.Line && d.Pos.File == fd.Pos.File && d.Ignore.Matches(fd.Check) {
			return true
		}
	}
	return false
}
