package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portlint/portlint/export"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

func init() {
	// Other test files of the package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// repoRoot is the module root, where the flagship registry.yaml lives.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func flagship(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := registry.Load(filepath.Join(repoRoot(t), "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// runExport runs "portlint registry export ARGS registry.yaml" in the module
// root and returns stdout, stderr and the exit status.
func runExport(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Dir: dir}
	err := Run(context.Background(), env, append([]string{"registry"}, args...))
	code := 0
	if err != nil {
		code = ExitInternal
		if ee, ok := err.(*ExitError); ok {
			code = ee.Code
			if ee.Msg != "" {
				stderr.WriteString(ee.Msg + "\n")
			}
		}
	}
	return stdout.String(), stderr.String(), code
}

func exportFlagship(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runExport(t, repoRoot(t), append(append([]string{"export"}, args...), "registry.yaml")...)
	if code != 0 {
		t.Fatalf("export %v: exit %d\n%s", args, code, errOut)
	}
	return out
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "export", name)
	if updateGoldens() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where want and got part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + a + "\n  got:  " + c + "\n")
			shown++
		}
	}
	return b.String()
}

// The golden files of the flagship registry, in each format and with the
// filters a support engineer uses.
var exportGoldens = []struct {
	name string
	args []string
}{
	{"flagship.md", []string{"-format", "markdown"}},
	{"flagship.csv", []string{"-format", "csv"}},
	{"flagship.json", []string{"-format", "json"}},
	{"flagship.nft", []string{"-format", "nftables"}},
	{"flagship.iptables", []string{"-format", "iptables"}},
	{"flagship-all.md", []string{"-format", "markdown", "-all"}},
	{"flagship-all.csv", []string{"--format", "csv", "--all"}},
	{"plane-se-w.md", []string{"--format", "markdown", "--plane", "SE-W"}},
	{"plane-se-w.nft", []string{"--format", "nftables", "--plane", "SE-W"}},
	{"plane-se-w.iptables", []string{"--format", "iptables", "--plane", "SE-W"}},
	{"plane-se-w.xml", []string{"--format", "firewalld", "--plane", "SE-W"}},
	{"group-control.md", []string{"--format", "markdown", "--group", "control"}},
	{"group-control.json", []string{"--format", "json", "--group", "control"}},
	{"component-data_dam.md", []string{"--format", "markdown", "--component", "data_dam"}},
	{"component-data_dam-all.md", []string{"--format", "markdown", "--component", "data_dam", "--all"}},
	{"component-data_dam-all.xml", []string{"--format", "firewalld", "--component", "data_dam", "--plane", "SE-W", "--all"}},
}

func TestExportGolden(t *testing.T) {
	for _, tc := range exportGoldens {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name, exportFlagship(t, tc.args...))
		})
	}
}

// TestExportFirewalldDir writes every role's service into a directory: one
// file per role, named after the role, each as golden.
func TestExportFirewalldDir(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := runExport(t, repoRoot(t), "export", "-format", "firewalld", "-o", filepath.Join(dir, "services"), "registry.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	roles, err := export.Roles(flagship(t), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range roles {
		want = append(want, r.ID+".xml")
	}
	sort.Strings(want)
	ents, err := os.ReadDir(filepath.Join(dir, "services"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want one per role %v", got, want)
	}
	for _, name := range got {
		data, err := os.ReadFile(filepath.Join(dir, "services", name))
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, filepath.Join("firewalld", name), string(data))
		if !strings.Contains(stderr, "wrote "+filepath.Join(dir, "services", name)) {
			t.Errorf("stderr does not say it wrote %s:\n%s", name, stderr)
		}
	}
}

func TestExportFirewalldStdoutNeedsOneRole(t *testing.T) {
	out, stderr, code := runExport(t, repoRoot(t), "export", "-format", "firewalld", "registry.yaml")
	if code != ExitUsage || out != "" {
		t.Fatalf("exit %d, stdout %q; want exit 2 and nothing written", code, out)
	}
	if !strings.Contains(stderr, "-o DIR") || !strings.Contains(stderr, "-plane") {
		t.Errorf("the error does not say how to choose a role or a directory:\n%s", stderr)
	}
}

func TestExportOutputToDirAndFile(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runExport(t, repoRoot(t), "export", "-format", "csv", "-o", dir, "registry.yaml"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := exportFlagship(t, "-format", "csv")
	got, err := os.ReadFile(filepath.Join(dir, "firewall-list.csv"))
	if err != nil || string(got) != want {
		t.Fatalf("-o DIR: %v; file differs from stdout output: %v", err, string(got) != want)
	}
	file := filepath.Join(dir, "se-w.nft")
	if _, stderr, code := runExport(t, repoRoot(t), "export", "-format", "nftables", "-plane", "SE-W", "-o", file, "registry.yaml"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ = os.ReadFile(file)
	if string(got) != exportFlagship(t, "-format", "nftables", "-plane", "SE-W") {
		t.Fatal("-o FILE: the file differs from the stdout output")
	}
}

func TestExportUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"export"}, "-format is required"},
		{[]string{"export", "-format", "pdf"}, `unknown format "pdf"`},
		{[]string{"export", "-format", "markdown", "-plane", "SE-X"}, `no plane "SE-X"`},
		{[]string{"export", "-format", "markdown", "-group", "edge"}, `no group "edge"`},
		{[]string{"export", "-format", "markdown", "-component", "nobody"}, `no component "nobody"`},
		{[]string{"export", "-format", "markdown", "-plane", "SE-W,console"}, "different groups"},
		{[]string{"export", "-format", "markdown", "-plane", "SE-M", "-component", "envoy"}, "does not run on SE-M"},
		{[]string{"export", "-format", "markdown", "-inventory", "x.jsonl"}, "-format html"},
		{[]string{"diff", "only-one.yaml"}, ""},
	} {
		_, stderr, code := runExport(t, repoRoot(t), tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", tc.args, code, stderr, tc.msg)
		}
	}
}

func TestExportInventoryErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	mustWrite(t, bad, []byte(`{"version":1,"file":"a.go","line":1,"column":2,"port":20000,"proto":"tcp","role":"listen","source":"net.Listen"}`+"\n\nnot json\n"))
	_, stderr, code := runExport(t, repoRoot(t), "export", "-format", "html", "-inventory", bad, "registry.yaml")
	if code != ExitUsage || !strings.Contains(stderr, "bad.jsonl:3:") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming line 3", code, stderr)
	}
	mustWrite(t, bad, []byte(`{"version":1,"port":70000,"proto":"tcp","role":"listen"}`))
	_, stderr, code = runExport(t, repoRoot(t), "export", "-format", "html", "-inventory", bad, "registry.yaml")
	if code != ExitUsage || !strings.Contains(stderr, "outside 1-65535") {
		t.Errorf("exit %d, stderr %q; want exit 2 for port 70000", code, stderr)
	}
}

// TestExportInventoryVersion: the reader takes the records portlint ports
// -json writes, and refuses, with file:line:col, a record of another
// format version or one without a version.
func TestExportInventoryVersion(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inv.jsonl")
	var out, stderr bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &stderr, Dir: filepath.Join(repoRoot(t), "examples", "engine")}
	if err := Run(context.Background(), env, []string{"ports", "-json", "-registry", "builtin", "./..."}); err != nil {
		t.Fatalf("ports -json: %v\n%s", err, stderr.String())
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if !strings.HasPrefix(first, fmt.Sprintf(`{"version":%d,"file":`, finding.InventoryVersion)) {
		t.Fatalf("ports -json record without its format version: %s", first)
	}
	mustWrite(t, inv, out.Bytes())
	if _, stderr, code := runExport(t, repoRoot(t), "export", "-format", "html", "-inventory", inv, "registry.yaml"); code != 0 {
		t.Fatalf("the inventory ports -json wrote is refused: exit %d, %s", code, stderr)
	}
	for _, tc := range []struct{ line, msg string }{
		{`{"version":2,"file":"a.go","line":1,"column":2,"port":20000,"proto":"tcp","role":"listen"}`, "inv.jsonl:2:2: inventory format version 2; this portlint reads version 1"},
		{`{"file":"a.go","line":1,"column":2,"port":20000,"proto":"tcp","role":"listen"}`, "inv.jsonl:2:1: no inventory format version"},
	} {
		mustWrite(t, inv, []byte(first+"\n"+tc.line+"\n"))
		_, stderr, code := runExport(t, repoRoot(t), "export", "-format", "html", "-inventory", inv, "registry.yaml")
		if code != ExitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 saying %q", tc.line, code, stderr, tc.msg)
		}
	}
}

// TestExportJSONIsTheRegistry checks the normalized plan against the
// registry it came from, not against itself.
func TestExportJSONIsTheRegistry(t *testing.T) {
	reg := flagship(t)
	var pl export.Plan
	if err := json.Unmarshal([]byte(exportFlagship(t, "-format", "json")), &pl); err != nil {
		t.Fatal(err)
	}
	if pl.Format != export.PlanFormat || len(pl.Groups) != len(reg.Groups) || len(pl.Ranges) != len(reg.Ranges) ||
		len(pl.Components) != len(reg.Components) || len(pl.Retired) != len(reg.Retired) || len(pl.Reserved) != len(reg.Reserved) {
		t.Fatalf("counts differ from the registry: %d groups, %d ranges, %d components, %d retired, %d reserved",
			len(pl.Groups), len(pl.Ranges), len(pl.Components), len(pl.Retired), len(pl.Reserved))
	}
	for i, c := range reg.Components {
		pc := pl.Components[i]
		if pc.Name != c.Name || len(pc.Ports) != len(c.Ports) {
			t.Fatalf("component %d: %s with %d ports, want %s with %d", i, pc.Name, len(pc.Ports), c.Name, len(c.Ports))
		}
		for j, p := range c.Ports {
			pp := pc.Ports[j]
			last := pp.Port
			if pp.PortEnd != 0 {
				last = pp.PortEnd
			}
			if pp.Port != p.Span.Lo || last != p.Span.Hi || pp.Bind != p.Bind.String() || pp.Internal != p.Bind.IsLoopback() {
				t.Errorf("%s port %d: %+v, want %s bind %s", c.Name, j, pp, p.Span.Dash(), p.Bind)
			}
		}
	}
	for i, r := range reg.Ranges {
		if pr := pl.Ranges[i]; pr.Name != r.Name || pr.Span.First != r.Span.Lo || pr.Span.Last != r.Span.Hi || pr.Free != reg.FreeCount(r, registry.FreeOptions{}) {
			t.Errorf("range %s: %+v, want [%d, %d]", r.Name, pr, r.Span.Lo, r.Span.Hi)
		}
	}
}

// TestExportCSVFollowsRoles checks that every CSV row is a port of the
// role it names, computed from the registry, and that the loopback port
// shows only with -all.
func TestExportCSVFollowsRoles(t *testing.T) {
	reg := flagship(t)
	for _, all := range []bool{false, true} {
		args := []string{"-format", "csv"}
		if all {
			args = append(args, "-all")
		}
		rows := csvRows(t, exportFlagship(t, args...))
		roles, _ := export.Roles(reg, export.Options{All: all})
		n := 0
		for _, r := range roles {
			n += len(r.Open)
		}
		if len(rows) != n {
			t.Fatalf("all=%v: %d rows, want %d", all, len(rows), n)
		}
		internal := 0
		for _, row := range rows {
			c := reg.Component(row["component"])
			if c == nil {
				t.Fatalf("row names unknown component %q", row["component"])
			}
			if row["status"] == "internal" {
				internal++
				if row["bind"] != "127.0.0.1" {
					t.Errorf("row %v is internal but binds %s", row, row["bind"])
				}
			}
		}
		if all != (internal > 0) {
			t.Errorf("all=%v: %d internal rows", all, internal)
		}
	}
}

func csvRows(t *testing.T, text string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// The diff cases: testdata/export/diff/CASE/{old,new}.yaml and want.md.
func TestRegistryDiffGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "export", "diff", "*"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no diff cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, _ := filepath.Abs(dir)
			out, stderr, code := runExport(t, abs, "diff", "old.yaml", "new.yaml")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkGolden(t, filepath.Join("diff", filepath.Base(dir), "want.md"), out)
		})
	}
}

func TestRegistryDiffSame(t *testing.T) {
	out, stderr, code := runExport(t, repoRoot(t), "diff", "registry.yaml", "registry.yaml")
	if code != 0 || !strings.Contains(out, "No change to the port plan.") || strings.Contains(out, "| ") {
		t.Fatalf("exit %d, stderr %s, output:\n%s", code, stderr, out)
	}
}

func TestRegistryDiffBadRegistry(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "bad.yaml"), []byte("version: 1\ngroups: [\n"))
	_, stderr, code := runExport(t, dir, "diff", "bad.yaml", filepath.Join(repoRoot(t), "registry.yaml"))
	if code != ExitUsage || !strings.Contains(stderr, "bad.yaml") {
		t.Fatalf("exit %d, stderr %q; want 2 naming bad.yaml", code, stderr)
	}
}

// needTool finds a validator. Under CI=true a missing tool fails the test;
// elsewhere it skips, saying how to install it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	msg := name + " is not installed; apt-get install -y nftables iptables firewalld chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// isolated runs a firewall tool in a network namespace of its own, so that
// nothing it does reaches the host's firewall: as root with unshare -n,
// otherwise in a user namespace with unshare -rn.
func isolated(t *testing.T, script string) (string, error) {
	t.Helper()
	unshare := needTool(t, "unshare")
	args := []string{"-n"}
	if os.Geteuid() != 0 {
		args = []string{"-rn"}
	}
	cmd := exec.Command(unshare, append(args, "sh", "-ec", script)...)
	cmd.Env = append(os.Environ(), "PATH=/usr/sbin:/sbin:/usr/bin:/bin")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// firewallCases are the exports every validator checks: every role, each
// role alone, and -all (whose internal ports must stay closed).
func firewallCases(t *testing.T) [][]string {
	cases := [][]string{{}, {"-all"}}
	for _, p := range flagship(t).Planes {
		cases = append(cases, []string{"-plane", p.Name})
	}
	return append(cases, []string{"-plane", "SE-M,SE-S,SE-W"})
}

// TestNftablesValid checks every nftables export with nft -c, then loads
// it into a namespace whose default ruleset drops by policy, and reads the
// chains back: each accepts exactly the role's ports, the input chain jumps
// to the role's chain, and its policy stays drop.
func TestNftablesValid(t *testing.T) {
	nft := needTool(t, "nft")
	reg := flagship(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "base.nft")
	mustWrite(t, base, []byte("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\n"))
	for i, args := range firewallCases(t) {
		file := filepath.Join(dir, "rules"+strconv.Itoa(i)+".nft")
		mustWrite(t, file, []byte(exportFlagship(t, append([]string{"-format", "nftables"}, args...)...)))
		if out, err := isolated(t, nft+" -c -f "+file); err != nil {
			t.Fatalf("%v: nft -c rejects the ruleset: %v\n%s", args, err, out)
		}
		out, err := isolated(t, nft+" -f "+base+" && "+nft+" -f "+file+" && "+nft+" -f "+file+" && "+nft+" list table inet filter")
		if err != nil {
			t.Fatalf("%v: loading the ruleset: %v\n%s", args, err, out)
		}
		opts := exportOpts(t, reg, args)
		roles, _ := export.Roles(reg, opts)
		for _, r := range roles {
			chain := strings.ReplaceAll(r.ID, "-", "_")
			got := nftAccepted(t, out, chain)
			want := wantOpen(r)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%v: chain %s accepts %v, want %v", args, chain, got, want)
			}
		}
		input := nftChainBody(out, "input")
		if !strings.Contains(input, "policy drop;") || !strings.Contains(input, "tcp dport 22 accept") {
			t.Errorf("%v: the input chain lost its policy or rules:\n%s", args, input)
		}
		if len(roles) == 1 {
			want := "jump " + strings.ReplaceAll(roles[0].ID, "-", "_")
			if !strings.Contains(input, want) {
				t.Errorf("%v: input does not %s:\n%s", args, want, input)
			}
		} else if strings.Contains(input, "jump") {
			t.Errorf("%v: several roles selected, yet input jumps:\n%s", args, input)
		}
	}
	// The check is not vacuous: nft rejects a port beyond 65535.
	broken := filepath.Join(dir, "broken.nft")
	mustWrite(t, broken, []byte(strings.Replace(exportFlagship(t, "-format", "nftables"), "dport 20000", "dport 200000", 1)))
	if out, err := isolated(t, nft+" -c -f "+broken); err == nil {
		t.Fatalf("nft -c accepted a broken ruleset:\n%s", out)
	}
}

func exportOpts(t *testing.T, reg *registry.Registry, args []string) export.Options {
	var opts export.Options
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-all":
			opts.All = true
		case "-plane":
			i++
			for _, n := range strings.Split(args[i], ",") {
				opts.Planes = append(opts.Planes, reg.Plane(n))
			}
		}
	}
	return opts
}

// wantOpen lists a role's ports to open as "proto/port" in nft's notation,
// from the registry: never the loopback ones.
func wantOpen(r *export.Role) []string {
	var s []string
	for _, o := range r.Open {
		if o.Port.Bind.IsLoopback() {
			continue
		}
		s = append(s, string(o.Port.Proto)+"/"+o.Port.Span.Dash())
	}
	sort.Strings(s)
	return s
}

func nftChainBody(listing, chain string) string {
	i := strings.Index(listing, "chain "+chain+" {")
	if i < 0 {
		return ""
	}
	j := strings.Index(listing[i:], "\n\t}")
	return listing[i : i+j]
}

var nftRule = regexp.MustCompile(`(tcp|udp|sctp) dport (\d+(?:-\d+)?) accept`)

func nftAccepted(t *testing.T, listing, chain string) []string {
	body := nftChainBody(listing, chain)
	if body == "" {
		t.Fatalf("no chain %s in:\n%s", chain, listing)
	}
	var s []string
	for _, m := range nftRule.FindAllStringSubmatch(body, -1) {
		s = append(s, m[1]+"/"+m[2])
	}
	sort.Strings(s)
	return s
}

// TestIptablesValid checks every iptables export with iptables-restore
// --test and ip6tables-restore --test, then loads it twice with --noflush
// and reads the chains back with iptables -S.
func TestIptablesValid(t *testing.T) {
	restore := needTool(t, "iptables-restore")
	restore6 := needTool(t, "ip6tables-restore")
	ipt := needTool(t, "iptables")
	reg := flagship(t)
	dir := t.TempDir()
	for i, args := range firewallCases(t) {
		file := filepath.Join(dir, "rules"+strconv.Itoa(i))
		mustWrite(t, file, []byte(exportFlagship(t, append([]string{"-format", "iptables"}, args...)...)))
		for _, tool := range []string{restore, restore6} {
			if out, err := isolated(t, tool+" --test --noflush "+file); err != nil {
				t.Fatalf("%v: %s --test rejects the file: %v\n%s", args, filepath.Base(tool), err, out)
			}
		}
		out, err := isolated(t, ipt+" -P INPUT DROP && "+restore+" --noflush "+file+" && "+restore+" --noflush "+file+" && "+ipt+" -S")
		if err != nil {
			t.Fatalf("%v: loading: %v\n%s", args, err, out)
		}
		if !strings.Contains(out, "-P INPUT DROP") {
			t.Errorf("%v: the INPUT policy changed:\n%s", args, out)
		}
		roles, _ := export.Roles(reg, exportOpts(t, reg, args))
		for _, r := range roles {
			chain := strings.ToUpper(r.ID)
			re := regexp.MustCompile(`(?m)^-A ` + regexp.QuoteMeta(chain) + ` -p (\w+) -m \w+ --dport (\d+(?::\d+)?) .*-j ACCEPT$`)
			var got []string
			for _, m := range re.FindAllStringSubmatch(out, -1) {
				got = append(got, m[1]+"/"+strings.ReplaceAll(m[2], ":", "-"))
			}
			sort.Strings(got)
			if want := wantOpen(r); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%v: chain %s accepts %v, want %v (loading twice must not duplicate)", args, chain, got, want)
			}
		}
		jumps := regexp.MustCompile(`(?m)^-A INPUT -j (\S+)$`).FindAllStringSubmatch(out, -1)
		if len(roles) == 1 && (len(jumps) == 0 || jumps[0][1] != strings.ToUpper(roles[0].ID)) {
			t.Errorf("%v: INPUT does not jump to %s:\n%s", args, strings.ToUpper(roles[0].ID), out)
		}
		if len(roles) > 1 && len(jumps) > 0 {
			t.Errorf("%v: several roles selected, yet INPUT jumps: %v", args, jumps)
		}
	}
	broken := filepath.Join(dir, "broken")
	mustWrite(t, broken, []byte(strings.Replace(exportFlagship(t, "-format", "iptables"), "--dport 20000", "--dport 200000", 1)))
	if out, err := isolated(t, restore+" --test --noflush "+broken); err == nil {
		t.Fatalf("iptables-restore --test accepted a broken file:\n%s", out)
	}
}

// TestFirewalldValid installs every role's service with firewall-offline-cmd
// into a configuration directory of its own and reads it back with
// --info-service: the ports firewalld sees are the role's ports.
func TestFirewalldValid(t *testing.T) {
	fwcmd := needTool(t, "firewall-offline-cmd")
	reg := flagship(t)
	// With -all the services also hold the internal ports, as comments:
	// the ports firewalld opens must stay the same.
	for _, all := range []bool{true} {
		dir := t.TempDir()
		svcDir := filepath.Join(dir, "out")
		args := []string{"export", "-format", "firewalld", "-o", svcDir, "registry.yaml"}
		if all {
			args = append(args, "-all")
		}
		if _, stderr, code := runExport(t, repoRoot(t), args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		conf := filepath.Join(dir, "firewalld")
		if err := os.MkdirAll(conf, 0o755); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(conf, "firewalld.conf"), []byte("DefaultZone=public\n"))
		roles, _ := export.Roles(reg, export.Options{All: all})
		for _, r := range roles {
			file := filepath.Join(svcDir, r.ID+".xml")
			if out, err := exec.Command(fwcmd, "--system-config", conf, "--new-service-from-file="+file).CombinedOutput(); err != nil {
				t.Fatalf("firewall-offline-cmd rejects %s: %v\n%s", file, err, out)
			}
			out, err := exec.Command(fwcmd, "--system-config", conf, "--info-service="+r.ID).CombinedOutput()
			if err != nil {
				t.Fatalf("--info-service=%s: %v\n%s", r.ID, err, out)
			}
			m := regexp.MustCompile(`(?m)^\s*ports:(.*)$`).FindStringSubmatch(string(out))
			if m == nil {
				t.Fatalf("no ports line in:\n%s", out)
			}
			var got []string
			for _, f := range strings.Fields(m[1]) {
				port, proto, _ := strings.Cut(f, "/")
				got = append(got, proto+"/"+port)
			}
			sort.Strings(got)
			if want := wantOpen(r); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("service %s opens %v, want %v", r.ID, got, want)
			}
		}
	}
	broken := filepath.Join(t.TempDir(), "broken.xml")
	mustWrite(t, broken, []byte(strings.Replace(exportFlagship(t, "-format", "firewalld", "-plane", "SE-W"), `port="20000"`, `port="200000"`, 1)))
	conf := t.TempDir()
	if out, err := exec.Command(fwcmd, "--system-config", conf, "--new-service-from-file="+broken).CombinedOutput(); err == nil {
		t.Fatalf("firewall-offline-cmd accepted a broken service:\n%s", out)
	}
}

// mapInventory builds an inventory from the registry: each component's
// first port used as planned, one listener on a free port of a component's
// own range (unplanned), and one component listening on another's port
// (a conflict). It returns the records and the expected counts.
func mapInventory(t *testing.T, reg *registry.Registry) (recs []finding.Record, used, unplanned, conflicts int) {
	t.Helper()
	bindText := func(b registry.Bind) string {
		if b.Kind == registry.BindAny {
			return ""
		}
		return b.String()
	}
	var anyPorts []*registry.Port
	for _, c := range reg.Components {
		if len(c.Ports) == 0 {
			continue
		}
		p := c.Ports[0]
		recs = append(recs, finding.Record{Version: finding.InventoryVersion, File: "cmd/" + c.Name + "/main.go", Line: 10, Column: 5, Port: p.Span.Lo, Proto: string(p.Proto),
			Bind: bindText(p.Bind), Role: "listen", Component: c.Name, Via: "package", Source: "net.Listen"})
		used++
		if p.Bind.Kind == registry.BindAny && p.Span.IsSingle() && len(reg.RetiredAt(c.Group, p.Span.Lo)) == 0 {
			anyPorts = append(anyPorts, p)
		}
	}
	for _, c := range reg.Components {
		if len(c.Ranges) == 0 {
			continue
		}
		if free := reg.Free(c.Ranges[0], 1, registry.FreeOptions{}); len(free) == 1 {
			recs = append(recs, finding.Record{Version: finding.InventoryVersion, File: "cmd/" + c.Name + "/debug.go", Line: 3, Column: 9, Port: free[0], Proto: "tcp", Role: "listen", Component: c.Name, Source: "net.Listen"})
			unplanned++
			break
		}
	}
	for i, a := range anyPorts {
		for _, b := range anyPorts[i+1:] {
			if a.Component != b.Component && a.Component.Group == b.Component.Group {
				recs = append(recs, finding.Record{Version: finding.InventoryVersion, File: "cmd/" + b.Component.Name + "/extra.go", Line: 7, Column: 2, Port: a.Span.Lo, Proto: "tcp", Role: "listen", Component: b.Component.Name, Source: "net.Listen"})
				conflicts++
				break
			}
		}
		if conflicts > 0 {
			break
		}
	}
	if unplanned == 0 || conflicts == 0 {
		t.Fatal("the registry gives no free port or no two components to build the inventory from")
	}
	return recs, used, unplanned, conflicts
}

// TestHTMLPortMapInChromium opens the port map in headless Chromium, with
// and without an inventory overlay: no console error or exception, no
// resource loaded from anywhere, as many range segments, port ticks,
// retired and reserved marks and overlay marks as the registry and the
// inventory call for, working tooltips, and a screenshot of each in
// PORTLINT_SCREENSHOT_DIR (default: the test's temporary directory).
func TestHTMLPortMapInChromium(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		msg := "chromium is not installed; apt-get install -y chromium"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	reg := flagship(t)
	shots := os.Getenv("PORTLINT_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	recs, used, unplanned, conflicts := mapInventory(t, reg)
	var inv bytes.Buffer
	for _, r := range recs {
		line, _ := json.Marshal(r)
		inv.Write(append(line, '\n'))
	}
	invFile := filepath.Join(dir, "inventory.jsonl")
	mustWrite(t, invFile, inv.Bytes())

	wantRanges, wantTicks, wantRetired, wantReserved := len(reg.Ranges), 0, len(reg.Retired), 0
	for _, c := range reg.Components {
		wantTicks += len(c.Ports)
	}
	for _, g := range reg.Groups {
		for _, r := range reg.Reserved {
			if _, ok := r.Span.Intersect(g.Pool); ok && r.AppliesTo(g) {
				wantReserved++
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1600, 1150),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()

	// The example inventory of the docs, counted by the overlay, which
	// export's own tests check record by record.
	exampleFile, _ := filepath.Abs(filepath.Join("testdata", "export", "inventory.jsonl"))
	f, err := os.Open(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	example, err := parseInventory(f, exampleFile)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ov := export.NewOverlay(reg, example)
	exUsed, exUnplanned, exConflicts := 0, 0, 0
	for _, u := range ov.Ports {
		if u == export.Used {
			exUsed++
		}
	}
	for _, u := range ov.Uses {
		if u.Status == export.Conflict {
			exConflicts++
		} else {
			exUnplanned++
		}
	}
	if exConflicts == 0 || exUnplanned == 0 || exUsed == 0 {
		t.Fatalf("the example inventory should show every status: %d used, %d unplanned, %d conflicts", exUsed, exUnplanned, exConflicts)
	}

	for _, tc := range []struct {
		name                       string
		inventory                  string
		used, unplanned, conflicts int
	}{
		{"portmap", "", 0, 0, 0},
		{"portmap-inventory", invFile, used, unplanned, conflicts},
		{"portmap-example", exampleFile, exUsed, exUnplanned, exConflicts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := filepath.Join(dir, tc.name+".html")
			args := []string{"export", "-format", "html", "-o", page, "registry.yaml"}
			if tc.inventory != "" {
				args = append(args, "-inventory", tc.inventory)
			}
			if _, stderr, code := runExport(t, repoRoot(t), args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			data, _ := os.ReadFile(page)
			if m := regexp.MustCompile(`(?i)(?:src|href)\s*=\s*"(?:https?:)?//`).Find(data); m != nil {
				t.Errorf("the page refers to an external asset: %s", m)
			}
			tctx, tcancel := chromedp.NewContext(actx)
			defer tcancel()
			if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatalf("starting chromium: %v", err)
			}
			cctx, ccancel := context.WithCancel(tctx)
			var msgs []chromedp.ConsoleMessage
			done := make(chan struct{})
			stream := chromedp.Console(cctx)
			go func() {
				defer close(done)
				for m, err := range stream {
					if err != nil {
						return
					}
					msgs = append(msgs, m)
				}
			}()
			if err := chromedp.Do(tctx, chromedp.EmulateViewport(1600, 1120), chromedp.Navigate("file://"+page)); err != nil {
				t.Fatal(err)
			}
			type counts struct {
				Ranges, Ticks, Retired, Reserved, Used, Unused, Unplanned, Conflicts, Resources int
				Tip, WantTip                                                                    string
				BandWidth                                                                       float64
			}
			png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			full, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(tctx, chromedp.Evaluate[counts](`(() => {
				const n = s => document.querySelectorAll(s).length;
				const tick = document.querySelector('.port-tick');
				const r = tick.getBoundingClientRect();
				tick.dispatchEvent(new MouseEvent('mousemove', {bubbles: true, clientX: r.x + r.width/2, clientY: r.y + r.height/2}));
				return {
					Ranges: n('.range-seg'), Ticks: n('.port-tick'), Retired: n('.retired-mark'), Reserved: n('.reserved-mark'),
					Used: n('.port-tick[data-usage=used]'), Unused: n('.port-tick[data-usage=unused]'),
					Unplanned: n('.inv-mark[data-status=unplanned]'), Conflicts: n('.inv-mark[data-status=conflict]'),
					Resources: performance.getEntriesByType('resource').length,
					Tip: document.getElementById('tip').textContent, WantTip: tick.getAttribute('data-tip'),
					BandWidth: document.querySelector('svg.group-band').getBoundingClientRect().width,
				};
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			ccancel()
			<-done
			for _, f := range []struct {
				name string
				data []byte
			}{{tc.name + ".png", png}, {tc.name + "-full.png", full}} {
				path := filepath.Join(shots, f.name)
				if err := os.WriteFile(path, f.data, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", path)
			}
			if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10_000 {
				t.Errorf("the screenshot is not a PNG of a drawn page (%d bytes)", len(png))
			}
			for _, m := range msgs {
				if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
					t.Errorf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
				}
			}
			if got.Ranges != wantRanges || got.Ticks != wantTicks || got.Retired != wantRetired || got.Reserved != wantReserved {
				t.Errorf("DOM has %d range segments, %d port ticks, %d retired and %d reserved marks; the registry has %d ranges, %d ports, %d retirements, %d reservations in pools",
					got.Ranges, got.Ticks, got.Retired, got.Reserved, wantRanges, wantTicks, wantRetired, wantReserved)
			}
			if got.Resources != 0 {
				t.Errorf("the page loaded %d resources; it must be self-contained", got.Resources)
			}
			if got.Tip == "" || got.Tip != got.WantTip {
				t.Errorf("hovering a tick shows tooltip %q, want %q", got.Tip, got.WantTip)
			}
			if got.BandWidth < 1000 {
				t.Errorf("the band is %.0f px wide in a 1600 px window", got.BandWidth)
			}
			if tc.inventory == "" {
				if got.Used+got.Unused+got.Unplanned+got.Conflicts != 0 {
					t.Errorf("no inventory, yet the map shows usage: %+v", got)
				}
				return
			}
			if got.Used != tc.used || got.Unused != wantTicks-tc.used || got.Unplanned != tc.unplanned || got.Conflicts != tc.conflicts {
				t.Errorf("overlay: %d used, %d unused, %d unplanned, %d conflicts; want %d, %d, %d, %d",
					got.Used, got.Unused, got.Unplanned, got.Conflicts, tc.used, wantTicks-tc.used, tc.unplanned, tc.conflicts)
			}
		})
	}
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostile is text written to break out of a comment line or a quoted
// comment of a rules file.
const hostile = "x\nflush ruleset\n# \"\\\r\u2028-A INPUT -j ACCEPT\x1b[2J"

// hostileFlagship is the flagship plan with every name and text an export
// writes replaced by hostile text. The loader refuses such names
// (bad-name), so the test sets them on the loaded plan: the exports must be
// safe by construction, whatever a Registry holds.
func hostileFlagship(t *testing.T) *registry.Registry {
	reg := flagship(t)
	reg.Title = "plan" + hostile
	for _, g := range reg.Groups {
		g.Name += hostile
		g.Doc += hostile
	}
	for _, p := range reg.Planes {
		p.Name += hostile
		p.Doc += hostile
	}
	for _, c := range reg.Components {
		c.Name += hostile
		for _, p := range c.Ports {
			p.Purpose += hostile
			if p.Exception != "" {
				p.Exception += hostile
			}
		}
	}
	return reg
}

// TestFirewallExportsQuoteHostileNames loads the nftables and iptables
// exports of a plan whose names and texts hold line breaks, quotes and
// rule text: the tools accept the files, and what they load is exactly the
// chains and ports of the plan, no flushed ruleset, no extra rule.
func TestFirewallExportsQuoteHostileNames(t *testing.T) {
	nft := needTool(t, "nft")
	restore := needTool(t, "iptables-restore")
	ipt := needTool(t, "iptables")
	reg := hostileFlagship(t)
	dir := t.TempDir()
	for _, all := range []bool{false, true} {
		opts := export.Options{All: all, Source: "registry.yaml" + hostile}
		for _, format := range []string{"nftables", "iptables"} {
			var b bytes.Buffer
			if err := export.Write(&b, reg, format, opts); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(b.String(), "\n") {
				trimmed := strings.TrimSpace(line)
				if strings.HasPrefix(trimmed, "flush ruleset") || strings.HasPrefix(trimmed, "-A INPUT -j ACCEPT") || strings.ContainsAny(line, "\r\x1b\u2028") {
					t.Errorf("%s line %d: hostile text escaped its comment: %q", format, i+1, line)
				}
			}
			file := filepath.Join(dir, format)
			mustWrite(t, file, b.Bytes())
			roles, err := export.Roles(reg, opts)
			if err != nil {
				t.Fatal(err)
			}
			switch format {
			case "nftables":
				base := filepath.Join(dir, "base.nft")
				mustWrite(t, base, []byte("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\ntable inet other {\n}\n"))
				out, err := isolated(t, nft+" -c -f "+file+" && "+nft+" -f "+base+" && "+nft+" -f "+file+" && "+nft+" list ruleset")
				if err != nil {
					t.Fatalf("nft rejects the export of a hostile plan: %v\n%s\n%s", err, out, b.String())
				}
				if !strings.Contains(out, "table inet other") || !strings.Contains(out, "policy drop;") {
					t.Errorf("loading the export changed the rest of the ruleset:\n%s", out)
				}
				for _, r := range roles {
					chain := strings.ReplaceAll(r.ID, "-", "_")
					if got, want := nftAccepted(t, out, chain), wantOpen(r); strings.Join(got, " ") != strings.Join(want, " ") {
						t.Errorf("all=%v: chain %s accepts %v, want %v", all, chain, got, want)
					}
				}
			case "iptables":
				out, err := isolated(t, restore+" --test --noflush "+file+" && "+ipt+" -P INPUT DROP && "+restore+" --noflush "+file+" && "+ipt+" -S")
				if err != nil {
					t.Fatalf("iptables-restore rejects the export of a hostile plan: %v\n%s\n%s", err, out, b.String())
				}
				if !strings.Contains(out, "-P INPUT DROP") || regexp.MustCompile(`(?m)^-A INPUT -j ACCEPT`).MatchString(out) {
					t.Errorf("loading the export opened INPUT:\n%s", out)
				}
				accepts := regexp.MustCompile(`(?m)^-A \S+ .*-j ACCEPT$`).FindAllString(out, -1)
				want := 0
				for _, r := range roles {
					want += len(wantOpen(r))
				}
				if len(accepts) != want {
					t.Errorf("all=%v: %d ACCEPT rules loaded, want %d:\n%s", all, len(accepts), want, out)
				}
			}
		}
	}
}

// TestCSVExportNeutralizesFormulas checks that no text cell of the CSV
// export starts with a character a spreadsheet reads as a formula.
func TestCSVExportNeutralizesFormulas(t *testing.T) {
	reg := flagship(t)
	for _, c := range reg.Components {
		c.Name = "=HYPERLINK(\"http://x\")" + c.Name
		for _, p := range c.Ports {
			p.Purpose = "@SUM(A1)\n+1"
		}
	}
	for _, p := range reg.Planes {
		p.Name = "-" + p.Name
	}
	var b bytes.Buffer
	if err := export.Write(&b, reg, "csv", export.Options{All: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 10 {
		t.Fatalf("only %d rows", len(rows))
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s starts with a formula character: %q", rows[0][i], cell)
			}
			if strings.ContainsAny(cell, "\n\r") {
				t.Errorf("column %s holds a line break: %q", rows[0][i], cell)
			}
		}
		if !strings.HasPrefix(row[7], "'=HYPERLINK") {
			t.Errorf("component cell %q: want the formula kept as text behind an apostrophe", row[7])
		}
	}
}
