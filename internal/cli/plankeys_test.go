package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePlan writes a registry into a fresh directory and returns both.
func writePlan(t *testing.T, src string) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

// TestRegistryShowPortDocs lists the ports that carry a doc after the
// components, and shows no such table when none does.
func TestRegistryShowPortDocs(t *testing.T) {
	dir, _ := writePlan(t, `version: 1
groups:
  mesh: {pool: "[15000, 16000)"}
components:
  - name: proxy
    group: mesh
    ports:
      - {port: 15001, doc: "outbound capture: iptables redirects every outbound connection here"}
      - {port: 15006}
      - {port: 15090, bind: varies, doc: Prometheus telemetry}
`)
	r := regCmd(t, dir, "registry", "show", "plan.yaml")
	want := "\nPORT   COMPONENT  DOC\n15001  proxy      outbound capture: iptables redirects every outbound connection here\n15090  proxy      Prometheus telemetry\n"
	if r.code != ExitClean || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("exit %d, stdout:\n%s\nwant it to end with:\n%s", r.code, r.stdout, want)
	}
	root := moduleRoot(t)
	if r := regCmd(t, root, "registry", "show", "registry.yaml"); strings.Contains(r.stdout, "\nPORT ") {
		t.Errorf("the flagship has no port doc, but show prints a table of them:\n%s", r.stdout)
	}
}
