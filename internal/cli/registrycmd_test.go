package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/portlint/portlint/registry"
)

func init() {
	// Other test files of the package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

// regUpdate reports whether -update asks to rewrite the golden files.
func regUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// moduleRoot is the directory of go.mod and the flagship registry.yaml.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// A regRun is the outcome of one in-process run of portlint.
type regRun struct {
	stdout, stderr string
	code           int
	msg            string // the ExitError's message, which main prints to stderr
}

// regCmd runs "portlint ARGS" in dir with buffers for streams and an empty
// environment.
func regCmd(t *testing.T, dir string, args ...string) regRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Dir: dir}
	err := Run(context.Background(), env, args)
	r := regRun{code: ExitClean}
	if err != nil {
		var ee *ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("portlint %s: %v (%T), want an *ExitError", strings.Join(args, " "), err, err)
		}
		r.code, r.msg = ee.Code, ee.Msg
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// transcript writes a run the way the golden files hold it.
func (r regRun) transcript(args []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ portlint %s\n", strings.Join(args, " "))
	fmt.Fprintf(&b, "exit %d\n", r.code)
	b.WriteString("-- stdout --\n")
	b.WriteString(r.stdout)
	b.WriteString("-- stderr --\n")
	b.WriteString(r.stderr)
	if r.msg != "" {
		b.WriteString(r.msg + "\n")
	}
	return b.String()
}

// regGolden compares got with testdata/registry/NAME.golden, or rewrites the
// file with -update.
func regGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "registry", name+".golden")
	if regUpdate() {
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
		t.Fatalf("%v (go test ./internal/cli -run %s -update creates it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./internal/cli -update rewrites it)\n%s", path, regDiff(string(want), got))
	}
}

// regDiff shows the first lines where want and got part.
func regDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i, shown := 0, 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want: %s\n  got:  %s\n", i+1, x, y)
			shown++
		}
	}
	return b.String()
}

// goldenName turns arguments into a file name: "show -plane SE-M" becomes
// "show-plane-SE-M".
func goldenName(args []string) string {
	var parts []string
	for _, a := range args {
		if a == "registry" || a == "registry.yaml" {
			continue
		}
		parts = append(parts, strings.TrimLeft(a, "-"))
	}
	return strings.Join(parts, "-")
}

func TestRegistryGoldens(t *testing.T) {
	root := moduleRoot(t)
	for _, args := range [][]string{
		{"registry", "check", "registry.yaml"},
		{"registry", "check", "-strict", "registry.yaml"},
		{"registry", "show", "registry.yaml"},
		{"registry", "show", "-group", "control", "registry.yaml"},
		{"registry", "show", "-group", "engine", "registry.yaml"},
		{"registry", "show", "-plane", "console", "registry.yaml"},
		{"registry", "show", "-plane", "SE-M", "registry.yaml"},
		{"registry", "show", "-plane", "SE-S", "registry.yaml"},
		{"registry", "show", "-plane", "SE-W", "registry.yaml"},
		{"registry", "show", "-component", "admin_dam", "registry.yaml"},
		{"registry", "show", "-component", "nexus", "registry.yaml"},
		{"registry", "show", "-group", "engine", "-plane", "SE-W", "registry.yaml"},
		{"registry", "next", "engine.mgmt.apps", "-n", "3", "registry.yaml"},
	} {
		name := goldenName(args)
		t.Run(name, func(t *testing.T) {
			regGolden(t, name, regCmd(t, root, args...).transcript(args))
		})
	}
}

// TestRegistryCheckKnownGaps checks, beyond the golden file, that the plan's
// known gaps are reported as warnings and its documented exception is not.
func TestRegistryCheckKnownGaps(t *testing.T) {
	r := regCmd(t, moduleRoot(t), "registry", "check", "registry.yaml")
	if r.code != ExitClean {
		t.Fatalf("exit %d, want 0 (warnings only)\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	line := regexp.MustCompile(`^registry\.yaml:\d+:\d+: warning: .+ \[[a-z-]+\]$`)
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("line %q is not registry.yaml:LINE:COL: warning: MESSAGE [RULE]", l)
		}
		if strings.Contains(l, "admin_dam") || strings.Contains(l, "28952") {
			t.Errorf("finding about admin_dam's documented exception: %s", l)
		}
	}
	for _, gap := range []struct{ rule, text string }{
		{"pending-port", "dataWorker keeps port 6879"},
		{"pending-port", "outside the pool [20000, 29000) of group engine"},
		{"unallocated-overlap", "overlaps allocated range engine.mgmt [20200, 28900)"},
		{"unallocated-overlap", "overlaps allocated range engine.sched [28900, 28950)"},
		{"unallocated-overlap", "overlaps allocated range engine.data [28950, 29000)"},
		{"split-gap", "port 20199 is in none of them"},
		{"written-as", `range console.full-traffic is written both as [29200, 29300) and as "[29200, 29300]"`},
		{"pool-reserved", "include 27017, which the platform reserves (MongoDB)"},
	} {
		found := false
		for _, l := range lines {
			if strings.HasSuffix(l, "["+gap.rule+"]") && strings.Contains(l, gap.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s warning saying %q", gap.rule, gap.text)
		}
	}
	if want := fmt.Sprintf("registry.yaml: 0 errors, %d warnings\n", len(lines)); r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if s := regCmd(t, moduleRoot(t), "registry", "check", "-strict", "registry.yaml"); s.code != ExitFindings {
		t.Errorf("check -strict: exit %d, want %d for warnings", s.code, ExitFindings)
	}
}

func TestRegistryCheckFindsFile(t *testing.T) {
	// Without FILE, check uses the nearest registry.yaml above the directory.
	root := moduleRoot(t)
	r := regCmd(t, filepath.Join(root, "internal", "cli"), "registry", "check", "-v")
	if r.code != ExitClean || !strings.Contains(r.stderr, "nearest registry.yaml") {
		t.Errorf("exit %d, stderr %q; want 0 and the nearest registry.yaml", r.code, r.stderr)
	}
	// The file lies above the working directory: positions name it in full.
	abs := filepath.Join(root, "registry.yaml") + ":"
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if !strings.HasPrefix(l, abs) {
			t.Errorf("%q does not start with %q", l, abs)
		}
	}
}

func TestRegistryCheckErrors(t *testing.T) {
	root := moduleRoot(t)
	file := "registry/testdata/rules/port-conflict/fires.yaml"
	r := regCmd(t, root, "registry", "check", file)
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, ExitFindings, r.stdout, r.stderr)
	}
	want := file + ":10:55: error: port 1000 is assigned to b (bind any) and to a (bind 127.0.0.1) in group g; the bind addresses overlap; hint: move b 1000 to 1001, the next free port of web [port-conflict]\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "1 errors, 0 warnings") {
		t.Errorf("stderr %q, want the count", r.stderr)
	}
}

var wantComment = regexp.MustCompile(`^#\s*want:\s*(\d+:\d+):\s*error:\s*(.*?)\s*\[([a-z-]+)\]\s*$`)

// TestRegistryCheckBroken runs check on each broken registry of the
// registry package's tests: every one must exit 2 with its errors written
// as FILE:LINE:COL: MESSAGE [RULE], relative to the working directory.
func TestRegistryCheckBroken(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(moduleRoot(t), "registry", "testdata", "broken", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no broken registries")
	}
	type want struct{ pos, msg, rule string }
	cases := map[string][]want{"empty.yaml": {{"1:1", "the registry is empty", "yaml"}}}
	data := map[string][]byte{"empty.yaml": nil}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		data[name] = b
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if m := wantComment.FindStringSubmatch(sc.Text()); m != nil {
				cases[name] = append(cases[name], want{m[1], m[2], m[3]})
			}
		}
		if len(cases[name]) == 0 {
			t.Errorf("%s wants no error", name)
		}
	}
	line := regexp.MustCompile(`^([^:]+):(\d+):(\d+): (.+) \[([a-z-]+)\]$`)
	for name, ws := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, name), data[name], 0o644); err != nil {
				t.Fatal(err)
			}
			r := regCmd(t, dir, "registry", "check", name)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want %d\n%s", r.code, ExitUsage, r.transcript(nil))
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			got := strings.Split(r.msg, "\n")
			for _, l := range got {
				m := line.FindStringSubmatch(l)
				if m == nil || m[1] != name || registry.LookupRule(m[5]) == nil {
					t.Errorf("error line %q is not %s:LINE:COL: MESSAGE [RULE]", l, name)
				}
			}
			for _, w := range ws {
				prefix := name + ":" + w.pos + ": "
				found := false
				for _, l := range got {
					if strings.HasPrefix(l, prefix) && strings.HasSuffix(l, " ["+w.rule+"]") && strings.Contains(l, w.msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("no line %s...%s...[%s] in\n%s", prefix, w.msg, w.rule, r.msg)
				}
			}
		})
	}
}

func TestRegistryCheckUsage(t *testing.T) {
	root := moduleRoot(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"registry", "check", "a.yaml", "b.yaml"}, ExitUsage, "one registry at a time"},
		{[]string{"registry", "check", "-nosuchflag"}, ExitUsage, ""},
		{[]string{"registry", "check", "no/such/registry.yaml"}, ExitUsage, "no such file"},
		{[]string{"registry", "frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{[]string{"registry"}, ExitUsage, ""},
	} {
		r := regCmd(t, root, tc.args...)
		if r.code != tc.code || !strings.Contains(r.msg, tc.msg) {
			t.Errorf("portlint %s: exit %d %q, want %d %q", strings.Join(tc.args, " "), r.code, r.msg, tc.code, tc.msg)
		}
	}
}

func TestRegistryShowFilters(t *testing.T) {
	root := moduleRoot(t)
	// Ports shared by every plane stay visible when filtering by one plane.
	for _, plane := range []string{"SE-M", "SE-S", "SE-W"} {
		r := regCmd(t, root, "registry", "show", "-plane", plane, "registry.yaml")
		ranges, _, _ := strings.Cut(r.stdout, "\nCOMPONENT")
		for _, port := range []string{"agent 20000", "nexus 20100"} {
			if !strings.Contains(ranges, port) {
				t.Errorf("show -plane %s: the ranges table lacks %q\n%s", plane, port, ranges)
			}
		}
		if strings.Contains(r.stdout, "group control") {
			t.Errorf("show -plane %s shows the control group", plane)
		}
	}
	reg, err := registry.Load(filepath.Join(root, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-group", "edge"}, `no group "edge" in the registry; groups: control, engine`},
		{[]string{"-plane", "SE-X"}, `no plane "SE-X" in the registry; planes: console, SE-M, SE-S, SE-W`},
		{[]string{"-component", "nobody"}, `no component "nobody" in the registry`},
	} {
		args := append(append([]string{"registry", "show"}, tc.args...), "registry.yaml")
		r := regCmd(t, root, args...)
		if r.code != ExitUsage || r.msg != tc.msg || r.stdout != "" {
			t.Errorf("portlint %s: exit %d %q, stdout %q; want %d %q", strings.Join(args, " "), r.code, r.msg, r.stdout, ExitUsage, tc.msg)
		}
	}
	// Every component shows in the unfiltered table, with its group.
	r := regCmd(t, root, "registry", "show", "registry.yaml")
	_, comps, _ := strings.Cut(r.stdout, "\nCOMPONENT")
	for _, c := range reg.Components {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.Name) + `\s+` + c.Group.Name + `\s`).MatchString(comps) {
			t.Errorf("show lacks component %s of group %s", c.Name, c.Group.Name)
		}
	}
}

func TestRegistryNext(t *testing.T) {
	root := moduleRoot(t)
	reassign := filepath.Join("registry", "testdata", "query", "reassign.yaml")
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		msg    string
	}{
		{[]string{"engine.mgmt.apps", "-n", "3", "registry.yaml"}, ExitClean, "20204\n20205\n20206\n", ""},
		{[]string{"-n", "3", "engine.mgmt.apps", "registry.yaml"}, ExitClean, "20204\n20205\n20206\n", ""},
		{[]string{"engine.mgmt.apps", "registry.yaml"}, ExitClean, "20204\n", ""},
		{[]string{"engine.ha.data", "-n", "2", "registry.yaml"}, ExitClean, "20166\n20167\n", ""},
		// sidecar's span fills its range.
		{[]string{"engine.data.sidecar", "registry.yaml"}, ExitFindings, "", "range engine.data.sidecar [28960, 28965] has only 0 free ports"},
		{[]string{"engine.install.mgmt", "-n", "10", "registry.yaml"}, ExitFindings, "20001\n20002\n20003\n20004\n20005\n20006\n20007\n20008\n20009\n", "has only 9 free ports"},
		// Retired ports are free only with -retired.
		{[]string{"web", "-n", "2", reassign}, ExitClean, "1003\n1008\n", ""},
		{[]string{"web", "-n", "2", "-retired", reassign}, ExitClean, "1001\n1003\n", ""},
		{[]string{"engine.mgmt.apps", "-n", "0", "registry.yaml"}, ExitUsage, "", "-n must be at least 1"},
		{[]string{"registry.yaml"}, ExitUsage, "", "no range \"registry.yaml\""},
		{[]string{}, ExitUsage, "", ""},
	} {
		args := append([]string{"registry", "next"}, tc.args...)
		r := regCmd(t, root, args...)
		if r.code != tc.code || r.stdout != tc.stdout || !strings.Contains(r.msg, tc.msg) {
			t.Errorf("portlint %s:\n%s\nwant exit %d, stdout %q, message %q", strings.Join(args, " "), r.transcript(args), tc.code, tc.stdout, tc.msg)
		}
	}
	// An unknown range is a usage error that lists every range.
	r := regCmd(t, root, "registry", "next", "engine.nope", "registry.yaml")
	if r.code != ExitUsage || !strings.HasPrefix(r.msg, `portlint registry next: no range "engine.nope"; ranges: `) {
		t.Fatalf("exit %d %q, want a usage error naming the ranges", r.code, r.msg)
	}
	reg, err := registry.Load(filepath.Join(root, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, list, _ := strings.Cut(r.msg, "ranges: ")
	var names []string
	for _, x := range reg.Ranges {
		names = append(names, x.Name)
	}
	if list != strings.Join(names, ", ") {
		t.Errorf("ranges listed: %s\nwant: %s", list, strings.Join(names, ", "))
	}
	// Taking ports from the unallocated pool works but warns.
	u := regCmd(t, root, "registry", "next", "engine.unallocated", "registry.yaml")
	if u.code != ExitClean || u.stdout != "22000\n" || !strings.Contains(u.stderr, "engine.unallocated is unallocated") {
		t.Errorf("next engine.unallocated:\n%s", u.transcript(nil))
	}
}
