package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/portlint/portlint/finding"
)

// A baseline records accepted findings. Entries are keyed so that moving
// code does not break them: the check, the component, the port as written,
// the file (relative to the project root) and a hash of the finding's line,
// trimmed; never the line number. The file is sorted JSON, one entry per
// line, for review.
type baseline struct {
	Version  int             `json:"version"`
	Findings []baselineEntry `json:"findings"`
}

type baselineEntry struct {
	Check     string `json:"check"`
	Component string `json:"component,omitempty"`
	Port      string `json:"port"`
	File      string `json:"file"`
	LineHash  string `json:"line_hash"`
	Message   string `json:"message"` // for the reader; not part of the key
}

const baselineVersion = 1

func (e baselineEntry) key() string {
	return strings.Join([]string{e.Check, e.Component, e.Port, e.File, e.LineHash}, "\x00")
}

// lineText caches files' lines for the entries.
type lineText map[string][]string

func (lt lineText) line(file string, n int) string {
	ls, ok := lt[file]
	if !ok {
		data, _ := os.ReadFile(file)
		ls = strings.Split(string(data), "\n")
		lt[file] = ls
	}
	if n < 1 || n > len(ls) {
		return ""
	}
	return ls[n-1]
}

// entry is a finding's baseline entry.
func (r *run) entry(lt lineText, f finding.Finding) baselineEntry {
	line := lt.line(f.Pos.File, f.Pos.Line)
	port := ""
	if f.Pos.Line == f.End.Line && f.Pos.Column > 0 && f.End.Column > f.Pos.Column && f.End.Column-1 <= len(line) {
		port = line[f.Pos.Column-1 : f.End.Column-1]
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(line)))
	rel := f.Pos.File
	if p, err := filepath.Rel(r.projectRoot(), f.Pos.File); err == nil && !startsWithDotDot(p) {
		rel = p
	}
	return baselineEntry{Check: f.Check, Component: f.Component, Port: port, File: filepath.ToSlash(rel),
		LineHash: hex.EncodeToString(sum[:8]), Message: f.Message}
}

// baselinePath is the -baseline flag, else the config's baseline.
func (r *run) baselinePath() string {
	p := r.flags.baseline
	base := r.dir
	if p == "" && r.cfg != nil && r.cfg.Baseline != "" {
		p, base = r.cfg.Baseline, r.cfg.Dir
	}
	if p != "" && !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return p
}

// isBaseline reports whether p is the baseline the run reads or writes.
func (r *run) isBaseline(p string) bool {
	for _, b := range []string{r.baselinePath(), r.flags.writeBaseline} {
		if b == "" {
			continue
		}
		if !filepath.IsAbs(b) {
			b = filepath.Join(r.dir, b)
		}
		if filepath.Clean(b) == filepath.Clean(p) || sameFile(p, b) {
			return true
		}
	}
	return false
}

// writeBaseline records the findings.
func (r *run) writeBaseline(path string, fs []finding.Finding) error {
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.dir, path)
	}
	lt := lineText{}
	b := baseline{Version: baselineVersion, Findings: []baselineEntry{}}
	for _, f := range fs {
		if !f.Ignored {
			b.Findings = append(b.Findings, r.entry(lt, f))
		}
	}
	sort.Slice(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		if x.File != y.File {
			return x.File < y.File
		}
		if x.key() != y.key() {
			return x.key() < y.key()
		}
		return x.Message < y.Message
	})
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n  \"version\": %d,\n  \"findings\": [", b.Version)
	for i, e := range b.Findings {
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		buf.Write(data)
	}
	if len(b.Findings) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return &ExitError{Code: ExitInternal, Msg: "portlint: -write-baseline: " + err.Error()}
	}
	fmt.Fprintf(r.env.Stderr, "portlint: wrote %d findings to %s; runs with -baseline %s report only new ones\n", len(b.Findings), displayPath(r.env, path), displayPath(r.env, path))
	return nil
}

// readBaseline loads a baseline file.
func readBaseline(path string) (*baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		line := 1 + bytes.Count(data[:min(int(dec.InputOffset()), len(data))], []byte("\n"))
		return nil, fmt.Errorf("%s:%d: not a portlint baseline: %v", path, line, err)
	}
	if b.Version != baselineVersion {
		return nil, fmt.Errorf("%s: baseline version %d; this portlint reads version %d", path, b.Version, baselineVersion)
	}
	return &b, nil
}

// applyBaseline drops the findings the baseline records, each entry
// matching one finding, and says on stderr which entries match nothing
// any more (fixed, or changed past recognition).
func (r *run) applyBaseline(path string, res *scanResult) error {
	b, err := readBaseline(path)
	if err != nil {
		return usageError("portlint: -baseline: %v", err)
	}
	left := map[string]int{}
	for _, e := range b.Findings {
		left[e.key()]++
	}
	lt := lineText{}
	out := res.findings[:0]
	accepted := 0
	for _, f := range res.findings {
		if !f.Ignored {
			k := r.entry(lt, f).key()
			if left[k] > 0 {
				left[k]--
				accepted++
				continue
			}
		}
		out = append(out, f)
	}
	res.findings = out
	var stale []baselineEntry
	for _, e := range b.Findings {
		if left[e.key()] > 0 {
			left[e.key()]--
			stale = append(stale, e)
		}
	}
	if len(stale) > 0 {
		fmt.Fprintf(r.env.Stderr, "portlint: %d entries of baseline %s match no finding any more (fixed or changed); remove them, or write the baseline again:\n", len(stale), displayPath(r.env, path))
		for _, e := range stale {
			fmt.Fprintf(r.env.Stderr, "  %s: %s [%s]\n", printable(e.File), printable(e.Message), printable(e.Check))
		}
	}
	if r.flags.v {
		fmt.Fprintf(r.env.Stderr, "portlint: baseline %s accepted %d findings\n", displayPath(r.env, path), accepted)
	}
	return nil
}

// newFromRev keeps the findings on lines changed since rev: lines the
// working tree adds or changes against rev (git diff), and every line of
// files git does not track yet.
func (r *run) newFromRev(ctx context.Context, rev string, res *scanResult) error {
	top, err := gitOut(ctx, r.dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return usageError("portlint: -new-from-rev: %v", err)
	}
	top = strings.TrimSpace(top)
	if _, err := gitOut(ctx, r.dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return usageError("portlint: -new-from-rev: %q is not a revision of the repository at %s", rev, top)
	}
	diff, err := gitOut(ctx, top, "diff", "--no-color", "--no-ext-diff", "-U0", rev, "--")
	if err != nil {
		return usageError("portlint: -new-from-rev: %v", err)
	}
	changed := changedLines(diff, top)
	untracked, err := gitOut(ctx, top, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return usageError("portlint: -new-from-rev: %v", err)
	}
	whole := map[string]bool{}
	for _, f := range strings.Split(untracked, "\x00") {
		if f != "" {
			whole[cleanPath(filepath.Join(top, f))] = true
		}
	}
	out := res.findings[:0]
	for _, f := range res.findings {
		p := cleanPath(f.Pos.File)
		if whole[p] || changed[p][f.Pos.Line] {
			out = append(out, f)
		}
	}
	res.findings = out
	return nil
}

func cleanPath(p string) string {
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	return filepath.Clean(p)
}

func gitOut(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %v", args[0], err)
	}
	return string(out), nil
}

// changedLines reads a unified diff with no context and returns, per file
// (absolute, links resolved), the lines of the new side it adds.
func changedLines(diff, top string) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	var cur map[int]bool
	sc := bufio.NewScanner(strings.NewReader(diff))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "+++ "):
			name := strings.TrimPrefix(l, "+++ ")
			cur = nil
			if name == "/dev/null" {
				continue
			}
			if unq, err := strconv.Unquote(name); err == nil {
				name = unq
			}
			name = strings.TrimPrefix(name, "b/")
			p := cleanPath(filepath.Join(top, filepath.FromSlash(name)))
			cur = out[p]
			if cur == nil {
				cur = map[int]bool{}
				out[p] = cur
			}
		case strings.HasPrefix(l, "@@ ") && cur != nil:
			// @@ -a[,b] +c[,d] @@
			f := strings.Fields(l)
			if len(f) < 3 || !strings.HasPrefix(f[2], "+") {
				continue
			}
			start, n := f[2][1:], "1"
			if i := strings.IndexByte(start, ','); i >= 0 {
				start, n = start[:i], start[i+1:]
			}
			s, err1 := strconv.Atoi(start)
			c, err2 := strconv.Atoi(n)
			if err1 != nil || err2 != nil {
				continue
			}
			for i := s; i < s+c; i++ {
				cur[i] = true
			}
		}
	}
	return out
}
