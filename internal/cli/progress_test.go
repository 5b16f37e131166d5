package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// progressLine matches one state of the display.
var progressLine = regexp.MustCompile(`\rportlint: [^\r\n]*manifests scanned`)

// runEngine lints examples/engine in-process with stderr on w, the result
// cache off (so that packages are loaded and analyzed), and returns stdout
// and the exit status.
func runEngine(t *testing.T, stderr io.Writer, extra ...string) (string, int) {
	t.Helper()
	var stdout bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: stderr, Dir: filepath.Join(repoRoot(t), "examples", "engine")}
	args := append([]string{"-registry", "builtin", "-no-cache"}, extra...)
	err := Run(context.Background(), env, append(args, "./..."))
	code := 0
	var ee *ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), code
}

// onTerminal runs the engine with stderr on a pseudo-terminal and returns
// what the terminal received.
func onTerminal(t *testing.T, extra ...string) (stdout, screen string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	got := make(chan string)
	go func() {
		data, _ := io.ReadAll(ptmx) // ends with EIO once the tty is closed
		got <- string(data)
	}()
	stdout, code := runEngine(t, tty, extra...)
	tty.Close()
	if code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
	return stdout, <-got
}

func withProgressDelay(t *testing.T, d time.Duration) {
	old := progressDelay
	progressDelay = d
	t.Cleanup(func() { progressDelay = old })
}

// TestProgressOnATerminal: on a terminal, a run longer than the delay
// shows one line of progress on stderr, rewritten in place, counting
// packages and manifests, and blanks it before the findings; stdout holds
// the findings alone.
func TestProgressOnATerminal(t *testing.T) {
	t.Setenv("CI", "")
	withProgressDelay(t, 0)
	want, _ := runEngine(t, io.Discard)
	stdout, screen := onTerminal(t)
	if stdout != want {
		t.Errorf("stdout with progress differs:\n%s\nwant:\n%s", stdout, want)
	}
	lines := progressLine.FindAllString(screen, -1)
	if len(lines) == 0 {
		t.Fatalf("no progress on the terminal: %q", screen)
	}
	last := lines[len(lines)-1]
	if !regexp.MustCompile(`^\rportlint: 7 packages listed(, \d+ can hold ports)?, (type-checking \d+|\d+ type-checked), \d+/\d+ analyzed, 6 manifests scanned$`).MatchString(last) {
		t.Errorf("the last state %q does not count the engine's packages and manifests (screen %q)", last, screen)
	}
	if strings.Contains(screen, "\n") {
		t.Errorf("the display wrote a line break: %q", screen)
	}
	if !regexp.MustCompile(`\r +\r$`).MatchString(screen) {
		t.Errorf("the display's line is not blanked at the end: %q", screen)
	}
}

// TestProgressOff: no display under CI even on a terminal, none in a pipe,
// and none for a run shorter than the delay; -progress forces it in a pipe.
func TestProgressOff(t *testing.T) {
	t.Run("CI", func(t *testing.T) {
		t.Setenv("CI", "true")
		withProgressDelay(t, 0)
		if _, screen := onTerminal(t); screen != "" {
			t.Errorf("progress under CI: %q", screen)
		}
	})
	t.Run("pipe", func(t *testing.T) {
		t.Setenv("CI", "")
		withProgressDelay(t, 0)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan string)
		go func() {
			data, _ := io.ReadAll(r)
			got <- string(data)
		}()
		runEngine(t, w)
		w.Close()
		if s := <-got; s != "" {
			t.Errorf("progress in a pipe: %q", s)
		}
	})
	t.Run("quick run", func(t *testing.T) {
		t.Setenv("CI", "")
		withProgressDelay(t, time.Hour)
		if _, screen := onTerminal(t); screen != "" {
			t.Errorf("progress before the delay: %q", screen)
		}
	})
	t.Run("forced", func(t *testing.T) {
		t.Setenv("CI", "true")
		withProgressDelay(t, 0)
		var stderr bytes.Buffer
		runEngine(t, &stderr, "-progress")
		if !progressLine.MatchString(stderr.String()) {
			t.Errorf("-progress shows nothing in a pipe under CI: %q", stderr.String())
		}
	})
}

// TestProgressLine: each stage of a run reads as it should.
func TestProgressLine(t *testing.T) {
	p := &progress{}
	if got := p.line(); got != "portlint: listing packages, 0 manifests scanned" {
		t.Errorf("at the start: %q", got)
	}
	p.setListed(529, 61)
	p.setCached(20)
	p.addManifest()
	p.startLoading(41)
	if got := p.line(); got != "portlint: 529 packages listed, 61 can hold ports, 20 from the cache, type-checking 41, 0/41 analyzed, 1 manifests scanned" {
		t.Errorf("loading: %q", got)
	}
	p.setLoaded(41)
	for range 40 {
		p.addAnalyzed()
	}
	if got := p.line(); got != "portlint: 529 packages listed, 61 can hold ports, 20 from the cache, 41 type-checked, 40/41 analyzed, 1 manifests scanned" {
		t.Errorf("analyzing: %q", got)
	}
	var nothing *progress // a run without the display counts nothing
	nothing.addAnalyzed()
	nothing.finish()
}
