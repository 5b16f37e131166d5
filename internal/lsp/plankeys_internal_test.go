package lsp

import (
	"strings"
	"testing"

	"github.com/portlint/portlint/registry"
)

// TestDescribePortPlanKeys checks what a hover says of a port's doc and of
// a block set aside for a component.
func TestDescribePortPlanKeys(t *testing.T) {
	reg, err := registry.Parse("plan.yaml", []byte(`version: 1
groups:
  mesh: {pool: "[15000, 16000)"}
components:
  - {name: proxy, group: mesh, ports: [{port: 15090, purpose: telemetry, doc: Prometheus scrapes here}]}
reserved:
  - {span: "[15000, 15100)", for: proxy, owner: Envoy ports}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := describePort(reg, 15090, nil)
	for _, want := range []string{"· telemetry · Prometheus scrapes here", "- **set aside** for proxy: `15000-15099` (Envoy ports)"} {
		if !strings.Contains(got, want) {
			t.Errorf("hover lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "reserved") {
		t.Errorf("a block set aside for a component is not the platform's:\n%s", got)
	}
}
