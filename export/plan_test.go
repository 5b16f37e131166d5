package export_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/portlint/portlint/export"
)

func write(t *testing.T, src, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := export.Write(&b, parse(t, src), format, export.Options{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestNoPoolGroup exports a group of fixed ports: no pool in the JSON plan,
// its ports in the firewall list, and a port map drawn over its ports.
func TestNoPoolGroup(t *testing.T) {
	const src = "version: 1\ngroups:\n  mesh: {}\n  engine: {pool: \"[20000, 21000)\"}\ncomponents:\n  - {name: proxy, group: mesh, ports: [{port: 15001}, {port: 15090}]}\n"
	var plan struct {
		Groups []struct {
			Name string
			Pool *struct{ First, Last int }
		}
	}
	if err := json.Unmarshal([]byte(write(t, src, "json")), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Groups) != 2 || plan.Groups[0].Name != "mesh" || plan.Groups[0].Pool != nil || plan.Groups[1].Pool == nil {
		t.Errorf("groups %+v: want mesh without a pool, engine with one", plan.Groups)
	}
	if md := write(t, src, "markdown"); !strings.Contains(md, "| 15001 | tcp | proxy |") || !strings.Contains(md, "| 15090 | tcp | proxy |") {
		t.Errorf("the firewall list misses the fixed ports:\n%s", md)
	}
	html := write(t, src, "html")
	if !strings.Contains(html, "pool none (fixed ports)") || !strings.Contains(html, "15090") {
		t.Errorf("the port map does not show the group without a pool and its ports")
	}
}

// TestBindVariesNote lists a port whose bind varies as a port to open, with
// a note, and leaves the bind out of the compact port text.
func TestBindVariesNote(t *testing.T) {
	const src = "version: 1\ngroups:\n  mesh: {pool: \"[15000, 16000)\"}\ncomponents:\n  - {name: proxy, group: mesh, ports: [{port: 15001, bind: varies}]}\n"
	md := write(t, src, "markdown")
	if !strings.Contains(md, "| 15001 | tcp | proxy |  | the bind address depends on the installation |") {
		t.Errorf("no row with the note:\n%s", md)
	}
	if nft := write(t, src, "nftables"); !strings.Contains(nft, "15001") {
		t.Errorf("the ruleset does not open 15001:\n%s", nft)
	}
}

// TestPortDoc puts a port's doc in the firewall list's note and in the JSON
// plan.
func TestPortDoc(t *testing.T) {
	const src = "version: 1\ngroups:\n  mesh: {pool: \"[15000, 16000)\"}\ncomponents:\n  - {name: proxy, group: mesh, ports: [{port: 15090, purpose: telemetry, doc: \"Prometheus scrapes | here\"}, {port: 15021}]}\n"
	md := write(t, src, "markdown")
	if !strings.Contains(md, `| 15090 | tcp | proxy | telemetry | Prometheus scrapes \| here |`) || !strings.Contains(md, "| 15021 | tcp | proxy |  |  |") {
		t.Errorf("the doc is not the note:\n%s", md)
	}
	if csv := write(t, src, "csv"); !strings.Contains(csv, ",telemetry,Prometheus scrapes | here\n") {
		t.Errorf("csv:\n%s", csv)
	}
	if js := write(t, src, "json"); !strings.Contains(js, `"doc": "Prometheus scrapes | here"`) {
		t.Errorf("json has no doc:\n%s", js)
	}
}

// TestExternalNotOpened leaves an external dependency's ports out of every
// firewall format, and marks it in the JSON plan.
func TestExternalNotOpened(t *testing.T) {
	const src = "version: 1\ngroups:\n  app: {pool: \"[8000, 9000)\"}\ncomponents:\n  - {name: postgres, group: app, external: true, ports: [{port: 5432}]}\n  - {name: api, group: app, ports: [{port: 8080}]}\n"
	for _, f := range []string{"markdown", "csv", "nftables", "iptables"} {
		out := write(t, src, f)
		if strings.Contains(out, "5432") || !strings.Contains(out, "8080") {
			t.Errorf("%s: want 8080 and not 5432:\n%s", f, out)
		}
	}
	js := write(t, src, "json")
	if !strings.Contains(js, `"external": true`) {
		t.Errorf("json does not mark the dependency:\n%s", js)
	}
	var plan struct {
		Roles []struct{ Open []struct{ Port int } }
	}
	if err := json.Unmarshal([]byte(js), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Roles) != 1 || len(plan.Roles[0].Open) != 1 {
		t.Fatalf("roles %+v: want one role opening 8080", plan.Roles)
	}
	for _, r := range plan.Roles {
		for _, o := range r.Open {
			if o.Port == 5432 {
				t.Errorf("a role opens the dependency's port")
			}
		}
	}
}

// TestServicePortNote notes a Service port's target in the firewall list
// and the JSON plan.
func TestServicePortNote(t *testing.T) {
	const src = "version: 1\ngroups:\n  app: {pool: \"[8000, 9000)\"}\ncomponents:\n  - {name: api, group: app, ports: [{port: 8080}, {port: 80, targetPort: 8080}]}\n"
	if md := write(t, src, "markdown"); !strings.Contains(md, "| 80 | tcp | api |  | Service port; forwards to 8080 |") || !strings.Contains(md, "| 8080 | tcp | api |  |  |") {
		t.Errorf("markdown:\n%s", md)
	}
	if js := write(t, src, "json"); !strings.Contains(js, `"targetPort": 8080`) {
		t.Errorf("json:\n%s", js)
	}
}

// TestSeveralGroupsExport lists a component deployed in several groups on
// the nodes of each, and names its groups in the JSON plan.
func TestSeveralGroupsExport(t *testing.T) {
	const src = "version: 1\ngroups:\n  sidecar: {}\n  gateway: {}\ncomponents:\n  - {name: proxy, groups: [sidecar, gateway], ports: [{port: 15001}]}\n  - {name: gwctl, group: gateway, ports: [{port: 15500}]}\n"
	md := write(t, src, "markdown")
	if !strings.Contains(md, "| [sidecar](#sidecar) | sidecar | 15001 |") || !strings.Contains(md, "| [gateway](#gateway) | gateway | 15001, 15500 |") {
		t.Errorf("markdown:\n%s", md)
	}
	if js := write(t, src, "json"); !strings.Contains(js, `"groups": [
        "sidecar",
        "gateway"
      ]`) {
		t.Errorf("json:\n%s", js)
	}
	reg := parse(t, src)
	var b bytes.Buffer
	if err := export.Markdown(&b, reg, export.Options{Component: reg.Component("proxy")}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(b.String(), "| 15001 | tcp | proxy |") != 2 {
		t.Errorf("-component proxy does not list both groups' nodes:\n%s", b.String())
	}
}
