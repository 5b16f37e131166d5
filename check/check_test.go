package check_test

import (
	"strings"
	"testing"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

func flagship(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := portlint.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func bind(s string) registry.Bind { return registry.HostBind(s) }

// TestCheck runs one use per case through the shared checks against the
// engine's plan: each check fires where it should, with the message and
// fix a user sees, and stays quiet on its near misses.
func TestCheck(t *testing.T) {
	reg := flagship(t)
	cases := []struct {
		name  string
		use   check.Use
		check string // "" expects no result
		msg   string // substring of the message
		fix   int
	}{
		{"own port", check.Use{Port: 20200, Role: check.Listen, Component: "webserver"}, "", "", 0},
		{"own port narrower bind", check.Use{Port: 20200, Role: check.Listen, Component: "webserver", Bind: bind("127.0.0.1"), BindKnown: true}, "", "", 0},
		{"port 0", check.Use{Port: 0, Role: check.Listen, Component: "webserver"}, "", "", 0},
		{"conflict", check.Use{Port: 28951, Role: check.Listen, Component: "webserver"}, check.Conflict, "port 28951 belongs to data_dam (SE-W), not webserver", 0},
		{"conflict names only the overlapping owner", check.Use{Port: 28952, Role: check.Listen, Component: "webserver", Bind: bind("127.0.0.1"), BindKnown: true}, check.Conflict, "belongs to data_dam (SE-W) on 127.0.0.1, not webserver", 0},
		{"conflict with no overlapping owner names all", check.Use{Port: 28952, Role: check.Listen, Component: "webserver", Bind: bind("10.1.2.3"), BindKnown: true}, check.Conflict, "admin_dam (SE-M) on $VIP and data_dam (SE-W) on 127.0.0.1", 0},
		{"reference by name is no conflict", check.Use{Port: 20200, Role: check.Default, Component: "data_dam", Names: []string{"webserverPort"}}, "", "", 0},
		{"dial another component", check.Use{Port: 20200, Role: check.Dial, Component: "data_dam"}, "", "", 0},
		{"foreign range", check.Use{Port: 28955, Role: check.Listen, Component: "webserver"}, check.ForeignRange, "lies in range engine.data (SE-W), outside webserver's ranges (engine.mgmt.apps)", 0},
		{"foreign udp", check.Use{Port: 28955, Proto: registry.UDP, Role: check.Listen, Component: "webserver"}, check.ForeignRange, "port 28955/udp lies in range engine.data", 0},
		{"outside pool", check.Use{Port: 29005, Role: check.Listen, Component: "webserver"}, check.ForeignRange, "outside the pool [20000, 29000) of group engine", 0},
		{"outside every pool unattributed", check.Use{Port: 8081, Role: check.Listen}, check.ForeignRange, "outside every pool of the plan", 0},
		{"unattributed in pool", check.Use{Port: 20250, Role: check.Listen}, "", "", 0},
		{"retired own", check.Use{Port: 8099, Role: check.Listen, Component: "agent"}, check.Retired, "port 8099 is retired: agent moved to 20000", 20000},
		{"retired other component in group has no fix", check.Use{Port: 8099, Role: check.Listen, Component: "webserver"}, check.Retired, "agent moved to 20000", 0},
		{"retired unattributed needs the name", check.Use{Port: 8099, Role: check.Listen}, check.ForeignRange, "outside every pool", 0},
		{"retired unattributed named", check.Use{Port: 8099, Role: check.Default, Names: []string{"agentPort"}}, check.Retired, "agent moved to 20000", 20000},
		{"retired dial named", check.Use{Port: 8099, Role: check.Dial, Component: "webserver", Names: []string{"agent.svc"}}, check.Retired, "nothing listens there any more", 0},
		{"retired dial unnamed", check.Use{Port: 2379, Role: check.Dial, Component: "webserver"}, "", "", 0},
		{"retired bind mismatch", check.Use{Port: 7000, Role: check.Listen, Component: "data_dam", Bind: bind("127.0.0.1"), BindKnown: true}, check.Retired, "data_dam moved to 127.0.0.1:28952", 28952},
		{"unregistered", check.Use{Port: 20290, Role: check.Listen, Component: "webserver"}, check.Unregistered, "port 20290 is in webserver's range engine.mgmt.apps but not registered", 0},
		{"bind wider than loopback", check.Use{Port: 28952, Role: check.Listen, Component: "data_dam", Bind: registry.Any, BindKnown: true}, check.BindCheck, "on all addresses, but the plan binds it to 127.0.0.1 only: an internal port exposed to the network; on all addresses it also collides with admin_dam ($VIP:28952)", 0},
		{"bind unknown is no finding", check.Use{Port: 28952, Role: check.Listen, Component: "data_dam"}, "", "", 0},
		{"bind other address", check.Use{Port: 28952, Role: check.Listen, Component: "admin_dam", Bind: bind("10.0.0.9"), BindKnown: true}, check.BindCheck, "admin_dam binds port 28952 on 10.0.0.9, but the plan binds it to $VIP", 0},
		{"reserved", check.Use{Port: 15001, Role: check.Listen, Component: "webserver"}, check.Reserved, "port 15001 is reserved by the platform (Istio Envoy outbound)", 0},
		{"reserved named reference", check.Use{Port: 9090, Role: check.Default, Names: []string{"prometheusURL"}}, "", "", 0},
		{"configure another component's own port", check.Use{Port: 28952, Role: check.Configure, Component: "data_dam", Bind: bind("127.0.0.1"), BindKnown: true}, "", "", 0},
		{"configure checks the configured component", check.Use{Port: 20200, Role: check.Configure, Component: "data_dam"}, check.Conflict, "port 20200 belongs to webserver (SE-M), not data_dam", 0},
		{"configure a retired port", check.Use{Port: 8099, Role: check.Configure, Component: "agent"}, check.Retired, "agent moved to 20000", 20000},
		{"match claims nothing", check.Use{Port: 20200, Role: check.Match, Component: "data_dam"}, "", "", 0},
		{"match outside every pool claims nothing", check.Use{Port: 53, Role: check.Match, Component: "data_dam"}, "", "", 0},
		{"match of a retired port unnamed", check.Use{Port: 8099, Role: check.Match, Component: "webserver"}, "", "", 0},
		{"match of a retired port named", check.Use{Port: 8099, Role: check.Match, Component: "webserver", Names: []string{"agentPort"}}, check.Retired, "agent moved to 20000", 0},
		{"redirect to own port, wider bind", check.Use{Port: 28952, Role: check.Redirect, Component: "data_dam", Bind: registry.Any, BindKnown: true}, "", "", 0},
		{"redirect to another's port", check.Use{Port: 20200, Role: check.Redirect, Component: "data_dam"}, check.Conflict, "port 20200 belongs to webserver (SE-M), not data_dam", 0},
		{"redirect to a reserved port", check.Use{Port: 15001, Role: check.Redirect, Component: "webserver"}, check.Reserved, "Istio Envoy outbound", 0},
		{"reserved common server only in engine", check.Use{Port: 443, Role: check.Listen, Component: "sc"}, "", "", 0},
		{"reserved common server in engine", check.Use{Port: 443, Role: check.Listen, Component: "webserver"}, check.Reserved, "HTTPS servers", 0},
		{"sidecar span", check.Use{Port: 28960, PortEnd: 28965, Role: check.Listen, Component: "sidecar"}, "", "", 0},
		{"span partly foreign", check.Use{Port: 28964, PortEnd: 28967, Role: check.Listen, Component: "sidecar"}, check.ForeignRange, "(and 1 more of 28964-28967)", 0},
	}
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
			if len(rs) != 1 {
				t.Fatalf("want one %s result, got %+v", tc.check, rs)
			}
			r := rs[0]
			if r.Check != tc.check || !strings.Contains(r.Message, tc.msg) || r.Replacement != tc.fix {
				t.Errorf("got %s %q fix %d; want %s containing %q fix %d", r.Check, r.Message, r.Replacement, tc.check, tc.msg, tc.fix)
			}
		})
	}
}

// TestEnabled drops results of disabled checks.
func TestEnabled(t *testing.T) {
	reg := flagship(t)
	set := check.DefaultSet()
	set.Apply([]string{check.Conflict}, false)
	u := check.Use{Port: 28951, Role: check.Listen, Component: "webserver"}
	if rs := (&check.Checker{Reg: reg, Enabled: set}).Check(&u); len(rs) != 0 {
		t.Errorf("conflict disabled, got %+v", rs)
	}
	if rs := (&check.Checker{Reg: reg}).Check(&u); len(rs) != 1 {
		t.Errorf("conflict enabled by default, got %+v", rs)
	}
}

// TestDuplicates finds two components on a port neither owns, and leaves
// collisions with the owner to the conflict check.
func TestDuplicates(t *testing.T) {
	reg := flagship(t)
	pos := func(f string, l int) check.Position { return check.Position{File: f, Line: l, Column: 1} }
	uses := []*check.Use{
		{Pos: pos("a.go", 1), Port: 20250, Role: check.Listen, Component: "webserver"},
		{Pos: pos("b.go", 2), Port: 20250, Role: check.Listen, Component: "admin_dam"},
		{Pos: pos("c.go", 3), Port: 20250, Role: check.Dial, Component: "agent"},
		{Pos: pos("d.go", 4), Port: 20200, Role: check.Listen, Component: "webserver"},
		{Pos: pos("e.go", 5), Port: 20200, Role: check.Listen, Component: "data_dam"},
		{Pos: pos("f.go", 6), Port: 20251, Role: check.Listen, Component: "webserver", Bind: bind("127.0.0.1"), BindKnown: true},
		{Pos: pos("g.go", 7), Port: 20251, Role: check.Listen, Component: "admin_dam"},
		{Pos: pos("h.go", 8), Port: 20252, Role: check.Listen, Component: "webserver", Bind: bind("127.0.0.1"), BindKnown: true},
		{Pos: pos("i.go", 9), Port: 20252, Role: check.Default, Component: "admin_dam", Bind: bind("127.0.0.2"), BindKnown: true},
		{Pos: pos("j.go", 10), Port: 20253, Role: check.Listen, Component: "webserver", Bind: bind("127.0.0.1"), BindKnown: true},
		{Pos: pos("k.go", 11), Port: 20253, Role: check.Listen, Component: "admin_dam", HostComputed: true},
		// a rule redirecting to webserver's listener, a control plane
		// configuring it, a filter matching it: none listens there
		{Pos: pos("l.go", 12), Port: 20250, Role: check.Redirect, Component: "data_dam"},
		{Pos: pos("m.go", 13), Port: 20250, Role: check.Configure, Component: "agent"},
		{Pos: pos("n.go", 14), Port: 20250, Role: check.Match, Component: "nexus"},
	}
	got := check.Duplicates(reg, uses, nil)
	if len(got) != 2 {
		t.Fatalf("want two duplicates, got %+v", got)
	}
	if d := got[0]; d.At.File != "b.go" || !strings.Contains(d.Message, "port 20250 of admin_dam is also taken by webserver at a.go:1:1") {
		t.Errorf("got %+v", d)
	}
	// a bare port listens on all addresses, so it meets loopback
	if d := got[1]; d.At.File != "g.go" || !strings.Contains(d.Message, "port 20251 of admin_dam is also taken by webserver") {
		t.Errorf("got %+v", d)
	}
}

// TestUnusedPorts lists registry assignments nothing uses.
func TestUnusedPorts(t *testing.T) {
	reg := flagship(t)
	uses := []*check.Use{{Port: 20200, Role: check.Listen, Component: "webserver"}, {Port: 20201, Role: check.Dial, Component: "agent"}}
	unused := map[string]bool{}
	for _, r := range check.UnusedPorts(reg, uses) {
		unused[r.Message] = true
	}
	if unused["webserver port 20200 is not used anywhere in the tree"] || unused["webserver port 20201 is not used anywhere in the tree"] {
		t.Errorf("used ports reported: %v", unused)
	}
	if !unused["agent port 20000 is not used anywhere in the tree"] {
		t.Errorf("agent's 20000 not reported: %v", unused)
	}
}

// TestParseIgnore covers the directive grammar.
func TestParseIgnore(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ok     bool
		errSub string
		checks []string
	}{
		{"portlint:ignore retired kept for 1.x", true, "", []string{"retired"}},
		{"portlint:ignore conflict,bind shared", true, "", []string{"conflict", "bind"}},
		{" portlint:ignore all temporary", true, "", []string{"all"}},
		{"portlint:ignore retired", true, "has no reason", nil},
		{"portlint:ignore", true, "needs the checks", nil},
		{"portlint:ignore retierd typo", true, "unknown check", nil},
		{"portlint:ignored by default", false, "", nil},
		{"nolint:portlint", false, "", nil},
	} {
		ig, ok, err := check.ParseIgnore(tc.in)
		if ok != tc.ok {
			t.Errorf("%q: ok=%v", tc.in, ok)
			continue
		}
		if tc.errSub != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errSub) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.errSub)
			}
			continue
		}
		if ok && (err != nil || strings.Join(ig.Checks, ",") != strings.Join(tc.checks, ",")) {
			t.Errorf("%q: %+v %v", tc.in, ig, err)
		}
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"defaultListenAddr":  "default listen addr",
		"HTTPPort":           "http port",
		"web.listen-address": "web listen address",
		"DAM_METRICS_ADDR":   "dam metrics addr",
		"grpcPort2":          "grpc port2",
		"AgentServer":        "agent server",
	} {
		if got := strings.Join(check.Words(in), " "); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReservationNamedWhole: a use named "opensearch" names the platform
// service "OpenSearch", whose owner text splits into open and search too.
func TestReservationNamedWhole(t *testing.T) {
	reg, err := registry.Parse("plan.yaml", []byte("version: 1\ngroups:\n  g: {pool: \"[20000, 21000)\"}\nreserved:\n  - {port: 9200, owner: Elasticsearch / OpenSearch}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := &check.Checker{Reg: reg}
	if rs := c.Check(&check.Use{Port: 9200, Role: check.Listen, Names: []string{"opensearch"}}); len(rs) != 0 {
		t.Errorf("the service itself on its port: %+v", rs)
	}
	if rs := c.Check(&check.Use{Port: 9200, Role: check.Listen, Names: []string{"catalog"}}); len(rs) != 1 || rs[0].Check != check.Reserved {
		t.Errorf("another service on the reserved port: %+v", rs)
	}
}
