package cli

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/internal/safefile"
)

// A prescan scans the Go files of the directories the patterns name while
// go list runs, which leaves a processor partly idle: each file alone,
// kept with the size and modification time it had. The prefilter then
// takes, for each file go list puts in a package, the prescan's result if
// the file is unchanged, and scans the rest; merged per package, the
// per-file scans decide as one scan of the package does. Files go list
// leaves out (build constraints, other modules) were scanned for nothing.
type prescan struct {
	stop  atomic.Bool
	done  chan struct{}
	mu    sync.Mutex
	files map[string]*prescanned
}

type prescanned struct {
	size  int64
	mtime time.Time
	scan  *analyzer.TokenScan
	sum   [sha256.Size]byte
	err   bool // did not read or scan
}

// startPrescan starts scanning the Go files the patterns can name, when
// every pattern is a directory relative to dir (., ./x, ./x/..., ../x);
// otherwise it returns nil.
func startPrescan(dir string, patterns []string, tests, sum bool) *prescan {
	type root struct {
		dir       string
		recursive bool
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	var roots []root
	for _, p := range patterns {
		if p != "." && p != ".." && !strings.HasPrefix(p, "./") && !strings.HasPrefix(p, "../") {
			return nil
		}
		d, rec := strings.CutSuffix(p, "/...")
		if strings.Contains(d, "...") {
			return nil
		}
		roots = append(roots, root{filepath.Join(abs, filepath.FromSlash(d)), rec})
	}
	ps := &prescan{done: make(chan struct{}), files: map[string]*prescanned{}}
	go func() {
		defer close(ps.done)
		for _, r := range roots {
			if ps.stop.Load() {
				return
			}
			if !r.recursive {
				ps.dir(r.dir, tests, sum)
				continue
			}
			filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
				if ps.stop.Load() {
					return filepath.SkipAll
				}
				if err != nil || !d.IsDir() {
					return nil
				}
				if path != r.dir {
					// what go's ... patterns leave out
					n := d.Name()
					if n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
						return filepath.SkipDir
					}
					if _, err := os.Lstat(filepath.Join(path, "go.mod")); err == nil {
						return filepath.SkipDir // another module
					}
				}
				ps.dir(path, tests, sum)
				return nil
			})
		}
	}()
	return ps
}

// dir scans the Go files of one directory.
func (ps *prescan) dir(dir string, tests, sum bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if ps.stop.Load() {
			return
		}
		if !strings.HasSuffix(n, ".go") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || !e.Type().IsRegular() ||
			!tests && strings.HasSuffix(n, "_test.go") {
			continue
		}
		path := filepath.Join(dir, n)
		st, err := e.Info()
		if err != nil {
			continue
		}
		r := &prescanned{size: st.Size(), mtime: st.ModTime(), scan: &analyzer.TokenScan{}}
		data, err := safefile.Read(path, safefile.MaxSource)
		if err != nil || int64(len(data)) != st.Size() {
			continue
		}
		if sum {
			r.sum = sha256.Sum256(data)
		}
		r.err = r.scan.File(path, data) != nil
		r.scan.Settle()
		ps.mu.Lock()
		ps.files[path] = r
		ps.mu.Unlock()
	}
}

// finish stops the prescan and waits for the file it is on.
func (ps *prescan) finish() {
	if ps == nil {
		return
	}
	ps.stop.Store(true)
	<-ps.done
}

// wait waits until the prescan has scanned every file it would.
func (ps *prescan) wait() { <-ps.done }

// lookup returns the prescan of the file at path if the file has not
// changed since, or nil.
func (ps *prescan) lookup(path string) *prescanned {
	if ps == nil {
		return nil
	}
	r := ps.files[path] // finished: no more writers
	if r == nil {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != r.size || !st.ModTime().Equal(r.mtime) || !st.Mode().IsRegular() {
		return nil
	}
	return r
}
