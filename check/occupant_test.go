package check_test

import (
	"testing"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// TestOccupant: moving a retired port's use onto its replacement is a
// collision when the component already serves the replacement where the
// two listeners would meet, and only then.
func TestOccupant(t *testing.T) {
	at := func(file string, off int) check.Position {
		return check.Position{File: file, Line: 1, Column: off + 1, Offset: off}
	}
	legacy := &check.Use{Pos: at("internal/agent/legacy.go", 10), Port: 8099, Role: check.Listen, Component: "agent", Bind: registry.Any, BindKnown: true}
	cases := []struct {
		name string
		u    *check.Use
		o    check.Use
		want bool
	}{
		{"a flag default in another package", legacy, check.Use{Pos: at("cmd/agent/main.go", 5), Port: 20000, Role: check.Default, Component: "agent"}, true},
		{"a listener in the daemonset", legacy, check.Use{Pos: at("deploy/agent.yaml", 5), Port: 20000, Role: check.Listen, Component: "agent"}, false},
		{"a run of ports holding it", legacy, check.Use{Pos: at("cmd/agent/main.go", 5), Port: 19990, PortEnd: 20010, Role: check.Listen, Component: "agent"}, true},
		{"another component's listener", legacy, check.Use{Pos: at("cmd/nexus/main.go", 5), Port: 20000, Role: check.Listen, Component: "nexus"}, false},
		{"a dial of the port", legacy, check.Use{Pos: at("cmd/agent/main.go", 5), Port: 20000, Role: check.Dial, Component: "agent"}, false},
		{"another port", legacy, check.Use{Pos: at("cmd/agent/main.go", 5), Port: 20001, Role: check.Listen, Component: "agent"}, false},
		{"udp on the port", legacy, check.Use{Pos: at("cmd/agent/main.go", 5), Port: 20000, Proto: registry.UDP, Role: check.Listen, Component: "agent"}, false},
		{"the same place", legacy, check.Use{Pos: at("internal/agent/legacy.go", 10), Port: 20000, Role: check.Listen, Component: "agent"}, false},
		{"a use of the retired port too", legacy, check.Use{Pos: at("cmd/agent/main.go", 5), Port: 8099, PortEnd: 20000, Role: check.Listen, Component: "agent"}, false},
		{"loopback and a distinct address",
			&check.Use{Pos: at("a.go", 1), Port: 8099, Role: check.Listen, Component: "agent", Bind: registry.Loopback, BindKnown: true},
			check.Use{Pos: at("b.go", 1), Port: 20000, Role: check.Listen, Component: "agent", Bind: registry.Bind{Kind: registry.BindIP, Value: "10.0.0.1"}, BindKnown: true}, false},
		{"a manifest's port and another manifest",
			&check.Use{Pos: at("deploy/a.yaml", 1), Port: 8099, Role: check.Listen, Component: "agent"},
			check.Use{Pos: at("deploy/b.yaml", 1), Port: 20000, Role: check.Listen, Component: "agent"}, false},
		{"a manifest's port and its own file",
			&check.Use{Pos: at("deploy/a.yaml", 1), Port: 8099, Role: check.Listen, Component: "agent"},
			check.Use{Pos: at("deploy/a.yaml", 40), Port: 20000, Role: check.Listen, Component: "agent"}, true},
		{"another program of the component",
			&check.Use{Pos: at("cmd/agent/main.go", 1), Port: 8099, Role: check.Listen, Component: "agent", Main: true},
			check.Use{Pos: at("cmd/agent/api/main.go", 1), Port: 20000, Role: check.Listen, Component: "agent", Main: true}, false},
		{"a library the program may link",
			&check.Use{Pos: at("cmd/agent/main.go", 1), Port: 8099, Role: check.Listen, Component: "agent", Main: true},
			check.Use{Pos: at("internal/agent/api.go", 1), Port: 20000, Role: check.Listen, Component: "agent"}, true},
		{"the same program, another file",
			&check.Use{Pos: at("cmd/agent/main.go", 1), Port: 8099, Role: check.Listen, Component: "agent", Main: true},
			check.Use{Pos: at("cmd/agent/api.go", 1), Port: 20000, Role: check.Listen, Component: "agent", Main: true}, true},
		{"an unattributed use",
			&check.Use{Pos: at("a.go", 1), Port: 8099, Role: check.Listen},
			check.Use{Pos: at("b.go", 1), Port: 20000, Role: check.Listen}, false},
	}
	for _, c := range cases {
		o := c.o
		got := check.Occupant(c.u, 20000, []*check.Use{c.u, &o}) != nil
		if got != c.want {
			t.Errorf("%s: occupied = %v, want %v", c.name, got, c.want)
		}
	}
}
