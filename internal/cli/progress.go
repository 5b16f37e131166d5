package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// A progress display is one line on stderr, rewritten in place, that says
// how far a long run is: Go packages listed, loaded with types and
// analyzed, manifests scanned. It appears only on a terminal, only after
// progressDelay (a quick run prints nothing extra), never under CI, and
// with -progress whatever stderr is. It is erased before the findings are
// printed. A nil *progress counts nothing and draws nothing.
type progress struct {
	w     io.Writer
	delay time.Duration
	tick  time.Duration

	listed    atomic.Int64 // Go packages listed
	relevant  atomic.Int64 // of those, packages that can hold a port use
	cached    atomic.Int64 // replayed from the result cache
	loading   atomic.Int64 // packages being loaded with types (0: not yet)
	loaded    atomic.Int64 // packages loaded with types
	analyzed  atomic.Int64 // packages analyzed
	manifests atomic.Int64 // manifests scanned

	mu    sync.Mutex
	drawn bool // a line is on the screen
	width int  // its length, to blank it
	stop  chan struct{}
	done  chan struct{}
}

// progressDelay is how long a run goes before the display appears (a
// variable for tests).
var progressDelay = time.Second

// wantProgress decides whether a run shows progress: forced with -progress,
// else only when stderr is a terminal and CI is not set.
func wantProgress(force bool, stderr io.Writer, getenv func(string) string) bool {
	if force {
		return true
	}
	if getenv("CI") != "" {
		return false
	}
	f, ok := stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress starts the display on w; stop it with finish.
func startProgress(w io.Writer) *progress {
	p := &progress{w: w, delay: progressDelay, tick: 100 * time.Millisecond, stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTimer(p.delay)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.draw()
			t.Reset(p.tick)
		}
	}
}

// line is the text of the display.
func (p *progress) line() string {
	var parts []string
	if n := p.listed.Load(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d packages listed", n))
		if r := p.relevant.Load(); r < n {
			parts = append(parts, fmt.Sprintf("%d can hold ports", r))
		}
	} else if p.loading.Load() == 0 {
		parts = append(parts, "listing packages")
	}
	if c := p.cached.Load(); c > 0 {
		parts = append(parts, fmt.Sprintf("%d from the cache", c))
	}
	if n := p.loading.Load(); n > 0 {
		if l := p.loaded.Load(); l < n {
			parts = append(parts, fmt.Sprintf("type-checking %d", n))
		} else {
			parts = append(parts, fmt.Sprintf("%d type-checked", n))
		}
		parts = append(parts, fmt.Sprintf("%d/%d analyzed", p.analyzed.Load(), n))
	}
	parts = append(parts, fmt.Sprintf("%d manifests scanned", p.manifests.Load()))
	return "portlint: " + strings.Join(parts, ", ")
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.line()
	pad := ""
	if n := p.width - len(s); n > 0 {
		pad = strings.Repeat(" ", n) // blank what a longer line left
	}
	fmt.Fprint(p.w, "\r"+s+pad)
	p.drawn, p.width = true, max(len(s), p.width)
}

// finish stops the display and blanks its line, so that what follows
// starts on a clean line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	select {
	case <-p.stop:
		return // finished already
	default:
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	shown := p.drawn
	p.mu.Unlock()
	if shown {
		p.draw() // the final counts, then the blank line
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.drawn = false
	}
}

// Write writes b (a message of the run on stderr) on a line of its own:
// the display's line is blanked first and drawn again at the next tick.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.drawn = false
	}
	return p.w.Write(b)
}

// startProgress starts the display on the run's stderr, through which the
// run's own messages then go (each on a clean line).
func (r *run) startProgress() {
	p := startProgress(r.env.Stderr)
	env := *r.env
	env.Stderr = p
	r.env, r.progress = &env, p
}

// The counters the run reports to; each is a no-op on a nil display.

func (p *progress) setListed(listed, relevant int) {
	if p != nil {
		p.listed.Store(int64(listed))
		p.relevant.Store(int64(relevant))
	}
}

func (p *progress) setCached(n int) {
	if p != nil {
		p.cached.Store(int64(n))
	}
}

func (p *progress) startLoading(n int) {
	if p != nil {
		p.loading.Store(int64(n))
	}
}

func (p *progress) setLoaded(n int) {
	if p != nil {
		p.loaded.Store(int64(n))
	}
}

func (p *progress) addLoaded() {
	if p != nil {
		p.loaded.Add(1)
	}
}

func (p *progress) addAnalyzed() {
	if p != nil {
		p.analyzed.Add(1)
	}
}

func (p *progress) addManifest() {
	if p != nil {
		p.manifests.Add(1)
	}
}
