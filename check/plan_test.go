package check_test

import (
	"strings"
	"testing"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// parsePlan loads a registry written in a test; it must load and have no
// validation errors.
func parsePlan(t *testing.T, src string) *registry.Registry {
	t.Helper()
	reg, err := registry.Parse("plan.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range reg.Problems {
		if d.Severity == registry.SevError {
			t.Fatalf("the plan has an error: %s", d)
		}
	}
	return reg
}

type planCase struct {
	name  string
	use   check.Use
	check string // "" expects no result
	msg   string // substring of the message
}

func runPlanCases(t *testing.T, reg *registry.Registry, cases []planCase) {
	t.Helper()
	c := &check.Checker{Reg: reg}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.use
			rs := c.Check(&u)
			if tc.check == "" {
				if len(rs) != 0 {
					t.Fatalf("want no result, got %+v", rs)
				}
				return
			}
			if len(rs) != 1 || rs[0].Check != tc.check || !strings.Contains(rs[0].Message, tc.msg) {
				t.Fatalf("got %+v; want one %s containing %q", rs, tc.check, tc.msg)
			}
		})
	}
}

// TestNoPool checks a plan of fixed ports: a group without a pool has no
// "outside the pool", and an unattributed use of a port it assigns is not
// outside every pool.
func TestNoPool(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  mesh: {}
  engine: {pool: "[20000, 21000)"}
ranges:
  - {name: gw, group: mesh, span: "[8000, 8100)"}
components:
  - {name: proxy, group: mesh, ports: [{port: 15001}, {port: 15090}]}
  - {name: gateway, group: mesh, ranges: [gw], ports: [{port: 8080}]}
  - {name: agent, group: engine, ports: [{port: 20000}]}
`)
	runPlanCases(t, reg, []planCase{
		{"own fixed port", check.Use{Port: 15001, Role: check.Listen, Component: "proxy"}, "", ""},
		{"unlisted port is unregistered, not outside a pool", check.Use{Port: 15021, Role: check.Listen, Component: "proxy"}, check.Unregistered, "port 15021 is not registered to proxy (group mesh has no pool"},
		{"another's fixed port is a conflict", check.Use{Port: 15090, Role: check.Listen, Component: "gateway"}, check.Conflict, "port 15090 belongs to proxy, not gateway"},
		{"own range still holds", check.Use{Port: 8081, Role: check.Listen, Component: "gateway"}, check.Unregistered, "in gateway's range gw"},
		{"outside own ranges", check.Use{Port: 9000, Role: check.Listen, Component: "gateway"}, check.ForeignRange, "lies in no range of group mesh, outside gateway's ranges (gw)"},
		{"unattributed use of an assigned port", check.Use{Port: 15090, Role: check.Listen}, "", ""},
		{"unattributed use of a range port", check.Use{Port: 8050, Role: check.Listen}, "", ""},
		{"unattributed use of a port nobody assigns", check.Use{Port: 15021, Role: check.Listen}, check.ForeignRange, "outside every pool of the plan (engine [20000, 21000)), and no group without a pool assigns it"},
		{"a pooled group keeps its pool", check.Use{Port: 15021, Role: check.Listen, Component: "agent"}, check.ForeignRange, "outside the pool [20000, 21000) of group engine"},
	})
	only := parsePlan(t, "version: 1\ngroups:\n  mesh: {}\ncomponents:\n  - {name: proxy, group: mesh, ports: [{port: 15001}]}\n")
	runPlanCases(t, only, []planCase{
		{"no pool anywhere", check.Use{Port: 15021, Role: check.Listen}, check.ForeignRange, "port 15021 is in no group of the plan: no group has a pool, and none assigns the port"},
		{"no pool anywhere, assigned", check.Use{Port: 15001, Role: check.Listen}, "", ""},
	})
}

// TestSetAside checks a block reserved for one of the plan's own
// components: the owner's use is fine wherever the block lies, another
// component's use is foreign-range naming the owner (or a conflict where
// the owner lists the port), and the platform check stays out of it.
func TestSetAside(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  mesh: {pool: "[20000, 21000)"}
components:
  - {name: proxy, group: mesh, aliases: [envoy], ports: [{port: 15001}]}
  - {name: istiod, group: mesh, ports: [{port: 20000}]}
reserved:
  - {span: "[15000, 15100)", for: envoy, owner: Envoy sidecar ports}
  - {port: 15200, owner: Some platform service}
`)
	runPlanCases(t, reg, []planCase{
		{"owner's listed port", check.Use{Port: 15001, Role: check.Listen, Component: "proxy"}, "", ""},
		{"owner's unlisted port in its block", check.Use{Port: 15021, Role: check.Listen, Component: "proxy"}, "", ""},
		{"owner outside its block", check.Use{Port: 15200, Role: check.Listen, Component: "proxy"}, check.Reserved, "reserved by the platform (Some platform service)"},
		{"another component in the block", check.Use{Port: 15021, Role: check.Default, Component: "istiod"}, check.ForeignRange, "port 15021 lies in [15000, 15100), which the plan sets aside for proxy (Envoy sidecar ports), not istiod"},
		{"another component on the owner's listed port", check.Use{Port: 15001, Role: check.Listen, Component: "istiod"}, check.Conflict, "port 15001 belongs to proxy, not istiod"},
		{"another component naming the owner", check.Use{Port: 15021, Role: check.Default, Component: "istiod", Names: []string{"EnvoyReadinessPort"}}, "", ""},
		{"another component dialing", check.Use{Port: 15021, Role: check.Dial, Component: "istiod"}, "", ""},
		{"unattributed use in the block", check.Use{Port: 15021, Role: check.Listen}, "", ""},
	})
}

// TestBindVaries checks a port whose bind depends on the environment: no
// bind finding whatever the code binds, and a conflict with any other
// component's listener on the port, as for any.
func TestBindVaries(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  mesh: {pool: "[15000, 16000)"}
components:
  - {name: proxy, group: mesh, ports: [{port: 15001, bind: varies}, {port: 15002, bind: 127.0.0.1}]}
  - {name: agent, group: mesh, ports: [{port: 15020}]}
`)
	any := registry.Any
	runPlanCases(t, reg, []planCase{
		{"all addresses", check.Use{Port: 15001, Role: check.Listen, Component: "proxy", Bind: any, BindKnown: true}, "", ""},
		{"loopback", check.Use{Port: 15001, Role: check.Listen, Component: "proxy", Bind: bind("127.0.0.1"), BindKnown: true}, "", ""},
		{"an address", check.Use{Port: 15001, Role: check.Listen, Component: "proxy", Bind: bind("10.0.0.7"), BindKnown: true}, "", ""},
		{"a fixed bind still checks", check.Use{Port: 15002, Role: check.Listen, Component: "proxy", Bind: any, BindKnown: true}, check.BindCheck, "but the plan binds it to 127.0.0.1 only"},
		{"another component on any address collides", check.Use{Port: 15001, Role: check.Listen, Component: "agent", Bind: bind("10.0.0.7"), BindKnown: true}, check.Conflict, "port 15001 belongs to proxy, not agent"},
	})
}

// TestExternal checks a dependency the product dials: another component's
// use of its port is a reference, the dependency's own uses are not held to
// a pool, and an unattributed use of its port is not outside every pool.
func TestExternal(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  app: {pool: "[8000, 9000)"}
components:
  - {name: postgres, group: app, external: true, ports: [{port: 5432}]}
  - {name: api, group: app, ports: [{port: 8080}]}
  - {name: worker, group: app, ports: [{port: 8081}]}
`)
	runPlanCases(t, reg, []planCase{
		{"a default of the database's port", check.Use{Port: 5432, Role: check.Default, Component: "api", Names: []string{"dbPort"}}, "", ""},
		{"a listen on the database's port", check.Use{Port: 5432, Role: check.Listen, Component: "api"}, "", ""},
		{"the database's own port", check.Use{Port: 5432, Role: check.Expose, Component: "postgres"}, "", ""},
		{"the database's other port", check.Use{Port: 5433, Role: check.Expose, Component: "postgres"}, "", ""},
		{"the database on one of ours", check.Use{Port: 8080, Role: check.Listen, Component: "postgres"}, check.Conflict, "port 8080 belongs to api, not postgres"},
		{"unattributed", check.Use{Port: 5432, Role: check.Listen}, "", ""},
		{"a port nobody has, outside the pool", check.Use{Port: 5433, Role: check.Listen, Component: "api"}, check.ForeignRange, "outside the pool [8000, 9000) of group app"},
		{"ours still conflict", check.Use{Port: 8081, Role: check.Listen, Component: "api"}, check.Conflict, "port 8081 belongs to worker, not api"},
	})
}

// TestServicePort checks a Service port linked to the port it exposes: the
// component's use of it is its own, and it collides with no other
// component's use.
func TestServicePort(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  app: {pool: "[8000, 9000)"}
components:
  - {name: api, group: app, ports: [{port: 8080}, {port: 80, targetPort: 8080}]}
  - {name: web, group: app, ports: [{port: 8081}, {port: 80, targetPort: 8081}]}
  - {name: batch, group: app, ports: [{port: 8082}]}
`)
	runPlanCases(t, reg, []planCase{
		{"own Service port", check.Use{Port: 80, Role: check.Expose, Component: "api", Source: "k8s Service port"}, "", ""},
		{"the other Service on 80", check.Use{Port: 80, Role: check.Expose, Component: "web"}, "", ""},
		{"the target", check.Use{Port: 8080, Role: check.Dial, Component: "api", Source: "k8s Service targetPort"}, "", ""},
		{"a third component on 80 is unplanned, not a conflict", check.Use{Port: 80, Role: check.Expose, Component: "batch"}, check.ForeignRange, "outside the pool [8000, 9000) of group app"},
		{"the container ports still conflict", check.Use{Port: 8080, Role: check.Listen, Component: "web"}, check.Conflict, "port 8080 belongs to api, not web"},
	})
}

// TestAcrossGroups checks retirements whose owner is written as an alias
// and whose replacement is in another group, and references to another
// group's port by its owner's name.
func TestAcrossGroups(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  control: {pool: "[15010, 15020)"}
  edge: {pool: "[15000, 15100)"}
  data: {pool: "[15000, 15100)"}
components:
  - {name: istiod, group: control, aliases: [pilot], ports: [{port: 15010}, {port: 15012}]}
  - {name: proxy, groups: [edge, data], aliases: [envoy], ports: [{port: 15000, bind: 127.0.0.1}, {port: 15020}]}
retired:
  - {port: 15011, group: control, owner: pilot, replacedBy: 15012}
  - {port: 15004, group: control, owner: pilot, replacedBy: {port: 15020, group: data}}
`)
	c := &check.Checker{Reg: reg}
	for _, tc := range []struct {
		name string
		use  check.Use
		msg  string
		fix  int
	}{
		{"the alias's retirement is istiod's", check.Use{Port: 15011, Role: check.Listen, Component: "istiod"}, "port 15011 is retired: istiod moved to 15012", 15012},
		{"a replacement in another group", check.Use{Port: 15004, Role: check.Listen, Component: "istiod"}, "istiod moved to 15020 in group data", 15020},
		{"named by the alias, unattributed", check.Use{Port: 15011, Role: check.Default, Names: []string{"pilotXDSPort"}}, "istiod moved to 15012", 15012},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.use
			rs := c.Check(&u)
			if len(rs) != 1 || rs[0].Check != check.Retired || !strings.Contains(rs[0].Message, tc.msg) || rs[0].Replacement != tc.fix {
				t.Fatalf("got %+v; want retired %q fix %d", rs, tc.msg, tc.fix)
			}
		})
	}
	runPlanCases(t, reg, []planCase{
		{"the control plane names the proxy's port", check.Use{Port: 15020, Role: check.Default, Component: "istiod", Names: []string{"ProxyStatusPort"}}, "", ""},
		{"by an alias", check.Use{Port: 15000, Role: check.Default, Component: "istiod", Names: []string{"EnvoyAdminPort"}}, "", ""},
		{"without the name it is foreign", check.Use{Port: 15020, Role: check.Default, Component: "istiod", Names: []string{"statusPort"}}, check.ForeignRange, "outside the pool [15010, 15020) of group control"},
		{"naming a component that lacks the port", check.Use{Port: 15030, Role: check.Default, Component: "istiod", Names: []string{"proxyPort"}}, check.ForeignRange, "outside the pool"},
	})
}

// TestSeveralGroups checks a component deployed in several groups: its
// ports are its own in each, conflicts are found in each, and the
// whole-tree duplicate check keys by each of its groups.
func TestSeveralGroups(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  sidecar: {pool: "[15000, 15100)"}
  gateway: {pool: "[15000, 16000)"}
components:
  - {name: proxy, groups: [sidecar, gateway], ports: [{port: 15001}, {port: 15021}]}
  - {name: gwctl, group: gateway, ports: [{port: 15500}]}
  - {name: init, group: sidecar, ports: [{port: 15050}]}
`)
	runPlanCases(t, reg, []planCase{
		{"own port", check.Use{Port: 15021, Role: check.Listen, Component: "proxy"}, "", ""},
		{"another's port in one of its groups", check.Use{Port: 15500, Role: check.Listen, Component: "proxy"}, check.Conflict, "port 15500 belongs to gwctl, not proxy"},
		{"and in the other", check.Use{Port: 15050, Role: check.Listen, Component: "proxy"}, check.Conflict, "port 15050 belongs to init, not proxy"},
		{"a group's member on the proxy's port", check.Use{Port: 15001, Role: check.Listen, Component: "gwctl"}, check.Conflict, "port 15001 belongs to proxy, not gwctl"},
		{"outside the narrower pool", check.Use{Port: 15600, Role: check.Listen, Component: "proxy"}, check.ForeignRange, "outside the pool [15000, 15100) of group sidecar"},
		{"unregistered in both", check.Use{Port: 15060, Role: check.Listen, Component: "proxy"}, check.Unregistered, "in the pool of group sidecar but not registered to proxy"},
	})
	pos := func(f string) check.Position { return check.Position{File: f, Line: 1, Column: 1} }
	got := check.Duplicates(reg, []*check.Use{
		{Pos: pos("a.go"), Port: 15070, Role: check.Listen, Component: "proxy"},
		{Pos: pos("b.go"), Port: 15070, Role: check.Listen, Component: "init"},
		{Pos: pos("c.go"), Port: 15800, Role: check.Listen, Component: "proxy"},
		{Pos: pos("d.go"), Port: 15800, Role: check.Listen, Component: "gwctl"},
		{Pos: pos("e.go"), Port: 15900, Role: check.Listen, Component: "init"},
		{Pos: pos("f.go"), Port: 15900, Role: check.Listen, Component: "gwctl"},
	}, nil)
	var at []string
	for _, d := range got {
		at = append(at, d.At.File)
	}
	if strings.Join(at, " ") != "b.go d.go" {
		t.Errorf("duplicates at %v, want b.go (sidecar) and d.go (gateway), and none between init and gwctl, who share no group", at)
	}
}

// TestRetiredLiveElsewhere checks an unattributed use of a port retired in
// one group but live in another (a shared constants package used by both
// the old agent and the all-in-one binary): ownership cannot be judged, so
// no retired finding; a port retired everywhere and live nowhere is still
// reported, as is an attributed use in the retiring group.
func TestRetiredLiveElsewhere(t *testing.T) {
	reg := parsePlan(t, `
version: 1
groups:
  split: {pool: "[1024, 65536)"}
  single: {pool: "[1024, 65536)"}
components:
  - {name: agent, group: split}
  - {name: collector, group: split, ports: [{port: 4317}]}
  - {name: all-in-one, group: single, ports: [{port: 6831, proto: udp}, {port: 4317}]}
retired:
  - {port: 6831, proto: udp, group: split, owner: agent, replacedBy: 4317}
  - {port: 5775, proto: udp, group: split, owner: agent, replacedBy: 4317}
`)
	runPlanCases(t, reg, []planCase{
		{"unattributed, live in another group", check.Use{Port: 6831, Proto: registry.UDP, Role: check.Default, Names: []string{"AgentCompactUDP"}}, "", ""},
		{"unattributed, dialed, live in another group", check.Use{Port: 6831, Role: check.Dial, Names: []string{"agent"}}, "", ""},
		{"unattributed, live nowhere", check.Use{Port: 5775, Proto: registry.UDP, Role: check.Default, Names: []string{"AgentZipkinUDP"}}, check.Retired, "port 5775 is retired: agent moved to 4317"},
		{"attributed to the retiring group", check.Use{Port: 6831, Proto: registry.UDP, Role: check.Default, Component: "agent"}, check.Retired, "agent moved to 4317"},
	})
}
