package manifest

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

// A Directive is a "# portlint:ignore check[,check] reason" comment. On a
// line of its own it silences the next line that is not a comment; after a
// value, its own line.
type Directive struct {
	Pos, End check.Position // the "portlint:ignore" text to the end of the line
	Line     int            // the line whose findings it silences
	Ignore   *check.Ignore  // nil when malformed
	Err      error          // why it is malformed
	used     bool
}

const ignoreText = "portlint:ignore"

// parseDirectives finds the directives in the comments of the file.
func parseDirectives(src *source) []*Directive {
	if !bytes.Contains(src.data, []byte(ignoreText)) {
		return nil
	}
	var out []*Directive
	var pending []*Directive // full-line directives waiting for their line
	for line := 1; line <= len(src.lines); line++ {
		st, en := src.lineStart(line), src.lineEnd(line)
		l := src.data[st:en]
		trimmed := bytes.TrimSpace(l)
		if len(trimmed) == 0 {
			continue
		}
		i := bytes.Index(l, []byte(ignoreText))
		hash := -1
		if i >= 0 {
			hash = bytes.LastIndexByte(l[:i], '#')
		}
		isDirective := hash >= 0 && len(bytes.TrimSpace(l[hash+1:i])) == 0 && (hash == 0 || l[hash-1] == ' ' || l[hash-1] == '\t')
		if trimmed[0] != '#' {
			for _, d := range pending {
				d.Line = line
			}
			pending = nil
		}
		if !isDirective {
			continue
		}
		ig, ok, err := check.ParseIgnore(string(l[hash+1:]))
		if !ok {
			continue
		}
		d := &Directive{Pos: src.pos(st + i), End: src.pos(en), Ignore: ig, Err: err, Line: line}
		if len(bytes.TrimSpace(l[:hash])) == 0 {
			d.Line = 0 // a comment line: it applies to the next line of content
			pending = append(pending, d)
		}
		out = append(out, d)
	}
	return out
}

// Check runs the shared checks on every use of the file and returns the
// findings in file order. Findings that a directive silences are kept with
// Ignored set. Malformed directives, and directives that silence nothing,
// are findings of the check "directive". A retired port's finding carries a
// fix that replaces the port's digits (quoting and surroundings stay).
func Check(f *File, c *check.Checker) []finding.Finding {
	var out []finding.Finding
	// One report per check and message on a line: "5775:5775/udp" names
	// the retired port twice, as the published and the container port;
	// the one finding fixes both.
	type key struct {
		file       string
		line       int
		check, msg string
	}
	seen := map[key]int{}
	for _, u := range f.Uses {
		if f.named[u] {
			continue // its number is checked where it is declared
		}
		for _, r := range c.Check(u) {
			fd := finding.Finding{
				Check:     r.Check,
				Severity:  severity(r.Check),
				Message:   r.Message,
				Hint:      r.Hint,
				Pos:       u.Pos,
				End:       u.End,
				Component: u.Component,
				Related:   related(r.Related),
			}
			if r.Replacement != 0 && u.PortEnd == 0 && r.Replacement != u.Port && !f.unfixable[u] {
				repl := strconv.Itoa(r.Replacement)
				fd.Fixes = []finding.Fix{{
					Message: fmt.Sprintf("Replace %d with %s", u.Port, repl),
					Edits:   []finding.Edit{{File: u.Pos.File, Start: u.Pos.Offset, End: u.End.Offset, New: repl}},
				}}
				if e, ok := f.lists[u]; ok && e.listed(r.Replacement) {
					// the list already holds the replacement: drop the entry
					fd.Fixes = []finding.Fix{{
						Message: fmt.Sprintf("Remove the entry of %d: %s is already listed", u.Port, repl),
						Edits:   []finding.Edit{{File: f.Path, Start: e.start, End: e.end, New: ""}},
					}}
				}
			}
			k := key{fd.Pos.File, fd.Pos.Line, fd.Check, fd.Message}
			if i, ok := seen[k]; ok {
				prev := &out[i]
				if len(prev.Fixes) == 1 && len(fd.Fixes) == 1 && prev.Fixes[0].Message == fd.Fixes[0].Message && prev.Fixes[0].Edits[0].Start != fd.Fixes[0].Edits[0].Start {
					prev.Fixes[0].Edits = append(prev.Fixes[0].Edits, fd.Fixes[0].Edits...)
				}
				continue
			}
			seen[k] = len(out)
			out = append(out, fd)
		}
	}
	for i := range out {
		f.Suppress(&out[i])
	}
	for _, d := range f.Directives {
		switch {
		case d.Err != nil:
			out = append(out, directiveFinding(d, d.Err.Error(), check.HintDirectiveMalformed))
		case !d.used && judgeable(d.Ignore, c):
			out = append(out, directiveFinding(d, "portlint:ignore directive suppresses nothing; remove it", check.HintDirectiveUnused))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pos.Offset < out[j].Pos.Offset })
	return out
}

// Suppress marks the finding ignored when a directive of the file silences
// it, and reports whether one did. The whole-tree checks (duplicate) use it
// after Check.
func (f *File) Suppress(fd *finding.Finding) bool {
	for _, d := range f.Directives {
		if d.Ignore != nil && d.Line == fd.Pos.Line && d.Pos.File == fd.Pos.File && d.Ignore.Matches(fd.Check) {
			d.used = true
			fd.Ignored = true
			return true
		}
	}
	return false
}

// judgeable reports whether Check alone can tell that a directive is
// unused: every check it names is enabled and runs per use (not over the
// whole tree).
func judgeable(ig *check.Ignore, c *check.Checker) bool {
	enabled := c.Enabled
	if enabled == nil {
		enabled = check.DefaultSet()
	}
	for _, n := range ig.Checks {
		ch := check.Lookup(n)
		if n == "all" || ch == nil || ch.Tree || !enabled[n] {
			return false
		}
	}
	return true
}

func directiveFinding(d *Directive, msg, hint string) finding.Finding {
	return finding.Finding{Check: check.Directive, Severity: severity(check.Directive), Message: msg, Hint: hint, Pos: d.Pos, End: d.End}
}

func severity(name string) check.Severity {
	if c := check.Lookup(name); c != nil {
		return c.Severity
	}
	return check.Warning
}

func related(rs []registry.Related) []finding.Related {
	var out []finding.Related
	for _, r := range rs {
		out = append(out, finding.Related{
			Pos:     check.Position{File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Col},
			Message: r.Message,
		})
	}
	return out
}

// ApplyFixes applies the fixes of the findings that are not ignored to the
// file's bytes. Overlapping and repeated edits are applied once.
func ApplyFixes(data []byte, fs []finding.Finding) []byte {
	var edits []finding.Edit
	for _, fd := range fs {
		if fd.Ignored {
			continue
		}
		for _, fx := range fd.Fixes {
			edits = append(edits, fx.Edits...)
		}
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	var b bytes.Buffer
	at := 0
	for _, e := range edits {
		if e.Start < at || e.End > len(data) || e.Start > e.End {
			continue // overlaps one already applied
		}
		b.Write(data[at:e.Start])
		b.WriteString(e.New)
		at = e.End
	}
	b.Write(data[at:])
	return b.Bytes()
}
