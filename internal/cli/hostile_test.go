package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileFiles is a module with one finding in Go (15001) and one in a
// manifest (9090), both reserved ports: what a hostile input next to them
// must not hide.
var hostileFiles = map[string]string{
	"go.mod": "module example.com/h\n\ngo 1.26\n",
	"registry.yaml": `version: 1
groups:
  g: {pool: "[7000, 8000)"}
ranges:
  - {name: g.web, group: g, span: "[7000, 7100)"}
components:
  - name: web
    group: g
    ranges: [g.web]
    packages: ["*/cmd/web/..."]
    manifests: ["deploy/**"]
    ports:
      - {port: 7001}
reserved:
  - {port: 9090, owner: Prometheus}
  - {port: 15001, owner: Envoy}
`,
	"cmd/web/main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":15001\", nil) }\n",
	"deploy/web.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      ports:\n        - containerPort: 9090\n",
}

const (
	goFinding       = `cmd/web/main.go:5:\d+: port 15001 is reserved by the platform \(Envoy\) \[reserved\]`
	manifestFinding = `deploy/web.yaml:8:\d+: port 9090 is reserved by the platform \(Prometheus\) \[reserved\]`
)

// A measured run of the portlint binary.
type measured struct {
	stdout, stderr string
	code           int
	wall           time.Duration
	maxRSS         int64 // KiB
}

// runMeasured runs the binary in dir with a deadline, and measures its wall
// time and peak memory.
func runMeasured(t *testing.T, dir string, env []string, args ...string) measured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, portlintBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	m := measured{stdout: out.String(), stderr: errOut.String(), wall: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("portlint %s: no answer in 2 minutes (blocked?)\n%s", strings.Join(args, " "), m.stderr)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		m.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss
	}
	return m
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
}

func sparse(t *testing.T, p string, size int64) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Skip("no sparse files here:", err)
	}
}

func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a: &a [\"x\", \"y\"]\n")
	for i := 'b'; i <= 'z'; i++ {
		fmt.Fprintf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("servers: *z\n---\nport: 8080\n")
	return b.String()
}

// TestHostileInputs: every hostile input ends in the exit status and
// message it should, quickly and in bounded memory, and what else the
// tree holds is still checked and printed. Run with -v for the table of
// exit statuses, times and peak memory.
func TestHostileInputs(t *testing.T) {
	udiff := "v0.0.0"
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/aymanbagabas/go-udiff").Output(); err == nil {
		udiff = strings.TrimSpace(string(out))
	}
	type tc struct {
		name  string
		setup func(t *testing.T, dir string)
		env   []string
		args  []string
		code  int
		want  []string // regexps that stdout+stderr must match
		quiet bool     // the findings of the rest of the tree are not expected
	}
	cases := []tc{
		// code portlint did not see must never pass
		{name: "path that does not exist", args: []string{"./nope"}, code: 2, quiet: true,
			want: []string{`(?m)^portlint: \./nope: no such file or directory$`}},
		{name: "pattern matching nothing", setup: func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "empty"), 0o777) },
			args: []string{"./empty/..."}, code: 2, quiet: true, want: []string{`(?m)^portlint: \./empty/\.\.\. matched no packages or manifests$`}},
		{name: "root linked to a directory", setup: func(t *testing.T, dir string) { os.Symlink("deploy", filepath.Join(dir, "linked")) },
			args: []string{"-no-go", "./linked"}, code: 3, quiet: true, want: []string{`(?m)^linked/web.yaml:8:\d+: port 9090 is reserved`}},
		{name: "link to a directory inside", setup: func(t *testing.T, dir string) { os.Symlink(t.TempDir(), filepath.Join(dir, "deploy", "more.yaml")) },
			args: []string{"-json", "./..."}, code: 0,
			want: []string{`(?m)^\{"note":\{"message":"deploy/more.yaml: not followed: a symbolic link to a directory"\}\}$`}},
		{name: "skip reasons in SARIF", setup: func(t *testing.T, dir string) { os.Symlink(t.TempDir(), filepath.Join(dir, "deploy", "more.yaml")) },
			args: []string{"-sarif", "./..."}, code: 0,
			want: []string{`"toolExecutionNotifications"`, `"text": "not followed: a symbolic link to a directory"`, `"uri": "deploy/more.yaml"`}},
		{name: "keys after a 64 KiB comment", setup: func(t *testing.T, dir string) {
			writeFile(t, dir, "deploy/long.yaml", strings.Repeat("# a license line, long enough to fill the first 64 KiB\n", 2000)+"apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      ports:\n        - containerPort: 9090\n")
		}, args: []string{"./..."}, code: 3, want: []string{`(?m)^deploy/long.yaml:2008:\d+: port 9090 is reserved`}},
		{name: "missing go.sum entry", setup: func(t *testing.T, dir string) {
			writeFile(t, dir, "go.mod", "module example.com/h\n\ngo 1.26\n\nrequire github.com/aymanbagabas/go-udiff "+udiff+"\n")
			writeFile(t, dir, "cmd/web/dep.go", "package main\n\nimport _ \"github.com/aymanbagabas/go-udiff\"\n")
		}, env: []string{"GOFLAGS=-mod=readonly"}, args: []string{"./..."}, code: 2,
			want: []string{`(?m)^cmd/web/dep.go:3:\d+: could not import github.com/aymanbagabas/go-udiff: missing go.sum entry`}, quiet: true},

		// FIFOs, devices, sockets and huge files
		{name: "-registry FIFO", setup: func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "plan.yaml")) },
			args: []string{"-registry", "plan.yaml", "./..."}, code: 2, quiet: true, want: []string{`not a regular file: a named pipe`}},
		{name: "discovered registry.yaml FIFO", setup: func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "registry.yaml")) },
			args: []string{"./..."}, code: 2, quiet: true, want: []string{`registry.yaml: not a regular file: a named pipe`}},
		{name: "discovered .portlint.yaml FIFO", setup: func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, ".portlint.yaml")) },
			args: []string{"./..."}, code: 2, quiet: true, want: []string{`\.portlint\.yaml: not a regular file: a named pipe`}},
		{name: "registry check FIFO", setup: func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "plan.yaml")) },
			args: []string{"registry", "check", "plan.yaml"}, code: 2, quiet: true, want: []string{`not a regular file: a named pipe`}},
		{name: "manifest FIFO", setup: func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "deploy", "pipe.yaml")) },
			args: []string{"-v", "./..."}, code: 3, want: []string{`(?m)^note: deploy/pipe.yaml: not read: a named pipe$`}},
		{name: "manifest FIFO named", setup: func(t *testing.T, dir string) { mkfifo(t, filepath.Join(dir, "deploy", "pipe.yaml")) },
			args: []string{"-json", "./...", "deploy/pipe.yaml"}, code: 0, want: []string{`\{"note":\{"message":"deploy/pipe.yaml: not read: a named pipe"\}\}`}},
		{name: "manifest socket", setup: func(t *testing.T, dir string) {
			l, err := net.Listen("unix", filepath.Join(dir, "deploy", "s.yaml"))
			if err != nil {
				t.Skip("no unix sockets:", err)
			}
			t.Cleanup(func() { l.Close() })
		}, args: []string{"-v", "./..."}, code: 3, want: []string{`(?m)^note: deploy/s.yaml: not read: a socket$`}},
		{name: "manifest linked to /dev/zero", setup: func(t *testing.T, dir string) { os.Symlink("/dev/zero", filepath.Join(dir, "deploy", "zero.yaml")) },
			args: []string{"-v", "./..."}, code: 3, want: []string{`(?m)^note: deploy/zero.yaml: not read: a device$`}},
		{name: "registry of 8 GiB", setup: func(t *testing.T, dir string) { sparse(t, filepath.Join(dir, "registry.yaml"), 8<<30) },
			args: []string{"./..."}, code: 2, quiet: true, want: []string{`registry.yaml: 8589934592 bytes is more than the 16777216 portlint reads`}},
		{name: "config of 8 GiB", setup: func(t *testing.T, dir string) { sparse(t, filepath.Join(dir, ".portlint.yaml"), 8<<30) },
			args: []string{"./..."}, code: 2, quiet: true, want: []string{`\.portlint\.yaml: 8589934592 bytes is more than the 1048576 portlint reads`}},
		{name: "manifest of 8 GiB", setup: func(t *testing.T, dir string) {
			sparse(t, filepath.Join(dir, "deploy", "big.yaml"), 8<<30)
		}, args: []string{"./...", "deploy/big.yaml"}, code: 2, want: []string{`(?m)^deploy/big.yaml:1:1: not checked: 8589934592 bytes is more than the 16777216 portlint reads$`}},

		// not fully checked: exit 2 in every format, the rest printed
		{name: "alias bomb before a port", setup: func(t *testing.T, dir string) { writeFile(t, dir, "deploy/bomb.yaml", aliasBomb()) },
			args: []string{"./..."}, code: 2, want: []string{`(?m)^deploy/bomb.yaml:1:1: stopped after \d+ nodes: the document expands too many aliases; the rest is not checked$`}},
		{name: "alias bomb, JSON", setup: func(t *testing.T, dir string) { writeFile(t, dir, "deploy/bomb.yaml", aliasBomb()) },
			args: []string{"-json", "./..."}, code: 2, want: []string{`(?m)^\{"error":\{"message":"deploy/bomb.yaml:1:1: stopped after \d+ nodes`}},
		{name: "alias bomb, SARIF", setup: func(t *testing.T, dir string) { writeFile(t, dir, "deploy/bomb.yaml", aliasBomb()) },
			args: []string{"-sarif", "./..."}, code: 2, want: []string{`"executionSuccessful": false`, `"level": "error"`, `"text": "stopped after \d+ nodes`}},
		{name: "Helm template it cannot parse", setup: func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "deploy", "templates"), 0o777)
			writeFile(t, dir, "deploy/templates/pod.yaml", "ports:\n  - containerPort: {{ .Values.port }}\n    name: [unclosed\n")
		}, args: []string{"./..."}, code: 2, want: []string{`(?m)^deploy/templates/pod.yaml:\d+:\d+: not scanned, even with its template actions set aside`}},
	}
	var table []string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, hostileFiles)
			if c.setup != nil {
				c.setup(t, dir)
			}
			env := append([]string{"PORTLINT_CACHE=" + filepath.Join(t.TempDir(), "cache")}, c.env...)
			m := runMeasured(t, dir, env, c.args...)
			table = append(table, fmt.Sprintf("| %s | %d | %.2fs | %d MiB |", c.name, m.code, m.wall.Seconds(), m.maxRSS/1024))
			all := m.stdout + m.stderr
			if m.code != c.code {
				t.Errorf("exit status %d, want %d\n%s", m.code, c.code, all)
			}
			for _, w := range c.want {
				if !regexp.MustCompile(w).MatchString(all) {
					t.Errorf("output does not match %s:\n%s", w, all)
				}
			}
			if !c.quiet && !strings.Contains(strings.Join(c.args, " "), "-no-go") {
				text := all
				if strings.Contains(strings.Join(c.args, " "), "-json") || strings.Contains(strings.Join(c.args, " "), "-sarif") {
					text = strings.ReplaceAll(all, `"`, ``)
				}
				for _, w := range []string{`15001 is reserved`, `9090 is reserved`} {
					if !strings.Contains(text, w) {
						t.Errorf("the rest of the tree was not checked: no %q in\n%s", w, all)
					}
				}
			}
			if m.wall > 30*time.Second {
				t.Errorf("took %v", m.wall)
			}
			if m.maxRSS > 300<<10 {
				t.Errorf("peak memory %d MiB", m.maxRSS>>10)
			}
		})
	}
	t.Logf("| input | exit | wall | peak RSS |\n|---|---|---|---|\n%s", strings.Join(table, "\n"))
}

// TestCacheHostile: result cache entries that are FIFOs, links to
// /dev/zero, truncated or junk are misses, never a hang or a wrong result;
// two runs at once on one cache print what a run without it prints; a
// cache that cannot be written is a note.
func TestCacheHostile(t *testing.T) {
	dir := writeFiles(t, shopFiles)
	fresh := runMeasured(t, dir, []string{"PORTLINT_CACHE=off"}, "./...")
	if fresh.code != ExitFindings || !strings.Contains(fresh.stdout, "[retired]") {
		t.Fatalf("the shop module: status %d\n%s%s", fresh.code, fresh.stdout, fresh.stderr)
	}
	entries := func(cache string) []string {
		var out []string
		filepath.WalkDir(filepath.Join(cache, "results"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, p)
			}
			return nil
		})
		if len(out) == 0 {
			t.Fatal("the cache holds no results")
		}
		return out
	}
	same := func(what string, m measured) {
		t.Helper()
		if m.stdout != fresh.stdout || m.code != fresh.code {
			t.Errorf("%s: status %d, printed\n%s\nwant\n%s%s", what, m.code, m.stdout, fresh.stdout, m.stderr)
		}
		if m.wall > 60*time.Second || m.maxRSS > 300<<10 {
			t.Errorf("%s: %v, %d MiB", what, m.wall, m.maxRSS>>10)
		}
	}
	for _, spoil := range []struct {
		name string
		do   func(p string) error
	}{
		{"a FIFO", func(p string) error { os.Remove(p); return syscall.Mkfifo(p, 0o644) }},
		{"a link to /dev/zero", func(p string) error { os.Remove(p); return os.Symlink("/dev/zero", p) }},
		{"truncated", func(p string) error {
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, st.Size()/2)
		}},
		{"junk", func(p string) error { return os.WriteFile(p, bytes.Repeat([]byte("\x00junk{"), 1000), 0o644) }},
		{"another entry's content", func(p string) error {
			return os.WriteFile(p, []byte(cacheFormat+" 0000 2 "+strings.Repeat("0", 64)+"\n{}"), 0o644)
		}},
	} {
		t.Run(spoil.name, func(t *testing.T) {
			cache := filepath.Join(t.TempDir(), "cache")
			env := []string{"PORTLINT_CACHE=" + cache}
			same("filling", runMeasured(t, dir, env, "./..."))
			for _, p := range entries(cache) {
				if err := spoil.do(p); err != nil {
					t.Skip(err)
				}
			}
			same("spoiled", runMeasured(t, dir, env, "./..."))
			same("stored again", runMeasured(t, dir, env, "./..."))
		})
	}
	t.Run("two runs at once", func(t *testing.T) {
		cache := filepath.Join(t.TempDir(), "cache")
		env := []string{"PORTLINT_CACHE=" + cache}
		for round := 0; round < 2; round++ { // an empty cache, then a full one
			results := make(chan measured, 4)
			for i := 0; i < 4; i++ {
				go func() { results <- runMeasured(t, dir, env, "./...") }()
			}
			for i := 0; i < 4; i++ {
				same(fmt.Sprintf("round %d", round), <-results)
			}
		}
	})
	t.Run("cannot be written", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		m := runMeasured(t, dir, []string{"PORTLINT_CACHE=" + filepath.Join(file, "cache")}, "-json", "./...")
		if m.code != 0 || !strings.Contains(m.stdout, `{"note":{"message":"result cache off: cannot create the cache directory: `) {
			t.Errorf("status %d\n%s%s", m.code, m.stdout, m.stderr)
		}
	})
}
