package registry_test

import (
	"strings"
	"testing"

	"github.com/portlint/portlint/registry"
)

const configuresPlan = `version: 1
groups:
  mesh: {pool: "[15000, 16000)"}
components:
  - name: istiod
    group: mesh
    packages: ["*/pilot/..."]
    keys: [pilot.**, global.istiod.**]
  - name: sidecar
    group: mesh
    types:
      - "*/pkg/bootstrap.Config"
      - "istio.io/istio/pkg/model.Proxy.*Port"
      - "*/pkg/iptables/*.Redirect*"
    keys: [sidecar.**, global.proxy.**, "meshConfig.defaultConfig.*Port"]
  - name: sidecar_admin
    group: mesh
    keys: [sidecar.admin.**]
`

func TestMatchType(t *testing.T) {
	reg, err := registry.Parse("plan.yaml", []byte(configuresPlan))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pkg, typ, field, want string
	}{
		{"istio.io/istio/pkg/bootstrap", "Config", "AdminPort", "sidecar"},
		{"example.com/fork/pkg/bootstrap", "Config", "", "sidecar"},
		{"istio.io/istio/pkg/model", "Proxy", "StatusPort", "sidecar"},
		{"istio.io/istio/pkg/model", "Proxy", "Metadata", ""},        // the field pattern does not match
		{"istio.io/istio/pkg/model", "ProxyConfig", "AdminPort", ""}, // another type
		{"istio.io/istio/pkg/bootstrapx", "Config", "AdminPort", ""}, // another package
		{"istio.io/istio/pkg/iptables/builder", "RedirectRule", "Port", "sidecar"},
		{"istio.io/istio/pkg/bootstrap/option", "Config", "AdminPort", ""}, // a sub-package is another package
	} {
		got := ""
		if c := reg.MatchType(tc.pkg, tc.typ, tc.field); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("MatchType(%s, %s, %s) = %q, want %q", tc.pkg, tc.typ, tc.field, got, tc.want)
		}
	}
}

func TestMatchKey(t *testing.T) {
	reg, err := registry.Parse("plan.yaml", []byte(configuresPlan))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"sidecar.ports.inbound", "sidecar"},
		{"sidecar", "sidecar"},
		{"Sidecar.Ports.inbound", "sidecar"},    // case folds
		{"sidecar.admin.port", "sidecar_admin"}, // the longer pattern wins
		{"global.proxy.statusPort", "sidecar"},
		{"global.istiod.enableAnalysis", "istiod"},
		{"global.proxy_init.image", ""}, // a sibling key
		{"pilot.env.PILOT_PORT", "istiod"},
		{"meshConfig.defaultConfig.statusPort", "sidecar"},
		{"meshConfig.defaultConfig.status-port", "sidecar"}, // "-" folds
		{"meshConfig.defaultConfig.statusPorts", ""},        // the name must end in Port
		{"meshConfig.defaultConfig.proxyStatsMatcher", ""},
		{"gateways.ingress.ports.port", ""},
	} {
		got := ""
		if c := reg.MatchKey(strings.Split(tc.path, ".")); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("MatchKey(%s) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestBadAttributionPatterns(t *testing.T) {
	for _, tc := range []struct{ pat, key, want string }{
		{"Config", "types", `no type`},
		{"*/pkg/bootstrap/...", "types", `no type`},
		{"*/pkg/bootstrap.Config.Admin.Port", "types", "too many dots"},
		{"*/pkg/bootstrap.", "types", "Go identifier"},
		{"sidecar..port", "keys", "empty key"},
		{"sidecar.a**", "keys", `"**" stands alone`},
		{" sidecar", "keys", "without spaces"},
	} {
		src := "version: 1\ngroups:\n  g: {pool: 1000}\ncomponents:\n  - name: a\n    group: g\n    " + tc.key + ": [\"" + tc.pat + "\"]\n"
		_, err := registry.Parse("plan.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "plan.yaml:7:") {
			t.Errorf("%s %q: error %v, want one at plan.yaml:7 saying %q", tc.key, tc.pat, err, tc.want)
		}
	}
}
