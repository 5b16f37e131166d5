package manifest

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// startDoc resets the per-document limits.
func (s *scanner) startDoc(root *yaml.Node, base int) {
	s.lineBase = base
	s.active = map[*yaml.Node]bool{}
	s.depth = 0
	s.exhausted = false
	size := len(s.src.data)
	s.budgetTotal = max(minBudget, budgetFactor*size)
	s.budget = s.budgetTotal
	s.docStart = s.posOf(root)
}

// scanDoc recognises a document's format and scans it.
func (s *scanner) scanDoc(d doc) {
	s.startDoc(d.root, d.base)
	root := s.deref(d.root)
	if root == nil || root.Kind != yaml.MappingNode {
		if root != nil && root.Kind == yaml.SequenceNode && !s.skipFamily(root) {
			s.plainConfig(root)
		}
		return
	}
	apiVersion, kind := s.str(s.get(root, "apiVersion")), s.str(s.get(root, "kind"))
	s.kustomizeFacts(root, kind) // wiring.go
	switch {
	case apiVersion != "" && kind != "":
		s.k8sDoc(root, apiVersion, kind, d.base, 0)
	case kumaTypes[s.str(s.get(root, "type"))]:
		s.setKind(KindKuma)
		s.kuma(s.str(s.get(root, "type")), s.str(s.get(root, "name")), root)
	case s.isCompose(root):
		s.setKind(KindCompose)
		s.compose(root)
	case s.isEnvoy(root):
		s.setKind(KindEnvoy)
		s.envoy(root)
	case s.skipFamily(root):
	case isHelmValues(s.file.Path):
		s.setKind(KindHelmValues)
		o := first(s.byGlob(), s.byPackage(), s.byPath())
		s.config(root, vctx{owner: o, source: "helm values", role: check.Default, byKey: true}, 0)
	default:
		s.plainConfig(root)
	}
}

func (s *scanner) plainConfig(root *yaml.Node) {
	n := len(s.file.Uses)
	s.config(root, vctx{owner: first(s.byGlob(), s.byPackage(), s.byPath()), source: "config", role: check.Default, byKey: true}, 0)
	if len(s.file.Uses) > n {
		s.setKind(KindConfig)
	}
}

func (s *scanner) setKind(k string) {
	if s.file.Kind == "" || s.file.Kind == KindConfig && k != KindConfig {
		s.file.Kind = k
	}
}

// k8sDoc scans a Kubernetes object, or each object of a List.
func (s *scanner) k8sDoc(n *yaml.Node, apiVersion, kind string, base, depth int) {
	switch {
	case strings.HasSuffix(kind, "List") && s.get(n, "items") != nil:
		if depth > 8 {
			return
		}
		for _, it := range s.asSeq(s.get(n, "items")) {
			av, k := s.str(s.get(it, "apiVersion")), s.str(s.get(it, "kind"))
			if av != "" && k != "" {
				s.k8sDoc(it, av, k, base, depth+1)
			}
		}
	case strings.Contains(apiVersion, "istio.io/"):
		s.setKind(KindIstio)
		s.istio(k8sObj{n, apiVersion, kind, base})
	case strings.HasPrefix(apiVersion, "kuma.io/"):
		s.setKind(KindKuma)
		meta := s.get(n, "metadata")
		spec := s.get(n, "spec")
		if spec == nil || kind == "Dataplane" && s.get(spec, "networking") == nil && s.get(n, "networking") != nil {
			spec = n // older Kuma objects keep the fields at the top
		}
		if kumaTypes[kind] {
			s.kuma(kind, s.str(s.get(meta, "name")), spec)
		}
	default:
		s.setKind(KindKubernetes)
		s.k8s = append(s.k8s, k8sObj{n, apiVersion, kind, base})
	}
}

// isHelmValues reports whether the file is a chart's values file.
func isHelmValues(p string) bool {
	base := strings.ToLower(path.Base(strings.ReplaceAll(p, "\\", "/")))
	return strings.Contains(base, "values") && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"))
}

// skipFamily recognises well-known YAML and JSON that is not a deployment
// manifest, by its top-level keys: CI pipelines, linter configs, API specs,
// JSON Schemas, Helm chart metadata, portlint's own plan.
func (s *scanner) skipFamily(root *yaml.Node) bool {
	if root.Kind == yaml.SequenceNode {
		// An Ansible playbook or a list of CI steps; a list of configs is
		// scanned.
		items := s.asSeq(root)
		return len(items) > 0 && (s.get(items[0], "hosts") != nil && s.get(items[0], "tasks") != nil)
	}
	has := func(k string) bool { return s.get(root, k) != nil }
	switch {
	case has("jobs") && (has("on") || has("true") || has("workflows") || has("version")): // GitHub Actions, CircleCI
		return true
	case has("runs") && (has("inputs") || has("description")): // a GitHub action
		return true
	case has("stages") || has("steps") && (has("pool") || has("trigger")): // GitLab CI, Azure, Cloud Build
		return true
	case has("language") && (has("script") || has("install")): // Travis
		return true
	case has("linters") || has("linters-settings"): // golangci-lint
		return true
	case has("openapi") || has("swagger") || has("asyncapi"):
		return true
	case has("$schema") && (has("properties") || has("definitions") || has("$defs")):
		return true
	case has("components") && (has("groups") || has("ranges")): // a portlint registry
		return true
	case has("apiVersion") && has("name") && has("version") && !has("kind"): // Helm Chart.yaml
		return true
	}
	// GitLab CI jobs: top-level mappings with a script.
	for _, p := range s.pairs(root) {
		if m := s.asMap(p.v); m != nil && s.get(m, "script") != nil && (s.get(m, "stage") != nil || s.get(m, "image") != nil) {
			return true
		}
	}
	return false
}

// skipKeys are subtrees the config rules never enter: metadata of other
// tools, and maps whose keys are not config (annotations, labels).
func skipKey(k string) bool {
	if strings.Contains(k, "/") {
		return true // an annotation or label key: prometheus.io/port
	}
	switch strings.ToLower(k) {
	case "annotations", "labels", "selector", "matchlabels", "tags", "podannotations", "podlabels", "commonlabels",
		"commonannotations", "nodeselector", "tolerations", "affinity", "resources", "securitycontext",
		"podsecuritycontext", "metadata", "status", "schema", "openapiv3schema", "examples", "example", "description":
		return true
	}
	return false
}

// config applies the plain-config rules: keys named port, listen, addr,
// address, bind, endpoint (and their compounds) with numbers or host:port
// strings. Enclosing keys say more: a "database:" or "upstream:" makes a
// port a target (dial), a Helm values "service:" publishes it (expose), a
// key naming another component ("webserver:") points at that component.
func (s *scanner) config(n *yaml.Node, x vctx, depth int) {
	n = s.deref(n)
	if n == nil || !s.enter(n) {
		return
	}
	defer s.leave(n)
	switch n.Kind {
	case yaml.SequenceNode:
		for _, it := range n.Content {
			s.config(it, x, depth+1)
		}
	case yaml.MappingNode:
		outer := x
		// A Kubernetes ServicePort written into values ({name: http,
		// port: 80, targetPort: 8080, protocol: TCP}, in a ports list or
		// beside a targetPort or nodePort): its port is published, and
		// its protocol is every port's of the mapping.
		x.svcPort = s.get(n, "port") != nil && (s.get(n, "targetPort") != nil || s.get(n, "nodePort") != nil ||
			x.portItems && (s.get(n, "protocol") != nil || s.get(n, "name") != nil || s.get(n, "appProtocol") != nil))
		if p, ok := registry.ParseProto(s.str(s.get(n, "protocol"))); ok {
			x.proto = p
		}
		x.portItems = false
		for _, p := range s.pairs(n) {
			if p.k.Kind != yaml.ScalarNode || skipKey(p.k.Value) {
				continue
			}
			v := s.deref(p.v)
			if v == nil {
				continue
			}
			c := classifyKey(p.k.Value)
			if x.svcPort && p.k.Value == "port" {
				c.expose = true
			}
			if c.kind != keyNone && (v.Kind == yaml.ScalarNode || v.Kind == yaml.SequenceNode && !s.hasMaps(v)) {
				s.value(v, c, x, p.k.Value)
				continue
			}
			if c.kind == keyNone && s.portURLs(v) {
				// s3: http://minio:9000/loki: a URL with an explicit port
				// is where the code connects, whatever its key says
				s.value(v, keyClass{kind: keyTarget, dial: true, words: words(p.k.Value), name: p.k.Value}, x, p.k.Value)
				continue
			}
			if v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode {
				continue
			}
			inner := x
			inner.svcPort, inner.proto = false, outer.proto
			// a list of port objects: ports: [{name: http, port: 80}]
			inner.portItems = c.kind == keyPort && v.Kind == yaml.SequenceNode
			if pk := len(x.keys); inner.portItems && pk > 0 && (last(words(x.keys[pk-1])) == "egress" || last(words(x.keys[pk-1])) == "ingress") {
				// a network policy's rule in values (egress: [{ports: [{port:
				// 443}]}]): traffic it lets through, as the k8s rule's ports;
				// an ingress rule's are the owner's own
				inner.portItems, inner.isDial, inner.dial = false, true, owner{}
				if last(words(x.keys[pk-1])) == "ingress" {
					inner.dial = x.owner
				}
			}
			inner.names = append(append([]string(nil), x.names...), p.k.Value)
			inner.keys = append(append([]string(nil), x.keys...), p.k.Value)
			if m := s.asMap(v); m != nil {
				// A sibling host names the target: {host: mysql.example.com, port: 3306}.
				for _, hk := range []string{"host", "hostname", "server", "address", "service"} {
					if h := s.str(s.get(m, hk)); h != "" && !strings.Contains(h, ":") && validHost(h) {
						inner.names = append(inner.names, h)
						if registry.HostBind(h).Kind == registry.BindHost || publicIP(h) {
							inner.isDial = true // another machine's port
							if o := s.byTarget(h); o.comp != x.owner.comp {
								inner.dial, inner.named = o, owner{}
							}
						}
						break
					}
				}
			}
			ws := words(p.k.Value)
			for _, w := range ws {
				if dialWords[w] {
					inner.isDial = true
				}
				if w == "probe" && !inner.isDial && inner.named.comp == "" {
					// A probe connects to the owner's own port.
					inner.isDial, inner.dial = true, x.owner
				}
			}
			if o := s.inWords(ws); o.comp != "" && o.comp != x.owner.comp {
				inner.named = o
			}
			if x.source == "helm values" && len(ws) > 0 && (ws[len(ws)-1] == "service" || ws[len(ws)-1] == "services") {
				inner.expose = true
			}
			if c.kind == keyPort && v.Kind == yaml.MappingNode && last(c.words) == "ports" {
				s.portMap(v, inner, c)
				continue
			}
			s.config(v, inner, depth+1)
		}
	}
}

// hasMaps reports whether a sequence holds a mapping.
func (s *scanner) hasMaps(n *yaml.Node) bool {
	for _, it := range s.asSeq(n) {
		if it.Kind == yaml.MappingNode {
			return true
		}
	}
	return false
}

// portURLs reports whether n is a string, or a list of strings, each a URL
// with an explicit port (http://minio:9000/loki, not file:// or a bare
// host:port, which an image reference like redis:7 resembles).
func (s *scanner) portURLs(n *yaml.Node) bool {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = s.asSeq(n)
	}
	for _, it := range items {
		if it == nil || it.Kind != yaml.ScalarNode || it.Tag != "!!str" || isTemplated(it.Value) {
			return false
		}
		a, ok := parseAddr(strings.TrimSpace(it.Value))
		if !ok || !a.isURL || strings.HasPrefix(strings.ToLower(it.Value), "file:") {
			return false
		}
	}
	return len(items) > 0
}

func last(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	return ws[len(ws)-1]
}

// portMap reads "ports: {http: 8080, grpc: 9090}": names to numbers, each
// in the role the enclosing key gives (targetPorts: dial).
func (s *scanner) portMap(m *yaml.Node, x vctx, parent keyClass) {
	for _, p := range s.pairs(m) {
		v := s.deref(p.v)
		if v == nil {
			continue
		}
		if v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode {
			s.config(v, x, 1)
			continue
		}
		c := classifyKey(p.k.Value)
		if c.kind == keyNone {
			// The key is the port's name; unless it says otherwise
			// (replicas, enabled), the number is a port.
			if ws := words(p.k.Value); anyQualifier(ws) {
				continue
			}
			c = parent
			c.name = p.k.Value
			if ws := words(parent.name); (slices.Contains(ws, "default") || slices.Contains(ws, "scheme") || slices.Contains(ws, "schemes")) &&
				schemeDefaults[strings.ToLower(p.k.Value)] != 0 && strconv.Itoa(schemeDefaults[strings.ToLower(p.k.Value)]) == s.str(v) {
				// defaultPorts: {https: 443}: what the scheme implies, where
				// clients connect
				c.dial = true
				xd := x
				xd.isDial, xd.dial, xd.named = true, owner{}, owner{}
				s.value(v, c, xd, parent.name+"."+p.k.Value)
				continue
			}
		}
		s.value(v, c, x, parent.name+"."+p.k.Value)
	}
}

func anyQualifier(ws []string) bool {
	for _, w := range ws {
		if qualifiers[w] || w == "replicas" || w == "enabled" || w == "count" {
			return true
		}
	}
	return false
}
