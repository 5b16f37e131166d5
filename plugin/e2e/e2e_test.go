package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// gclVersion is the golangci-lint release the plugin is built into.
const gclVersion = "v2.15.0"

// repoRoot is the portlint checkout, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var built struct {
	once sync.Once
	path string
	skip string // why the build cannot run here
	err  error
}

// customGCL returns the path of golangci-lint built with the plugin,
// building it on first use.
func customGCL(t *testing.T) string {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	if testing.Short() && !ci {
		t.Skip("skipped with -short: builds golangci-lint with the plugin (minutes the first time); run go test ./plugin/e2e to include it")
	}
	built.once.Do(func() { built.path, built.skip, built.err = buildGCL(t, repoRoot(t)) })
	switch {
	case built.err != nil:
		t.Fatal(built.err)
	case built.skip != "" && ci:
		t.Fatalf("CI=true: %s", built.skip)
	case built.skip != "":
		t.Skipf("%s\n(CI=true turns this skip into a failure)", built.skip)
	}
	return built.path
}

// buildGCL builds the binary into the cache directory, keyed by the digest
// of the build's inputs that build.sh --key prints, unless it is there.
// A non-empty skip says the machine lacks what the build needs.
func buildGCL(t *testing.T, root string) (bin, skip string, err error) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		return "", "no bash to run tools/custom-gcl/build.sh: install bash to run this test", nil
	}
	tools := filepath.Join(root, "tools", "custom-gcl")
	script := filepath.Join(tools, "build.sh")
	if out, err := command(tools, "go", "mod", "download").CombinedOutput(); err != nil {
		return "", fmt.Sprintf("cannot download golangci-lint's modules (go mod download in tools/custom-gcl: %v)\n%s\nto run this test, give it the Go module proxy (GOPROXY)", err, out), nil
	}
	out, err := command(tools, bash, script, "--key").Output()
	if err != nil {
		return "", "", fmt.Errorf("build.sh --key: %w", err)
	}
	key := strings.TrimSpace(string(out))
	cache := os.Getenv("PORTLINT_GCL_CACHE")
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		cache = filepath.Join(base, "portlint-custom-gcl")
	}
	dir := filepath.Join(cache, key[:16])
	bin = filepath.Join(dir, "custom-gcl")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		t.Logf("using %s", bin)
		return bin, "", nil
	}
	return build(t, command(tools, bash, script, "-o", bin), cache, dir, bin)
}

// runsNeed is the time the test needs after the build, for its
// golangci-lint runs.
const runsNeed = 3 * time.Minute

// build runs build.sh in a process group of its own, so that a build that
// outlasts the test's deadline goes on and leaves its binary for the next
// run; the test then skips (or fails under CI=true) saying so.
func build(t *testing.T, cmd *exec.Cmd, cache, dir, bin string) (string, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	logPath := bin + ".log"
	log, err := os.Create(logPath)
	if err != nil {
		return "", "", err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	detach(cmd)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return "", "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var late <-chan time.Time
	if deadline, ok := t.Deadline(); ok {
		late = time.After(time.Until(deadline) - runsNeed)
	}
	select {
	case err := <-done:
		if err != nil {
			out, _ := os.ReadFile(logPath)
			return "", "", fmt.Errorf("build.sh -o %s: %w\n%s", bin, err, out)
		}
	case <-late:
		return "", fmt.Sprintf("the first build of golangci-lint with the plugin is still running after %s, too close to go test's -timeout; "+
			"it goes on in the background (pid %d, log %s) and the next run uses its binary; or run go test -timeout 30m ./plugin/e2e",
			time.Since(start).Round(time.Second), cmd.Process.Pid, logPath), nil
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Second))
	prune(cache, dir)
	return bin, "", nil
}

// prune keeps the cache to the newest few binaries.
func prune(cache, keep string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	type dir struct {
		path string
		mod  time.Time
	}
	var dirs []dir
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.IsDir() {
			dirs = append(dirs, dir{filepath.Join(cache, e.Name()), info.ModTime()})
		}
	}
	slices.SortFunc(dirs, func(a, b dir) int { return b.mod.Compare(a.mod) })
	for i, d := range dirs {
		if i >= 3 && d.path != keep {
			os.RemoveAll(d.path)
		}
	}
}

// command runs name in dir with a plain Go environment: no workspace.
func command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	return cmd
}

// shop copies the fixture module into a fresh directory.
func shop(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "shop"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A lintRun is what one golangci-lint run printed.
type lintRun struct {
	findings []string // "file:line: check", sorted
	related  []string // "file:line: message" of related positions golangci-lint prints as issues
	stderr   string
	code     int
	analyzed string // "N/M" packages analyzed rather than read from the cache
}

var analyzingRE = regexp.MustCompile(`analyzing (\d+/\d+) packages`)

// lint runs golangci-lint in dir, with its result cache in cache.
func lint(t *testing.T, gcl, dir, cache string, args ...string) lintRun {
	t.Helper()
	args = append([]string{"run", "--allow-parallel-runners", "--color", "never", "--show-stats=false", "--output.json.path", "stdout"}, args...)
	cmd := command(dir, gcl, append(args, "./...")...)
	cmd.Env = append(cmd.Env, "GOLANGCI_LINT_CACHE="+cache, "GL_DEBUG=goanalysis/issues/cache")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := lintRun{stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if m := analyzingRE.FindStringSubmatch(r.stderr); m != nil {
		r.analyzed = m[1]
	}
	if r.code == 3 {
		return r // a configuration error: no report
	}
	var report struct {
		Issues []struct {
			FromLinter string
			Text       string
			Pos        struct {
				Filename string
				Line     int
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("golangci-lint %s: exit %d, output is not JSON: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, err, stdout.String(), r.stderr)
	}
	checkRE := regexp.MustCompile(`\[([a-z-]+)\]$`)
	for _, is := range report.Issues {
		if is.FromLinter != "portlint" {
			t.Errorf("issue from %s: %s", is.FromLinter, is.Text)
		}
		if strings.HasPrefix(is.Text, "portlint(related information): ") {
			// golangci-lint prints a finding's related position in a Go
			// file (the listener a withheld fix would collide with) as an
			// issue of its own
			r.related = append(r.related, fmt.Sprintf("%s:%d: %s", is.Pos.Filename, is.Pos.Line, strings.TrimPrefix(is.Text, "portlint(related information): ")))
			continue
		}
		m := checkRE.FindStringSubmatch(is.Text)
		if m == nil {
			t.Errorf("issue without a [check]: %s", is.Text)
			continue
		}
		if !strings.Contains(is.Text, "; hint: ") {
			t.Errorf("issue without its remedy (\"; hint: \" before the check): %s", is.Text)
		}
		r.findings = append(r.findings, fmt.Sprintf("%s:%d: %s", is.Pos.Filename, is.Pos.Line, m[1]))
	}
	slices.Sort(r.findings)
	return r
}

func (r lintRun) expect(t *testing.T, what string, want []string) {
	t.Helper()
	slices.Sort(want)
	wantCode := 0
	if len(want) > 0 {
		wantCode = 1
	}
	if r.code != wantCode {
		t.Errorf("%s: exit status %d, want %d\nstderr:\n%s", what, r.code, wantCode, r.stderr)
	}
	if !slices.Equal(r.findings, want) {
		t.Errorf("%s: findings\n\t%s\nwant\n\t%s", what, strings.Join(r.findings, "\n\t"), strings.Join(want, "\n\t"))
	}
	if strings.Contains(r.stderr, "WARN [portlint]") {
		t.Errorf("%s: portlint warned:\n%s", what, r.stderr)
	}
}

// editRegistry binds worker's 7100 to loopback (a new bind finding in
// cmd/worker, whose files do not change) and registers api's 7050 (one
// unregistered finding less).
func editRegistry(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "registry.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range [][2]string{
		{"      - {port: 7100}\n", "      - {port: 7100, bind: localhost}\n"},
		{"      - {port: 7002, bind: localhost}\n", "      - {port: 7002, bind: localhost}\n      - {port: 7050}\n"},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("registry.yaml has no %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The findings in testdata/shop with the default checks. Not reported:
// cmd/api/main.go:16 (//nolint:portlint), :18 (//portlint:ignore), test
// files, and deploy/api.yaml (golangci-lint reports Go files only).
var shopFindings = []string{
	"cmd/api/main.go:11: retired",
	"cmd/api/main.go:12: conflict",
	"cmd/api/main.go:13: bind",
	"cmd/api/main.go:15: unregistered",
	"internal/store/store.go:8: unregistered",
}

// edited applies the changes editRegistry makes to the findings.
func edited(findings []string) []string {
	var out []string
	for _, f := range findings {
		if f != "cmd/api/main.go:15: unregistered" {
			out = append(out, f)
		}
	}
	return append(out, "cmd/worker/main.go:11: bind")
}

func TestCustomGCL(t *testing.T) {
	gcl := customGCL(t)

	t.Run("version", func(t *testing.T) {
		out, err := exec.Command(gcl, "--version").CombinedOutput()
		if err != nil {
			t.Fatalf("--version: %v\n%s", err, out)
		}
		v := string(out)
		if !strings.Contains(v, "version "+strings.TrimPrefix(gclVersion, "v")+"+portlint.") || strings.Contains(v, "(devel)") || strings.Contains(v, "(unknown)") {
			t.Errorf("--version says %q, want golangci-lint %s+portlint.<digest> with a date", v, gclVersion)
		}
	})

	t.Run("findings", func(t *testing.T) {
		dir := shop(t)
		r := lint(t, gcl, dir, t.TempDir())
		r.expect(t, "golangci-lint run", shopFindings)
		// the withheld fix of a retired port points at the listener it
		// would collide with
		if !slices.ContainsFunc(r.related, func(s string) bool { return strings.HasSuffix(s, ": api listens on 7001 here") }) {
			t.Errorf("no related position at api's listener on 7001: %q", r.related)
		}
	})

	// The registry is found per package (.golangci.yml sets none): run,
	// run again from the cache, edit the registry, run: the new finding
	// shows, in a package none of whose files changed.
	t.Run("registry edit", func(t *testing.T) {
		dir, cache := shop(t), t.TempDir()
		first := lint(t, gcl, dir, cache)
		first.expect(t, "first run", shopFindings)
		again := lint(t, gcl, dir, cache)
		again.expect(t, "second run", shopFindings)
		if !strings.HasPrefix(again.analyzed, "0/") {
			t.Fatalf("second run analyzed %s packages; want all from golangci-lint's cache, or the edit below proves nothing\n%s", again.analyzed, again.stderr)
		}
		editRegistry(t, dir)
		after := lint(t, gcl, dir, cache)
		after.expect(t, "run after the registry edit", edited(shopFindings))
		if strings.HasPrefix(after.analyzed, "0/") {
			t.Errorf("run after the registry edit analyzed %s packages", after.analyzed)
		}
	})

	// The registry setting names the file; tests are on and unregistered
	// is off.
	t.Run("registry setting", func(t *testing.T) {
		dir, cache := shop(t), t.TempDir()
		cfg := filepath.Join(dir, "explicit.yml")
		writeConfig(t, cfg, "registry: registry.yaml\n          tests: true\n          disable: [unregistered]")
		want := []string{
			"cmd/api/main.go:11: retired",
			"cmd/api/main.go:12: conflict",
			"cmd/api/main.go:13: bind",
			"cmd/api/main_test.go:9: retired",
		}
		lint(t, gcl, dir, cache, "-c", cfg).expect(t, "first run", want)
		again := lint(t, gcl, dir, cache, "-c", cfg)
		if !strings.HasPrefix(again.analyzed, "0/") {
			t.Fatalf("second run analyzed %s packages, want all from the cache\n%s", again.analyzed, again.stderr)
		}
		editRegistry(t, dir)
		lint(t, gcl, dir, cache, "-c", cfg).expect(t, "run after the registry edit", append(want, "cmd/worker/main.go:11: bind"))
	})

	t.Run("settings errors", func(t *testing.T) {
		dir := shop(t)
		for _, tc := range []struct {
			name, settings string
			noType         bool
			want           string
		}{
			{name: "unknown key", settings: "reigstry: registry.yaml",
				want: `portlint settings: decoding settings: json: unknown field "reigstry" (the settings are registry, enable, disable, tests, generated)`},
			{name: "unknown check", settings: "disable: [unregistred]",
				want: `portlint settings: disable: unknown check "unregistred"; the checks are conflict,`},
			{name: "missing registry", settings: "registry: plans/ports.yaml",
				want: "portlint settings: registry " + filepath.Join(dir, "plans", "ports.yaml") + ": no such file"},
			{name: "no type", settings: "tests: true", noType: true, want: `unable to load custom analyzer "portlint": , plugin.Open(`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cfg := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yml")
				writeConfig(t, cfg, tc.settings)
				if tc.noType {
					removeType(t, cfg)
				}
				r := lint(t, gcl, dir, t.TempDir(), "-c", cfg)
				if r.code != 3 || !strings.Contains(r.stderr, tc.want) {
					t.Errorf("exit status %d, stderr:\n%s\nwant 3 and %q", r.code, r.stderr, tc.want)
				}
			})
		}
	})
}

// writeConfig writes a .golangci.yml enabling only portlint with the
// given settings (indented to sit under "settings:").
func writeConfig(t *testing.T, path, settings string) {
	t.Helper()
	cfg := `version: "2"
linters:
  default: none
  enable: [portlint]
  settings:
    custom:
      portlint:
        type: module
        settings:
          ` + settings + "\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

func removeType(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "type: module" {
			b.WriteString(sc.Text() + "\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildConfig keeps the two build routes on one golangci-lint: the
// version .custom-gcl.yml asks golangci-lint custom for, the one
// tools/custom-gcl requires, and gclVersion here.
func TestBuildConfig(t *testing.T) {
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, ".custom-gcl.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var custom struct {
		Version string
		Plugins []struct{ Module, Import, Path string }
	}
	if err := yaml.Unmarshal(data, &custom); err != nil {
		t.Fatal(err)
	}
	if custom.Version != gclVersion {
		t.Errorf(".custom-gcl.yml builds golangci-lint %s, want %s", custom.Version, gclVersion)
	}
	if len(custom.Plugins) != 1 || custom.Plugins[0].Module != "github.com/portlint/portlint" ||
		custom.Plugins[0].Import != "github.com/portlint/portlint/plugin" || custom.Plugins[0].Path != "." {
		t.Errorf(".custom-gcl.yml plugins = %+v, want this checkout's plugin package", custom.Plugins)
	}
	out, err := command(filepath.Join(root, "tools", "custom-gcl"), "go", "list", "-m", "-f", "{{.Version}}", "github.com/golangci/golangci-lint/v2").Output()
	if err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimSpace(string(out)); v != gclVersion {
		t.Errorf("tools/custom-gcl builds golangci-lint %s, want %s", v, gclVersion)
	}
}

// upgradesAllowed are the modules portlint requires at a newer version
// than golangci-lint does, with the reason each is harmless.
var upgradesAllowed = map[string]string{
	"go.yaml.in/yaml/v3": "v3.0.6 over v3.0.5 is a one-line fix: a literal \"<<\" key is quoted when marshalled",
	// The Helm SDK, which renders charts on the CLI's manifest path,
	// requires these; the plugin never links Helm, but one go.mod means
	// one module graph. Both are minor releases of modules that keep
	// their API compatible; the e2e tests here run the binary built so.
	"golang.org/x/text":     "v0.43.0 over v0.41.0: two minor releases (Unicode data and fixes), required by helm.sh/helm/v4",
	"github.com/spf13/cast": "v1.7.0 over v1.5.0: minor releases, compatible API, required by Helm's template functions (sprig)",
}

// TestNoDependencyUpgrades fails when the plugin build would give
// golangci-lint a newer version of one of its own dependencies than it was
// released with, above all golang.org/x/tools: its analysis drivers and
// the plugin's analyzer must agree.
func TestNoDependencyUpgrades(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "tools", "custom-gcl")
	graph, err := command(dir, "go", "mod", "graph").Output()
	if err != nil {
		t.Fatalf("go mod graph: %v", err)
	}
	list, err := command(dir, "go", "list", "-m", "-f", "{{.Path}} {{.Version}}", "all").Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	selected := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			selected[f[0]] = f[1]
		}
	}
	required := 0
	for _, line := range strings.Split(strings.TrimSpace(string(graph)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || f[0] != "github.com/golangci/golangci-lint/v2@"+gclVersion {
			continue
		}
		path, version, _ := strings.Cut(f[1], "@")
		if path == "go" || path == "toolchain" {
			continue
		}
		required++
		if got := selected[path]; got != version {
			if why, ok := upgradesAllowed[path]; ok {
				t.Logf("%s: golangci-lint requires %s, the build selects %s (%s)", path, version, got, why)
				continue
			}
			t.Errorf("%s: golangci-lint %s requires %s, the plugin build selects %s", path, gclVersion, version, got)
		}
	}
	if required == 0 {
		t.Fatalf("go mod graph lists no requirement of golangci-lint %s", gclVersion)
	}
	if selected["golang.org/x/tools"] == "" {
		t.Errorf("the build selects no golang.org/x/tools")
	}
}
