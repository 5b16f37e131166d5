package check_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// TestRemedies: each finding carries the remedy the plan gives, computed
// where the finding is decided: the next free port of the component's own
// range (as portlint registry next counts it), the port that replaced a
// retired one, the planned address.
func TestRemedies(t *testing.T) {
	reg := flagship(t)
	free, r := check.NextFree(reg, reg.Component("webserver"))
	if r == nil || r.Name != "engine.mgmt.apps" {
		t.Fatalf("NextFree(webserver) = %d in %v, want a port of engine.mgmt.apps", free, r)
	}
	if next := reg.Free(r, 1, registry.FreeOptions{}); len(next) != 1 || next[0] != free {
		t.Fatalf("NextFree(webserver) = %d, portlint registry next says %v", free, next)
	}
	dataFree, dr := check.NextFree(reg, reg.Component("data_dam"))
	if dr == nil || dr.Name != "engine.data" {
		t.Fatalf("NextFree(data_dam) = %d in %v, want a port of engine.data", dataFree, dr)
	}
	webFree := itoa(free)
	cases := []struct {
		name  string
		use   check.Use
		check string
		hint  string
	}{
		{"conflict", check.Use{Port: 20200, Role: check.Listen, Component: "data_dam"}, check.Conflict,
			"use " + itoa(dataFree) + ", the next free port of engine.data, and register it for data_dam"},
		{"foreign range", check.Use{Port: 28955, Role: check.Listen, Component: "webserver"}, check.ForeignRange,
			"use " + webFree + ", the next free port of engine.mgmt.apps, and register it for webserver"},
		{"foreign range keeps the protocol", check.Use{Port: 28955, Proto: registry.UDP, Role: check.Listen, Component: "webserver"}, check.ForeignRange,
			"use " + webFree + "/udp, the next free port of engine.mgmt.apps, and register it for webserver"},
		{"outside every pool, unattributed", check.Use{Port: 8081, Role: check.Listen}, check.ForeignRange,
			"name the component it belongs to in the plan (packages:, manifests:) to place it, or use a port of a pool"},
		{"unregistered", check.Use{Port: 20250, Role: check.Listen, Component: "webserver"}, check.Unregistered,
			"register 20250 for webserver in the plan"},
		{"retired", check.Use{Port: 8099, Role: check.Listen, Component: "agent"}, check.Retired,
			"use 20000, the port that replaced it"},
		{"retired dial", check.Use{Port: 8099, Role: check.Dial, Component: "webserver", Names: []string{"agent.svc"}}, check.Retired,
			"dial 20000, the port that replaced it"},
		{"another's retired port", check.Use{Port: 8099, Role: check.Listen, Component: "webserver"}, check.Retired,
			"use " + webFree + ", the next free port of engine.mgmt.apps, and register it for webserver"},
		{"bind", check.Use{Port: 28952, Role: check.Listen, Component: "data_dam", Bind: registry.Any, BindKnown: true}, check.BindCheck,
			"listen on 127.0.0.1:28952, the plan's address, or change the bind in the plan"},
		{"reserved", check.Use{Port: 15001, Role: check.Listen, Component: "webserver"}, check.Reserved,
			"use " + webFree + ", the next free port of engine.mgmt.apps, and register it for webserver"},
		{"reserved, unattributed", check.Use{Port: 15001, Role: check.Listen}, check.Reserved, check.Hint(check.Reserved)},
	}
	c := &check.Checker{Reg: reg}
	for _, tc := range cases {
		rs := c.Check(&tc.use)
		if len(rs) != 1 || rs[0].Check != tc.check {
			t.Errorf("%s: %+v, want one %s", tc.name, rs, tc.check)
			continue
		}
		if rs[0].Hint != tc.hint {
			t.Errorf("%s: hint %q, want %q", tc.name, rs[0].Hint, tc.hint)
		}
	}
}

// TestEveryResultHasAHint: no result of any check comes without a remedy,
// over a sweep of ports, roles and components of the flagship plan.
func TestEveryResultHasAHint(t *testing.T) {
	reg := flagship(t)
	c := &check.Checker{Reg: reg, Enabled: func() check.Set { s := check.DefaultSet(); s.Apply([]string{"all"}, true); return s }()}
	comps := []string{""}
	for _, x := range reg.Components {
		comps = append(comps, x.Name)
	}
	seen := map[string]bool{}
	for _, comp := range comps {
		for _, role := range []check.Role{check.Listen, check.Dial, check.Expose} {
			for _, port := range []int{80, 2379, 7000, 8080, 8099, 15001, 20000, 20200, 20250, 28952, 28955, 29005, 29100, 31000} {
				for _, b := range []registry.Bind{registry.Any, bind("127.0.0.1")} {
					u := check.Use{Port: port, Role: role, Component: comp, Bind: b, BindKnown: true}
					for _, r := range c.Check(&u) {
						seen[r.Check] = true
						if r.Hint == "" || strings.HasSuffix(r.Hint, ".") || r.Hint != strings.ToLower(r.Hint[:1])+r.Hint[1:] {
							t.Errorf("%+v: %s %q has hint %q", u, r.Check, r.Message, r.Hint)
						}
					}
				}
			}
		}
	}
	for _, name := range []string{check.Conflict, check.ForeignRange, check.Retired, check.Unregistered, check.BindCheck, check.Reserved} {
		if !seen[name] {
			t.Errorf("the sweep never produced %s", name)
		}
	}
}

// TestTreeRemedies: a duplicate listener is told where to move, an unused
// port what to remove.
func TestTreeRemedies(t *testing.T) {
	reg := flagship(t)
	a := &check.Use{Port: 20250, Role: check.Listen, Component: "webserver", Pos: check.Position{File: "a.go", Line: 1, Column: 1}}
	b := &check.Use{Port: 20250, Role: check.Listen, Component: "agent", Pos: check.Position{File: "b.go", Line: 1, Column: 1}}
	trs := check.Duplicates(reg, []*check.Use{a, b}, nil)
	if len(trs) != 1 {
		t.Fatalf("duplicates: %+v", trs)
	}
	p, r := check.NextFree(reg, reg.Component("agent"))
	want := "move agent to " + itoa(p) + ", the next free port of " + r.Name + ", and register it; or register the port for one of the two"
	if trs[0].Hint != want {
		t.Errorf("duplicate hint %q, want %q", trs[0].Hint, want)
	}
	for _, u := range check.UnusedPorts(reg, nil) {
		if !strings.HasPrefix(u.Hint, "remove ") {
			t.Errorf("unused %q: hint %q", u.Message, u.Hint)
		}
	}
}

// TestDiagMessage: the one-line form splits back into message and remedy.
func TestDiagMessage(t *testing.T) {
	line := check.DiagMessage("port 8099 is retired: agent moved to 20000; nothing listens there any more", "dial 20000, the port that replaced it", "retired")
	if line != "port 8099 is retired: agent moved to 20000; nothing listens there any more; hint: dial 20000, the port that replaced it [retired]" {
		t.Errorf("DiagMessage: %q", line)
	}
	msg, hint, ok := check.SplitDiagMessage(line, "retired")
	if !ok || msg != "port 8099 is retired: agent moved to 20000; nothing listens there any more" || hint != "dial 20000, the port that replaced it" {
		t.Errorf("SplitDiagMessage: %q %q %v", msg, hint, ok)
	}
	if msg, hint, ok := check.SplitDiagMessage("port 1 is odd [conflict]", "conflict"); !ok || msg != "port 1 is odd" || hint != "" {
		t.Errorf("SplitDiagMessage without a hint: %q %q %v", msg, hint, ok)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
