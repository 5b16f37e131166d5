package check

import "strings"

// Severity ranks a finding. It lives here, beside the check, and is applied
// when results are printed; analysis.Diagnostic has none by design.
type Severity string

// The severities, as SARIF names them.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Note    Severity = "note"
)

// A Check describes one kind of finding. The table Checks is the single
// source for the analyzer's Doc, `portlint help`, SARIF rules and the README.
type Check struct {
	Name     string   // kebab-case, stable: used in output, ignore directives, settings
	Title    string   // one line, lowercase, no period
	Doc      string   // what it means and how to fix it
	Severity Severity // default severity
	Tree     bool     // needs the whole scanned tree (the CLI), not one package
	Off      bool     // off unless enabled
	Example  string   // an example finding, for help text
}

// The check names.
const (
	Conflict     = "conflict"
	ForeignRange = "foreign-range"
	Retired      = "retired"
	Unregistered = "unregistered"
	BindCheck    = "bind"
	Reserved     = "reserved"
	Duplicate    = "duplicate"
	Unused       = "unused"
	Directive    = "directive"
	ProbePort    = "probe-port"
	TargetPort   = "target-port"
	Drift        = "drift"
)

// Checks lists every check, in the order documentation presents them.
var Checks = []Check{
	{
		Name: Conflict, Severity: Error,
		Title: "a component uses a port the plan gives to another component",
		Doc: `A component listens on, exposes or defaults to a port that the registry assigns
to a different component in the same group, on an overlapping bind address.
Two components on one port collide as soon as they share a node. Use the
component's own port, or change the plan first.`,
		Example: `port 20200 belongs to webserver (SE-M), not data_dam`,
	},
	{
		Name: ForeignRange, Severity: Error,
		Title: "a component uses a port outside its own ranges",
		Doc: `The port lies outside every range of the component: in another component's
range, in another group's pool, in the unallocated pool, or outside every pool
of the plan. An unattributed use is reported only when the port is outside
every pool. Pick a port from the component's range (portlint registry next
RANGE) and register it.`,
		Example: `port 8081 is outside every pool of the plan (control [29000, 30000), engine [20000, 29000))`,
	},
	{
		Name: Retired, Severity: Error,
		Title: "a retired port reappears",
		Doc: `The port was the component's before the plan and has been replaced. Code or a
manifest that still uses it resurrects the old port: a customer's firewall no
longer opens it, and the plan may give it to someone else. The suggested fix
replaces it with the port that took over. Dialing a retired port is reported
too: the server no longer listens there.`,
		Example: `port 8099 is retired: agent moved to 20000`,
	},
	{
		Name: Unregistered, Severity: Warning,
		Title: "a port in the component's range that the plan does not list",
		Doc: `The port is inside one of the component's own ranges, but the registry does
not assign it to anyone. Customers are told to open only registered ports,
so an unregistered one will be blocked. Add it to the component's ports in
registry.yaml.`,
		Example: `port 20250 is in webserver's range engine.mgmt.apps but not registered`,
	},
	{
		Name: BindCheck, Severity: Error,
		Title: "a port is bound more widely than the plan says",
		Doc: `The plan binds the port to a specific address (loopback, or a variable such as
$VIP), and the code binds all addresses (0.0.0.0, ::, or an empty host).
Binding all addresses where the plan says loopback exposes an internal port to
the network, and can collide with another component that shares the port on
a different address. Bind the planned address.`,
		Example: `data_dam binds port 28952 on all addresses; the plan binds it to 127.0.0.1 only`,
	},
	{
		Name: Reserved, Severity: Error,
		Title: "a port the customer's platform uses",
		Doc: `The port is one that Kubernetes, a service mesh (Istio, Kuma) or a common
server the customer runs is known to take. A component that takes it will
fail to start, or break the customer's platform, on the customer's machines.`,
		Example: `port 15001 is reserved by the platform (Istio Envoy outbound)`,
	},
	{
		Name: Duplicate, Severity: Error, Tree: true,
		Title: "two components in the tree listen on the same port",
		Doc: `Two listeners of different components, anywhere in the scanned tree (Go code or
manifests), take the same port and protocol in one group on overlapping bind
addresses. No single package shows this; the portlint command checks it over
the whole tree.`,
		Example: `port 20250 is also taken by agent at cmd/agent/main.go:20:12`,
	},
	{
		Name: Unused, Severity: Note, Tree: true, Off: true,
		Title: "a registered port that nothing in the tree uses",
		Doc: `A port the registry assigns is used nowhere in the scanned tree, Go or
manifests. It may be dead: the component was removed or never shipped. Off by
default, because a tree rarely holds every component; enable it with
-unused when the tree is the whole product.`,
		Example: `webserver port 20201 is not used anywhere in the tree`,
	},
	{
		Name: ProbePort, Severity: Error, Tree: true,
		Title: "a probe targets a port its pod does not serve",
		Doc: `A liveness, readiness or startup probe (httpGet, tcpSocket, grpc) targets a
port that no container of the pod serves. Served means: a containerPort, a
number in a container's command line or environment ("--health-addr=:8081",
PORT=8081), or a port the component's Go code listens on or defaults to. A
named probe port must be a port name of the probe's own container; a name
it lacks fails every probe. A pod whose ports may be set where portlint
cannot read them (environment from a ConfigMap, "$(VAR)", a config file on
the command line), a pod on the host's network and a pod that states no
port at all are not judged by number. Checked over the whole tree by the
portlint command and the language server.`,
		Example: `livenessProbe httpGet port 8081 is served by no container of deployment web (it serves http 8080)`,
	},
	{
		Name: TargetPort, Severity: Error, Tree: true,
		Title: "a Service routes to a port its pods do not serve",
		Doc: `A Service's targetPort (or its port, when targetPort is not set), by number or
name, is served by no container of the workloads its selector matches in
the scanned tree, by the rule of probe-port. Traffic to the Service is
refused or, for a name, the pods never become its endpoints. Headless and
ExternalName Services route nothing and are not checked; a Service whose
selector matches no workload in the tree gets a note, not a finding.`,
		Example: `targetPort 9090 of service web is served by no container of the pods it selects (deployment web serves http 8080)`,
	},
	{
		Name: Drift, Severity: Warning, Tree: true, Off: true,
		Title: "a manifest gives a component a port its code does not serve",
		Doc: `A component's own container declares a port (a containerPort, the container
side of a compose ports entry), or a Kuma inbound or an Envoy cluster
endpoint on loopback sends its traffic to a port, that the component's Go
code neither listens on nor defaults to,
while the code serves other ports: the manifest and the code have drifted
apart. The finding points at the manifest and names the code's listeners as
related positions. A container whose command line sets the port, or whose
ports may be set where portlint cannot read them, is not judged. Off by
default: the verdict rests on the analyzer seeing every listener of the
component's code; enable it with -enable drift.`,
		Example: `containerPort 8080 of webserver is not a port its code listens on (the code serves 20200)`,
	},
	{
		Name: Directive, Severity: Warning,
		Title: "a malformed or unused portlint:ignore directive",
		Doc: `A "portlint:ignore" directive must name the checks it silences and give a
reason ("//portlint:ignore retired kept for the 1.x migration"). A directive
without a reason, naming an unknown check, or matching no finding is
reported, so suppressions do not rot.`,
		Example: `portlint:ignore directive suppresses nothing; remove it`,
	},
}

// Lookup returns the check with the given name, or nil.
func Lookup(name string) *Check {
	for i := range Checks {
		if Checks[i].Name == name {
			return &Checks[i]
		}
	}
	return nil
}

// Names returns the names of all checks.
func Names() []string {
	var s []string
	for _, c := range Checks {
		s = append(s, c.Name)
	}
	return s
}

// A Set is a set of enabled checks.
type Set map[string]bool

// DefaultSet enables every check that is on by default.
func DefaultSet() Set {
	s := Set{}
	for _, c := range Checks {
		if !c.Off {
			s[c.Name] = true
		}
	}
	return s
}

// ParseList reads a comma-separated list of check names, validating each.
func ParseList(list string) ([]string, error) {
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if n != "all" && Lookup(n) == nil {
			return nil, &UnknownCheckError{Name: n}
		}
		out = append(out, n)
	}
	return out, nil
}

// Apply enables (on) or disables the named checks; "all" means every check.
func (s Set) Apply(names []string, on bool) {
	for _, n := range names {
		if n == "all" {
			for _, c := range Checks {
				s[c.Name] = on
			}
			continue
		}
		s[n] = on
	}
}

// Select turns checks on and off as a user names them: "all" first, then
// the checks named, so that disabling all and enabling bind runs bind
// alone, and enabling all and disabling unused runs all but unused.
func (s Set) Select(enable, disable []string) {
	var on, off []string
	for _, n := range disable {
		if n == "all" {
			s.Apply([]string{n}, false)
		} else {
			off = append(off, n)
		}
	}
	for _, n := range enable {
		if n == "all" {
			s.Apply([]string{n}, true)
		} else {
			on = append(on, n)
		}
	}
	s.Apply(on, true)
	s.Apply(off, false)
}

// An UnknownCheckError names a check that does not exist.
type UnknownCheckError struct{ Name string }

func (e *UnknownCheckError) Error() string {
	return "unknown check " + quote(e.Name) + "; the checks are " + strings.Join(Names(), ", ")
}

func quote(s string) string { return `"` + s + `"` }
