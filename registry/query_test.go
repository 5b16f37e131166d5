package registry_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/portlint/portlint/registry"
)

const flagshipPath = "../registry.yaml"

var flagshipOnce = sync.OnceValues(func() (*registry.Registry, error) { return registry.Load(flagshipPath) })

// flagship loads the engine's plan, registry.yaml at the module root.
func flagship(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := flagshipOnce()
	if err != nil {
		t.Fatalf("loading %s: %v", flagshipPath, err)
	}
	return reg
}

// load loads a test registry that must have no load errors and no
// validation errors (warnings are allowed).
func load(t testing.TB, path string) *registry.Registry {
	t.Helper()
	reg, err := registry.Load(path)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	for _, d := range reg.Problems {
		if d.Severity == registry.SevError {
			t.Errorf("%s", d)
		}
	}
	return reg
}

func group(t testing.TB, reg *registry.Registry, name string) *registry.Group {
	t.Helper()
	g := reg.Group(name)
	if g == nil {
		t.Fatalf("no group %q", name)
	}
	return g
}

func rng(t testing.TB, reg *registry.Registry, name string) *registry.Range {
	t.Helper()
	r := reg.Range(name)
	if r == nil {
		t.Fatalf("no range %q", name)
	}
	return r
}

func mustBind(t testing.TB, s string) registry.Bind {
	t.Helper()
	b, err := registry.ParseBind(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// portNames writes assignments as "component bind:port".
func portNames(ps []*registry.Port) []string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Component.Name+" "+p.String())
	}
	return s
}

func TestOwnersBindOverlap(t *testing.T) {
	reg := flagship(t)
	engine := group(t, reg, "engine")
	for _, tc := range []struct {
		bind  string
		proto registry.Proto
		want  []string
	}{
		// A listener on every address collides with both halves of the share.
		{"0.0.0.0", registry.TCP, []string{"admin_dam $VIP:28952", "data_dam 127.0.0.1:28952"}},
		{"any", registry.ProtoAny, []string{"admin_dam $VIP:28952", "data_dam 127.0.0.1:28952"}},
		{"127.0.0.1", registry.TCP, []string{"data_dam 127.0.0.1:28952"}},
		{"localhost", registry.TCP, []string{"data_dam 127.0.0.1:28952"}},
		{"::1", registry.TCP, []string{"data_dam 127.0.0.1:28952"}},
		{"$VIP", registry.TCP, []string{"admin_dam $VIP:28952"}},
		// Another literal address, another variable, another protocol.
		{"10.0.0.7", registry.TCP, nil},
		{"$OTHER", registry.TCP, nil},
		{"any", registry.UDP, nil},
	} {
		got := portNames(reg.Owners(engine, 28952, tc.proto, mustBind(t, tc.bind)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("Owners(engine, 28952, %q, %s) = %q, want %q", tc.proto, tc.bind, got, tc.want)
		}
	}
	// Both assignments exist whatever the bind; ports are per group.
	if got := portNames(reg.Assignments(engine, 28952)); len(got) != 2 {
		t.Errorf("Assignments(engine, 28952) = %q, want admin_dam's and data_dam's", got)
	}
	if got := reg.Owners(group(t, reg, "control"), 28952, registry.TCP, registry.Any); got != nil {
		t.Errorf("Owners(control, 28952) = %q, want none: 28952 is an engine port", portNames(got))
	}
	// A span owns every port in it.
	if got := portNames(reg.Owners(engine, 28963, registry.TCP, registry.Any)); !slices.Equal(got, []string{"sidecar 28960-28965"}) {
		t.Errorf("Owners(engine, 28963) = %q, want the sidecar span", got)
	}
}

func TestBindOverlaps(t *testing.T) {
	binds := []string{"any", "127.0.0.1", "$VIP", "$OTHER", "10.0.0.7", "10.0.0.8", "varies"}
	for _, a := range binds {
		for _, b := range binds {
			x, y := mustBind(t, a), mustBind(t, b)
			want := a == b || a == "any" || b == "any" || a == "varies" || b == "varies"
			if got := x.Overlaps(y); got != want {
				t.Errorf("%s.Overlaps(%s) = %v, want %v", a, b, got, want)
			}
		}
	}
	if !mustBind(t, "any").Wider(mustBind(t, "$VIP")) || !mustBind(t, "$VIP").Wider(registry.Loopback) || registry.Loopback.Wider(mustBind(t, "$VIP")) {
		t.Error("Wider: want any > $VIP > loopback")
	}
	// What varies is neither wider nor narrower than any bind.
	for _, a := range binds {
		x := mustBind(t, a)
		if registry.Varies.Wider(x) || x.Wider(registry.Varies) {
			t.Errorf("varies and %s: one is wider than the other", a)
		}
	}
	if b := mustBind(t, " Varies "); b != registry.Varies || b.String() != "varies" {
		t.Errorf("ParseBind(\" Varies \") = %+v, written %q", b, b.String())
	}
	if b := registry.HostBind("varies"); b.Kind != registry.BindHost {
		t.Errorf("HostBind(\"varies\") = %+v: a host in code named varies is a host", b)
	}
}

func TestRangeAt(t *testing.T) {
	reg := flagship(t)
	engine, control := group(t, reg, "engine"), group(t, reg, "control")
	for _, tc := range []struct {
		g    *registry.Group
		port int
		want string // innermost allocated range, "" for none
	}{
		{engine, 20000, "engine.install.mgmt"},
		{engine, 20009, "engine.install.mgmt"},
		{engine, 20010, "engine.install"},
		{engine, 20100, "engine.ha.mgmt"},
		{engine, 20150, "engine.ha.sched"},
		{engine, 20198, "engine.ha.data"},
		{engine, 20199, "engine.ha"}, // the gap: in HA, in no plane's sub-range
		{engine, 20250, "engine.mgmt.apps"},
		{engine, 20500, "engine.mgmt"},
		{engine, 25000, "engine.mgmt"}, // also unallocated, but allocated ranges win
		{engine, 28950, "engine.data"},
		{engine, 28960, "engine.data.sidecar"},
		{engine, 28965, "engine.data.sidecar"}, // the closed bound
		{engine, 28966, "engine.data"},
		{engine, 28999, "engine.data"},
		{engine, 29000, ""},
		{engine, 6879, ""},
		{control, 29000, "console.core"},
		{control, 29300, "console.api"},
		{control, 29299, "console.full-traffic"},
		{control, 29500, ""},
		{control, 80, ""},
		{nil, 20000, ""},
	} {
		got := ""
		if r := reg.RangeAt(tc.g, tc.port); r != nil {
			got = r.Name
		}
		if got != tc.want {
			t.Errorf("RangeAt(%v, %d) = %q, want %q", groupLabel(tc.g), tc.port, got, tc.want)
		}
	}
	var chain []string
	for _, r := range reg.RangesAt(engine, 20005) {
		chain = append(chain, r.Name)
	}
	if want := []string{"engine.install.mgmt", "engine.install"}; !slices.Equal(chain, want) {
		t.Errorf("RangesAt(engine, 20005) = %q, want %q", chain, want)
	}
	if u := reg.UnallocatedAt(engine, 25000); u == nil || u.Name != "engine.unallocated" {
		t.Errorf("UnallocatedAt(engine, 25000) = %v, want engine.unallocated", u)
	}
	if u := reg.UnallocatedAt(engine, 21000); u != nil {
		t.Errorf("UnallocatedAt(engine, 21000) = %s, want none", u.Name)
	}
}

func groupLabel(g *registry.Group) string {
	if g == nil {
		return "nil"
	}
	return g.Name
}

// retiredNames writes retirements as "owner bind:port->replacement".
func retiredNames(rs []*registry.Retirement) []string {
	var s []string
	for _, r := range rs {
		x := r.Owner + " "
		if r.Bind.Kind != registry.BindAny {
			x += r.Bind.String() + ":"
		}
		x += strconv.Itoa(r.Port)
		if r.ReplacedBy != nil {
			x += "->" + r.ReplacedBy.String()
		}
		if r.ReassignedTo != nil {
			x += " reused by " + r.ReassignedTo.Component.Name
		}
		s = append(s, x)
	}
	return s
}

func TestRetiredAt(t *testing.T) {
	reg := flagship(t)
	engine, control := group(t, reg, "engine"), group(t, reg, "control")
	for _, tc := range []struct {
		g    *registry.Group
		port int
		want []string
	}{
		{engine, 8099, []string{"agent 8099->20000"}},
		{control, 8080, []string{"sc 8080->29000"}},
		{engine, 8080, nil}, // sc's old port belongs to the control group
		{engine, 2379, []string{"etcd-engine 2379->20300"}},
		{control, 2379, []string{"etcd-console 2379->29903"}},
		{nil, 2379, []string{"etcd-console 2379->29903", "etcd-engine 2379->20300"}},
		// Both DAMs had 7000, on different binds.
		{engine, 7000, []string{"admin_dam $VIP:7000->$VIP:28952", "data_dam 127.0.0.1:7000->127.0.0.1:28952"}},
		{control, 29010, nil}, // meta kept its port: nothing retired
		{engine, 6879, nil},   // dataWorker's port is pending, not retired
		{engine, 20000, nil},
	} {
		got := retiredNames(reg.RetiredAt(tc.g, tc.port))
		if !slices.Equal(got, tc.want) {
			t.Errorf("RetiredAt(%s, %d) = %q, want %q", groupLabel(tc.g), tc.port, got, tc.want)
		}
	}
	r := reg.RetiredAt(engine, 8099)[0]
	if r.Component != reg.Component("agent") || r.Group != engine {
		t.Errorf("retirement of 8099: component %v, group %v; want agent in engine", r.Component, r.Group)
	}
}

func TestReassignedPorts(t *testing.T) {
	reg := load(t, "testdata/query/reassign.yaml")
	g, h := group(t, reg, "g"), group(t, reg, "h")
	for _, tc := range []struct {
		g    *registry.Group
		port int
		want []string
	}{
		{g, 1001, []string{"old 1001->1005"}},
		{g, 1002, []string{"old 1002->1006 reused by new"}},
		// One span takes two retired ports of one owner.
		{g, 1100, []string{"old2 1100->1105 reused by new2"}},
		{g, 1101, []string{"old2 1101->1106 reused by new2"}},
		// An explicit retirement whose owner no longer exists.
		{g, 8000, []string{"gone 8000->1000"}},
		{h, 1001, nil},
	} {
		got := retiredNames(reg.RetiredAt(tc.g, tc.port))
		if !slices.Equal(got, tc.want) {
			t.Errorf("RetiredAt(%s, %d) = %q, want %q", tc.g.Name, tc.port, got, tc.want)
		}
	}
	if r := reg.RetiredAt(g, 8000)[0]; r.Component != nil {
		t.Errorf("retirement of 8000 has component %s, want none: gone is not in the registry", r.Component.Name)
	}
	// The reused port is owned by its new component, and no rule objects.
	if got := portNames(reg.Owners(g, 1002, registry.TCP, registry.Any)); !slices.Equal(got, []string{"new 1002"}) {
		t.Errorf("Owners(g, 1002) = %q, want new's", got)
	}
	for _, d := range reg.Problems {
		if d.Rule == "retired-reused" {
			t.Errorf("unexpected %s", d)
		}
	}
}

func TestReservedAt(t *testing.T) {
	reg := flagship(t)
	engine, control := group(t, reg, "engine"), group(t, reg, "control")
	owners := func(rs []*registry.Reservation) []string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Owner)
		}
		return s
	}
	for _, tc := range []struct {
		g     *registry.Group
		port  int
		proto registry.Proto
		want  []string
	}{
		{engine, 8080, registry.TCP, []string{"HTTP alternate servers"}},
		{control, 8080, registry.TCP, nil}, // scoped to the engine group
		{nil, 8080, registry.TCP, []string{"HTTP alternate servers"}},
		{engine, 80, registry.TCP, []string{"HTTP servers"}},
		{control, 80, registry.TCP, nil},                                 // the console's own
		{control, 6443, registry.TCP, []string{"Kubernetes API server"}}, // every group
		{engine, 2380, registry.UDP, []string{"Kubernetes etcd"}},
		{engine, 5681, registry.ProtoAny, []string{"Kuma control plane (5681 API, 5678 xDS, 5680 health)"}},
		{engine, 30000, registry.TCP, []string{"Kubernetes NodePort services"}},
		{engine, 32767, registry.TCP, []string{"Kubernetes NodePort services"}},
		{engine, 32768, registry.TCP, nil},
		{engine, 20000, registry.TCP, nil},
	} {
		got := owners(reg.ReservedAt(tc.g, tc.port, tc.proto))
		if !slices.Equal(got, tc.want) {
			t.Errorf("ReservedAt(%s, %d, %q) = %q, want %q", groupLabel(tc.g), tc.port, tc.proto, got, tc.want)
		}
	}
	small := load(t, "testdata/query/reassign.yaml")
	g, h := group(t, small, "g"), group(t, small, "h")
	for _, tc := range []struct {
		g     *registry.Group
		port  int
		proto registry.Proto
		want  []string
	}{
		{g, 1007, registry.UDP, []string{"dns"}},
		{g, 1007, registry.TCP, nil},
		{g, 1007, registry.ProtoAny, []string{"dns"}},
		{h, 1004, registry.TCP, nil},
		{g, 1004, registry.SCTP, []string{"platform"}},
	} {
		got := owners(small.ReservedAt(tc.g, tc.port, tc.proto))
		if !slices.Equal(got, tc.want) {
			t.Errorf("ReservedAt(%s, %d, %q) = %q, want %q", tc.g.Name, tc.port, tc.proto, got, tc.want)
		}
	}
}

func TestMatchPackage(t *testing.T) {
	reg := flagship(t)
	for _, tc := range []struct{ path, want string }{
		{"github.com/acme/engine/cmd/agent", "agent"},
		{"github.com/acme/engine/cmd/agent/internal/run", "agent"},
		{"cmd/agent", "agent"},
		{"example.com/x/internal/agent", "agent"},
		{"github.com/acme/engine/cmd/agentserver", "AgentServer"},
		{"github.com/acme/engine/cmd/agents", ""},
		{"github.com/acme/engine/cmd/agent2/x", ""},
		{"github.com/acme/engine/xcmd/agent", ""},
		{"github.com/acme/engine/plugins/ratelimit/v2", "rate_limiter"},
		{"github.com/acme/console/sc/web", "sc"},
		{"github.com/acme/engine/cmd/admin_dam", "admin_dam"},
		{"github.com/acme/engine/cmd", ""},
		{"", ""},
	} {
		got := ""
		if c := reg.MatchPackage(tc.path); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("MatchPackage(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
	small := load(t, "testdata/query/reassign.yaml")
	for _, tc := range []struct{ path, want string }{
		{"example.com/h", "other"},     // "x/..." also matches x
		{"example.com/h/sub", "other"}, // before catchall, in file order
		{"example.com/a/cmd/other", "other"},
		{"example.com/a/b/cmd/other", "catchall"}, // * stays within one element
		{"example.com/z", "catchall"},
		{"example.org/h", ""},
	} {
		got := ""
		if c := small.MatchPackage(tc.path); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("MatchPackage(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestMatchFile(t *testing.T) {
	reg := flagship(t)
	for _, tc := range []struct{ path, want string }{
		{"deploy/agent/daemonset.yaml", "agent"},
		{"deploy/agent/overlays/prod/patch.yaml", "agent"},
		{"./deploy/agent/daemonset.yaml", "agent"},
		{"deploy/x/../agent/daemonset.yaml", "agent"},
		{"deploy/agents/daemonset.yaml", ""},
		{"deploy/console/sc/values.yaml", "sc"},
		{"deploy/admin_dam/svc.yaml", "admin_dam"},
		{"deploy/envoy/envoy.yaml", "envoy"},
		{"other/agent/daemonset.yaml", ""},
	} {
		got := ""
		if c := reg.MatchFile(tc.path); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("MatchFile(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestMatchLabels(t *testing.T) {
	reg := load(t, "testdata/query/reassign.yaml")
	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"app": "new", "tier": "web", "pod-template-hash": "x"}, "new"},
		{map[string]string{"app": "new"}, "new2"}, // new also needs tier
		{map[string]string{"app": "old"}, ""},
		{nil, ""},
	} {
		got := ""
		if c := reg.MatchLabels(tc.labels); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("MatchLabels(%v) = %q, want %q", tc.labels, got, tc.want)
		}
	}
}

func TestComponentLookup(t *testing.T) {
	reg := flagship(t)
	for name, want := range map[string]string{
		"admin_dam":           "admin_dam",
		"admin-dam":           "admin_dam",
		"Admin.DAM":           "admin_dam",
		"engine-agent":        "agent",
		"Global_Rate_Limiter": "rate_limiter",
		"agent-server":        "AgentServer",
		"nobody":              "",
	} {
		got := ""
		if c := reg.Component(name); c != nil {
			got = c.Name
		}
		if got != want {
			t.Errorf("Component(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestGroupsWithPort(t *testing.T) {
	reg := flagship(t)
	for port, want := range map[int][]string{
		80:    {"control"},
		443:   {"control"},
		20000: {"engine"},
		29999: {"control"},
		6879:  nil,
		30000: nil,
	} {
		var got []string
		for _, g := range reg.GroupsWithPort(port) {
			got = append(got, g.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("GroupsWithPort(%d) = %q, want %q", port, got, want)
		}
	}
}

func TestFree(t *testing.T) {
	reg := flagship(t)
	if got := reg.Free(rng(t, reg, "engine.mgmt.apps"), 3, registry.FreeOptions{}); !slices.Equal(got, []int{20204, 20205, 20206}) {
		t.Errorf("Free(engine.mgmt.apps, 3) = %v, want [20204 20205 20206]", got)
	}
	if got := reg.Free(rng(t, reg, "engine.data.sidecar"), 1, registry.FreeOptions{}); len(got) != 0 {
		t.Errorf("Free(engine.data.sidecar) = %v, want none: the sidecar span fills it", got)
	}
	// web [1000, 1010): 1000 new, 1001 retired from old, 1002 retired and
	// reused by new, 1003 taken only in group h, 1004 reserved in g, 1005
	// and 1006 old's, 1007 reserved for UDP (free counts every protocol).
	small := load(t, "testdata/query/reassign.yaml")
	web := rng(t, small, "web")
	for _, tc := range []struct {
		n    int
		opts registry.FreeOptions
		want []int
	}{
		{10, registry.FreeOptions{}, []int{1003, 1008, 1009}},
		{2, registry.FreeOptions{}, []int{1003, 1008}},
		{10, registry.FreeOptions{IncludeRetired: true}, []int{1001, 1003, 1008, 1009}},
		{1, registry.FreeOptions{IncludeRetired: true}, []int{1001}},
	} {
		if got := small.Free(web, tc.n, tc.opts); !slices.Equal(got, tc.want) {
			t.Errorf("Free(web, %d, %+v) = %v, want %v", tc.n, tc.opts, got, tc.want)
		}
		if tc.n == 10 {
			if got := small.FreeCount(web, tc.opts); got != len(tc.want) {
				t.Errorf("FreeCount(web, %+v) = %d, want %d", tc.opts, got, len(tc.want))
			}
		}
	}
}

// TestMatchExcluded applies negated patterns after the positive ones.
func TestMatchExcluded(t *testing.T) {
	reg := load(t, "testdata/query/exclude.yaml")
	name := func(c *registry.Component) string {
		if c == nil {
			return ""
		}
		return c.Name
	}
	for path, want := range map[string]string{
		"istio.io/istio/pilot":                  "istiod",
		"istio.io/istio/pilot/pkg/model":        "istiod",
		"istio.io/istio/pilot/test":             "",
		"istio.io/istio/pilot/test/xds":         "",
		"istio.io/istio/pilot/pkg/fakes":        "",
		"istio.io/istio/pilot/pkg/fakegw":       "gateway",
		"istio.io/istio/pilot/pkg/fakegw/inner": "istiod", // fake* is one path element
		"istio.io/istio/pkg/test":               "",
	} {
		if got := name(reg.MatchPackage(path)); got != want {
			t.Errorf("MatchPackage(%q) = %q, want %q", path, got, want)
		}
	}
	for path, want := range map[string]string{
		"manifests/charts/istiod/values.yaml":          "istiod",
		"manifests/charts/istiod/test/values.yaml":     "",
		"manifests/test/x.yaml":                        "",
		"manifests/charts/gateway/values.yaml":         "gateway",
		"./manifests/charts/gateway/templates/svc.yml": "gateway",
		"deploy/x.yaml":                                "",
	} {
		if got := name(reg.MatchFile(path)); got != want {
			t.Errorf("MatchFile(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestRetiredAcrossGroups resolves a retirement's owner written as an
// alias, and a replacement in another group.
func TestRetiredAcrossGroups(t *testing.T) {
	reg := load(t, "testdata/query/crossgroup.yaml")
	control, data := group(t, reg, "control"), group(t, reg, "data")
	for _, tc := range []struct {
		g     *registry.Group
		port  int
		owner string
		repl  string // component and port of the replacement
	}{
		{control, 15011, "istiod", "istiod 15012"},
		{control, 15004, "istiod", "proxy 15020"},
		{data, 9901, "proxy", "proxy 127.0.0.1:15000"},
	} {
		rs := reg.RetiredAt(tc.g, tc.port)
		if len(rs) != 1 {
			t.Fatalf("RetiredAt(%s, %d) = %d retirements, want 1", tc.g.Name, tc.port, len(rs))
		}
		r := rs[0]
		if r.Owner != tc.owner || r.Component == nil || r.Component.Name != tc.owner {
			t.Errorf("port %d: owner %q (component %v), want %s", tc.port, r.Owner, r.Component, tc.owner)
		}
		if r.ReplacedBy == nil || r.ReplacedBy.Component.Name+" "+r.ReplacedBy.String() != tc.repl {
			t.Errorf("port %d: replaced by %v, want %s", tc.port, r.ReplacedBy, tc.repl)
		}
		if want := r.ReplacedBy.Component.Group; r.ReplacedIn != want {
			t.Errorf("port %d: replaced in group %v, want %s", tc.port, r.ReplacedIn, want.Name)
		}
	}
	// "reuses: pilot" names istiod's retirement through its alias.
	if r := reg.RetiredAt(control, 15011)[0]; r.ReassignedTo == nil || r.ReassignedTo.Component.Name != "gateway" {
		t.Errorf("15011 is not reassigned to gateway: %+v", r.ReassignedTo)
	}
}
