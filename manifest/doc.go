// Package manifest finds the ports in deployment YAML and JSON: Kubernetes
// workloads and Services, docker-compose files, Kuma dataplanes, Envoy
// bootstraps, Istio resources, Helm values and the components' own config
// files. One file's bytes go in; port uses come out, each positioned at the
// exact line, byte column and byte offset of its digits. Check then runs the
// shared rules of package check on every use, applies "# portlint:ignore"
// directives and builds the text edits that fix a retired port.
//
// A number is a port only in a port context: a containerPort, a Service
// port, a compose "ports" entry, an Envoy socket_address, a config key that
// says port, addr, listen or bind. YAML that is none of the recognised
// formats gets only the plain-config rules, and well-known files that are
// not deployment manifests (CI workflows, linter configs, OpenAPI specs,
// Helm's Chart.yaml, the port plan itself) get no rules at all.
//
// Scan also records a file's wiring facts (its pods, containers, probes
// and Services), and Wiring checks them across every file of the tree and
// the Go inventory: probes and Services pointed at ports nothing serves
// (probe-port, target-port), and container ports the component's code
// does not listen on (drift).
//
// docs/manifests.md describes each format, the roles, attribution,
// discovery and the wiring checks.
package manifest
