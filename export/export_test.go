package export_test

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/export"
	"github.com/portlint/portlint/finding"
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

func parse(t *testing.T, src string) *registry.Registry {
	t.Helper()
	reg, err := registry.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestRolesFollowPlanes checks the roles against the registry: one per
// plane, an all-in-one per group with several planes, every component on
// each role of its planes, each port once per role, loopback ports only
// with All.
func TestRolesFollowPlanes(t *testing.T) {
	reg := flagship(t)
	for _, all := range []bool{false, true} {
		roles, err := export.Roles(reg, export.Options{All: all})
		if err != nil {
			t.Fatal(err)
		}
		want := len(reg.Planes)
		for _, g := range reg.Groups {
			if len(g.Planes) > 1 {
				want++
			}
		}
		if len(roles) != want {
			t.Fatalf("%d roles, want %d", len(roles), want)
		}
		for _, r := range roles {
			seen := map[*registry.Port]bool{}
			for _, o := range r.Open {
				if seen[o.Port] {
					t.Errorf("role %s lists %s twice", r.Name, o.Port)
				}
				seen[o.Port] = true
				if o.Port.Bind.IsLoopback() != o.Internal || (o.Internal && !all) {
					t.Errorf("role %s (all=%v): %s %s internal=%v", r.Name, all, o.Component.Name, o.Port, o.Internal)
				}
			}
			for _, c := range r.Group.Components {
				onRole := false
				for _, p := range c.Planes {
					for _, q := range r.Planes {
						onRole = onRole || p == q
					}
				}
				for _, p := range c.Ports {
					wantIt := onRole && (all || !p.Bind.IsLoopback())
					if seen[p] != wantIt {
						t.Errorf("role %s (all=%v): %s %s listed=%v, want %v", r.Name, all, c.Name, p, seen[p], wantIt)
					}
				}
			}
		}
	}
}

func TestRoleSelection(t *testing.T) {
	reg := flagship(t)
	m, w := reg.Plane("SE-M"), reg.Plane("SE-W")
	roles, err := export.Roles(reg, export.Options{Planes: []*registry.Plane{m, w}})
	if err != nil || len(roles) != 1 || roles[0].Name != "SE-M+SE-W" || roles[0].ID != "engine-se-m-se-w" {
		t.Fatalf("SE-M,SE-W: %v %+v", err, roles)
	}
	all := reg.Group("engine").Planes
	roles, _ = export.Roles(reg, export.Options{Planes: all})
	if len(roles) != 1 || roles[0].ID != "engine-all-in-one" {
		t.Fatalf("every engine plane is the all-in-one node, got %+v", roles[0])
	}
	if _, err := export.Roles(reg, export.Options{Planes: []*registry.Plane{w, reg.Plane("console")}}); err == nil {
		t.Error("planes of two groups on one node: no error")
	}
	roles, _ = export.Roles(reg, export.Options{Component: reg.Component("agent")})
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
		if len(r.Open) != len(reg.Component("agent").Ports) {
			t.Errorf("role %s lists %d ports of agent", r.Name, len(r.Open))
		}
	}
	if strings.Join(names, ",") != "SE-M,SE-S,SE-W,engine all-in-one" {
		t.Errorf("agent runs on %v", names)
	}
}

// TestNotes checks what the lists say about the special ports of the plan,
// found by their properties rather than by number.
func TestNotes(t *testing.T) {
	reg := flagship(t)
	var b bytes.Buffer
	if err := export.Markdown(&b, reg, export.Options{All: true}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(p.Span.Dash()) + `( \(internal\))? \| ` + string(p.Proto) + ` \| ` + regexp.QuoteMeta(c.Name) + ` \|.*$`).FindString(md)
			if row == "" {
				t.Errorf("no row for %s %s", c.Name, p.Span.Dash())
				continue
			}
			if p.Bind.Kind == registry.BindVar && !strings.Contains(row, "binds "+p.Bind.String()) {
				t.Errorf("VIP row does not name the bind: %s", row)
			}
			if p.Bind.IsLoopback() && !strings.Contains(row, "(internal)") {
				t.Errorf("loopback row not marked internal: %s", row)
			}
			if p.Pending != "" && !strings.Contains(row, "pending: "+p.Pending) {
				t.Errorf("pending row has no note: %s", row)
			}
		}
	}
}

// firewalld's service format (firewalld.service(5)): the elements a
// service may hold and the protocols of a port.
var serviceElements = map[string]bool{"short": true, "description": true, "port": true, "protocol": true, "source-port": true, "module": true, "destination": true, "include": true, "helper": true}

// TestFirewalldServiceFormat checks every role's service against
// firewalld's format without firewalld: the root, the known elements, and
// ports as N or N-M with a known protocol, equal to the role's ports.
func TestFirewalldServiceFormat(t *testing.T) {
	reg := flagship(t)
	files, err := export.Firewalld(reg, export.Options{All: true})
	if err != nil {
		t.Fatal(err)
	}
	roles, _ := export.Roles(reg, export.Options{All: true})
	if len(files) != len(roles) {
		t.Fatalf("%d files for %d roles", len(files), len(roles))
	}
	for i, f := range files {
		var svc struct {
			XMLName xml.Name
			Short   string `xml:"short"`
			Any     []struct {
				XMLName  xml.Name
				Protocol string `xml:"protocol,attr"`
				Port     string `xml:"port,attr"`
			} `xml:",any"`
		}
		if err := xml.Unmarshal(f.Data, &svc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if svc.XMLName.Local != "service" || svc.Short == "" {
			t.Errorf("%s: root %s, short %q", f.Name, svc.XMLName.Local, svc.Short)
		}
		var got []string
		for _, e := range svc.Any {
			if !serviceElements[e.XMLName.Local] {
				t.Errorf("%s: element <%s> is not in firewalld's service format", f.Name, e.XMLName.Local)
			}
			if e.XMLName.Local != "port" {
				continue
			}
			if !regexp.MustCompile(`^\d{1,5}(-\d{1,5})?$`).MatchString(e.Port) || !map[string]bool{"tcp": true, "udp": true, "sctp": true, "dccp": true}[e.Protocol] {
				t.Errorf("%s: bad port %q/%q", f.Name, e.Port, e.Protocol)
			}
			got = append(got, e.Port+"/"+e.Protocol)
		}
		var want []string
		for _, o := range roles[i].Open {
			if !o.Internal {
				want = append(want, o.Port.Span.Dash()+"/"+string(o.Port.Proto))
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s opens %v, want %v", f.Name, got, want)
		}
	}
}

const awkward = `version: 1
title: "plan | with -- awkward \"text\""
groups:
  g: {pool: "[1000, 2000)"}
planes:
  p: {group: g}
ranges:
  - {name: g.all, group: g, span: "[1000, 1100)", planes: [p]}
components:
  - name: weird
    group: g
    planes: [p]
    ranges: [g.all]
    ports:
      - {port: 1000, proto: udp, purpose: "a | b -- c \"quoted\" <tag> \\ back"}
      - {span: "[1010, 1019]", proto: sctp, purpose: range}
`

// TestEscaping feeds text that breaks naive output into every format.
func TestEscaping(t *testing.T) {
	reg := parse(t, awkward)
	out := map[string]string{}
	for _, f := range []string{"markdown", "nftables", "iptables", "firewalld", "html"} {
		var b bytes.Buffer
		if err := export.Write(&b, reg, f, export.Options{}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = b.String()
	}
	if !strings.Contains(out["markdown"], `a \| b`) || strings.Contains(out["markdown"], "<tag>") {
		t.Errorf("markdown does not escape | and <:\n%s", out["markdown"])
	}
	for _, line := range strings.Split(out["nftables"], "\n") {
		if i := strings.Index(line, `comment "`); i >= 0 && strings.Count(line[i:], `"`) != 2 {
			t.Errorf("nft comment quoting broken: %s", line)
		}
	}
	if !strings.Contains(out["nftables"], "udp dport 1000 accept") || !strings.Contains(out["nftables"], "sctp dport 1010-1019 accept") {
		t.Errorf("nftables lost the protocols:\n%s", out["nftables"])
	}
	if !strings.Contains(out["iptables"], "-p sctp -m sctp --dport 1010:1019") {
		t.Errorf("iptables range or protocol wrong:\n%s", out["iptables"])
	}
	for _, c := range regexp.MustCompile(`(?s)<!--(.*?)-->`).FindAllStringSubmatch(out["firewalld"], -1) {
		if strings.Contains(c[1], "--") {
			t.Errorf("xml comment holds --: %s", c[0])
		}
	}
	if err := xml.Unmarshal([]byte(out["firewalld"]), new(struct{})); err != nil {
		t.Errorf("firewalld xml: %v", err)
	}
	if strings.Contains(out["html"], `"quoted"`) || strings.Contains(out["html"], "<tag>") {
		t.Error("html does not escape the purpose")
	}
}

func TestWriteFirewalldNeedsOneRole(t *testing.T) {
	err := export.Write(new(bytes.Buffer), flagship(t), "firewalld", export.Options{})
	if _, ok := err.(*export.OneRoleError); !ok {
		t.Fatalf("err = %v, want a OneRoleError", err)
	}
}

// TestOverlay classifies one record of each kind against the flagship,
// with ports taken from the registry by their properties.
func TestOverlay(t *testing.T) {
	reg := flagship(t)
	var vip, loop, plain, other *registry.Port
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			switch {
			case p.Bind.Kind == registry.BindVar && vip == nil:
				vip = p
			case p.Bind.IsLoopback() && loop == nil:
				loop = p
			case p.Bind.Kind == registry.BindAny && p.Span.IsSingle() && plain == nil && len(reg.RetiredAt(c.Group, p.Span.Lo)) == 0:
				plain = p
			}
		}
	}
	for _, c := range plain.Component.Group.Components {
		if c != plain.Component {
			other = c.Ports[0]
			break
		}
	}
	var retired *registry.Retirement
	for _, r := range reg.Retired {
		if r.ReassignedTo == nil && len(reg.Assignments(r.Group, r.Port)) == 0 && len(reg.ReservedAt(r.Group, r.Port, registry.ProtoAny)) == 0 {
			retired = r
			break
		}
	}
	free := reg.Free(plain.Component.Ranges[0], 1, registry.FreeOptions{})[0]
	rec := func(port int, bind, role, comp string) finding.Record {
		return finding.Record{File: "x.go", Line: 1, Port: port, Proto: "tcp", Bind: bind, Role: role, Component: comp, Source: "net.Listen"}
	}
	for _, tc := range []struct {
		name   string
		rec    finding.Record
		status export.Usage // "" when the record uses a planned port
		used   *registry.Port
	}{
		{"planned", rec(plain.Span.Lo, "", "listen", plain.Component.Name), "", plain},
		{"alias", rec(plain.Span.Lo, "", "listen", strings.ToUpper(plain.Component.Name)), "", plain},
		{"vip", rec(vip.Span.Lo, "$"+vip.Bind.Value, "listen", vip.Component.Name), "", vip},
		{"loopback", rec(loop.Span.Lo, "127.0.0.1", "listen", loop.Component.Name), "", loop},
		{"loopback bound wide", rec(loop.Span.Lo, "0.0.0.0", "listen", loop.Component.Name), export.Conflict, nil},
		{"dial", rec(plain.Span.Lo, "", "dial", other.Component.Name), "", plain},
		{"another's port", rec(plain.Span.Lo, "", "listen", other.Component.Name), export.Conflict, nil},
		{"retired", rec(retired.Port, "", "listen", retired.Owner), export.Conflict, nil},
		{"free", rec(free, "", "listen", plain.Component.Name), export.Unplanned, nil},
		{"nowhere", rec(65000, "", "listen", ""), export.Unplanned, nil},
	} {
		ov := export.NewOverlay(reg, []finding.Record{tc.rec})
		var got export.Usage
		if len(ov.Uses) == 1 {
			got = ov.Uses[0].Status
		} else if len(ov.Uses) > 1 {
			t.Errorf("%s: %d uses", tc.name, len(ov.Uses))
		}
		if got != tc.status {
			t.Errorf("%s: status %q, want %q (%+v)", tc.name, got, tc.status, ov.Uses)
		}
		if tc.used != nil && ov.Ports[tc.used] != export.Used {
			t.Errorf("%s: %s %s not marked used", tc.name, tc.used.Component.Name, tc.used)
		}
		n := 0
		for _, u := range ov.Ports {
			if u == export.Used {
				n++
			}
		}
		if tc.used == nil && n != 0 {
			t.Errorf("%s: %d ports marked used", tc.name, n)
		}
	}
}

func TestCompareSame(t *testing.T) {
	reg := flagship(t)
	if d := export.Compare(reg, reg); !d.Empty() {
		t.Fatalf("a plan differs from itself: %+v", d)
	}
}
