package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"golang.org/x/sync/semaphore"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/safefile"
	"github.com/portlint/portlint/manifest"
)

// manifestSet is the manifest half of a run: files scanned first, checked
// after the whole-tree checks have seen every use.
type manifestSet struct {
	files  []*manifest.File
	byPath map[string]*manifest.File
	errors []string
	notes  []string
	read   int // YAML and JSON files read, manifests or not
}

// projectRoot is where manifest globs are relative to: the directory of
// .portlint.yaml, else the Go module root, else the working directory.
func (r *run) projectRoot() string {
	if r.cfg != nil {
		return r.cfg.Dir
	}
	for d := r.dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return r.dir
		}
	}
}

// manifestWorkers is how many manifests are scanned at once; 0 means
// GOMAXPROCS. Tests set it to compare one worker with many.
var manifestWorkers = 0

// manifestBudget bounds the bytes of the manifests being scanned at once:
// the most one manifest may have, so that scanning on every core needs no
// more memory than the largest file a sequential scan may meet.
const manifestBudget = safefile.MaxManifest

// A manifestJob is a file to read and scan, and what its scan gave.
type manifestJob struct {
	path, rel, pkg string
	size           int64 // from stat, for the order of work and the byte budget
	readErr        error
	file           *manifest.File
	scanErr        error
}

// scanManifestFiles discovers and scans the manifests under roots and the
// files named directly. Which files are scanned, and with what options,
// is decided first, in order; the files are then read and scanned on
// GOMAXPROCS workers, the largest first, holding at most manifestBudget
// bytes of text between them (a scan keeps what a file gives, its uses and
// wiring facts, and drops its YAML nodes); what they give is gathered in
// the order of the paths, so the output does not depend on the workers.
func (r *run) scanManifestFiles(ctx context.Context, roots, files []string) (*manifestSet, error) {
	ms := &manifestSet{byPath: map[string]*manifest.File{}}
	var exclude []string
	root := r.projectRoot()
	if r.cfg != nil {
		exclude = r.cfg.Exclude
	}
	exclude = append(append([]string(nil), exclude...), r.nestedModules...)
	found, skips, err := manifest.Discover(roots, exclude)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Msg: "portlint: " + err.Error()}
	}
	for _, sk := range skips {
		if sk.Err {
			ms.errors = append(ms.errors, sk.Path+": "+sk.Reason)
		} else {
			ms.notes = append(ms.notes, sk.Path+": "+sk.Reason)
		}
	}
	paths := append(found, files...)
	rendered := r.renderCharts(root, paths, ms) // Helm charts (charts.go)
	var emb embedders
	var order []*manifestJob // in the order of paths; a path named twice is one job
	jobs := map[string]*manifestJob{}
	for _, p := range paths {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if j := jobs[p]; j != nil {
			order = append(order, j)
			continue
		}
		if rendered[p] {
			continue // read through its chart's render
		}
		if ms.byPath[p] != nil || (r.src.Path != "" && sameFile(p, r.src.Path)) {
			continue // the plan itself is not a manifest
		}
		if r.isBaseline(p) {
			continue // nor is a baseline
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = p
		}
		rel = filepath.ToSlash(rel)
		if r.skipped(p) {
			continue
		}
		if !r.flags.tests && check.IsTestFile(rel) && !slices.Contains(files, p) {
			continue // sample resources of a test tree: checked with -test, or when named
		}
		j := &manifestJob{path: p, rel: rel, pkg: emb.packageOf(p)}
		if st, err := os.Stat(p); err == nil {
			j.size = st.Size()
		}
		jobs[p] = j
		order = append(order, j)
	}
	if err := r.scanJobs(ctx, order); err != nil {
		return nil, err
	}
	for _, j := range order {
		p := j.path
		if ms.byPath[p] != nil {
			continue // named twice
		}
		if err := j.readErr; err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			if errors.Is(err, safefile.ErrNotRegular) {
				// named on the command line: a FIFO is never opened
				ms.notes = append(ms.notes, fmt.Sprintf("%s: not read: %v", p, strings.TrimPrefix(err.Error(), safefile.ErrNotRegular.Error()+": ")))
				continue
			}
			var tl *safefile.TooLargeError
			if errors.As(err, &tl) {
				ms.errors = append(ms.errors, fmt.Sprintf("%s:1:1: not checked: %v", p, err))
				continue
			}
			ms.errors = append(ms.errors, fmt.Sprintf("%s: cannot read: %v", p, err))
			continue
		}
		ms.read++
		if j.scanErr != nil {
			ms.errors = append(ms.errors, j.scanErr.Error())
		}
		f := j.file
		if f == nil {
			continue
		}
		for _, n := range f.Notes {
			if n.Incomplete {
				// part of the file went unchecked: the run cannot pass it
				ms.errors = append(ms.errors, n.String())
				continue
			}
			ms.notes = append(ms.notes, n.String())
		}
		ms.files = append(ms.files, f)
		ms.byPath[p] = f
	}
	return ms, nil
}

// scanJobs reads and scans the files of jobs (a job may be listed twice)
// on the workers, the largest files first, and stores in each job what its
// file gave. Each file's text and YAML nodes are dropped once it is
// scanned. It returns ctx's error when ctx is done.
func (r *run) scanJobs(ctx context.Context, jobs []*manifestJob) error {
	var todo []*manifestJob
	queued := map[*manifestJob]bool{}
	for _, j := range jobs {
		if !queued[j] {
			queued[j] = true
			todo = append(todo, j)
		}
	}
	// the largest first: a big file started last would leave the other
	// workers idle while it is scanned
	sort.SliceStable(todo, func(a, b int) bool { return todo[a].size > todo[b].size })
	workers := manifestWorkers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	budget := semaphore.NewWeighted(manifestBudget)
	next := make(chan *manifestJob)
	var wg sync.WaitGroup
	for range min(workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				w := min(max(j.size, 1), manifestBudget)
				if budget.Acquire(ctx, w) != nil {
					continue // canceled: the run stops
				}
				r.scanJob(j)
				budget.Release(w)
			}
		}()
	}
	for _, j := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	return ctx.Err()
}

// scanJob reads and scans one file.
func (r *run) scanJob(j *manifestJob) {
	data, err := safefile.Read(j.path, safefile.MaxManifest)
	if err != nil {
		j.readErr = err
		return
	}
	r.progress.addManifest()
	j.file, j.scanErr = manifest.Scan(j.path, data, manifest.Options{Registry: r.reg, Rel: j.rel, Discover: r.discover, Package: j.pkg})
}

// skipped reports whether .portlint.yaml leaves a file out: an exclude
// glob matches it or a directory above it (a glob without a slash matches
// a base name), or include globs are given and none matches it. Globs are
// relative to the project root; they apply to Go files and manifests alike.
func (r *run) skipped(p string) bool {
	if r.cfg == nil || len(r.cfg.Include) == 0 && len(r.cfg.Exclude) == 0 && (len(r.cfg.Tests) == 0 || r.flags.tests) {
		return false
	}
	rel, err := filepath.Rel(r.projectRoot(), p)
	if err != nil {
		rel = p
	}
	rel = filepath.ToSlash(rel)
	if len(r.cfg.Include) > 0 && !matchAny(r.cfg.Include, rel) {
		return true
	}
	for q := rel; q != "." && q != "/" && q != ""; q = path.Dir(q) {
		if matchAny(r.cfg.Exclude, q) || !r.flags.tests && matchAny(r.cfg.Tests, q) {
			return true
		}
		for _, g := range r.cfg.Exclude {
			if !strings.Contains(g, "/") {
				if ok, _ := doublestar.Match(g, path.Base(q)); ok {
					return true
				}
			}
		}
	}
	return false
}

func matchAny(globs []string, rel string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, rel); ok {
			return true
		}
	}
	return false
}

// uses returns every use of every scanned manifest.
func (ms *manifestSet) uses() []*check.Use {
	var out []*check.Use
	for _, f := range ms.files {
		out = append(out, f.Uses...)
	}
	return out
}

// check runs the per-file checks.
func (ms *manifestSet) check(c *check.Checker) []finding.Finding {
	var out []finding.Finding
	for _, f := range ms.files {
		out = append(out, manifest.Check(f, c)...)
	}
	return out
}

// file returns the scanned manifest at path, or nil.
func (ms *manifestSet) file(path string) *manifest.File {
	if ms == nil {
		return nil
	}
	return ms.byPath[path]
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
