package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"sync"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

type reporter struct {
	pass    *analysis.Pass
	reg     *registry.Registry
	enabled check.Set
	attr    *attribution
	ignored int // findings silenced by a directive
	// hintInMessage writes remedies into messages; otherwise they are
	// collected in hints
	hintInMessage bool
	hints         []Hint
}

// diag reports a diagnostic of check name with its remedy.
func (r *reporter) diag(d analysis.Diagnostic, msg, hint, name string) {
	d.Category = name
	if r.hintInMessage {
		d.Message = check.DiagMessage(msg, hint, name)
	} else {
		d.Message = msg + " [" + name + "]"
		if hint != "" {
			r.hints = append(r.hints, Hint{Pos: d.Pos, Category: name, Message: d.Message, Hint: hint})
		}
	}
	r.pass.Report(d)
}

// An ignore is a //portlint:ignore directive and whether it matched.
type ignore struct {
	c        *ast.Comment
	line     int
	file     string
	ig       *check.Ignore
	trailing bool // after code on its line: it covers that line only
	matched  bool
}

func (r *reporter) on(name string) bool {
	if r.enabled == nil {
		return !check.Lookup(name).Off
	}
	return r.enabled[name]
}

func (r *reporter) report(uses []*use) {
	ignores := r.directives()
	checker := &check.Checker{Reg: r.reg, Enabled: r.enabled}
	all := make([]*check.Use, len(uses))
	for i, u := range uses {
		all[i] = &u.Use
	}
	for _, u := range uses {
		if u.Ref {
			continue // checked where the constant is declared
		}
		for _, res := range checker.Check(&u.Use) {
			if r.suppressed(ignores, u, res.Check) {
				r.ignored++
				continue
			}
			d := analysis.Diagnostic{
				Pos: u.pos, End: u.end,
				Related: r.related(res.Related),
			}
			msg, hint := res.Message, res.Hint
			if res.Replacement != 0 {
				// a fix that would make the component listen twice on
				// one port is not offered
				if occ := check.Occupant(&u.Use, res.Replacement, all); occ != nil {
					msg, hint = res.Message+check.OccupiedNote(u.Component, res.Replacement), check.OccupiedHint(u.Component, res.Replacement)
					d.Related = append(d.Related, analysis.RelatedInformation{Pos: uses[indexOf(all, occ)].pos, Message: fmt.Sprintf("%s listens on %d here", u.Component, res.Replacement)})
					res.Replacement = 0
				}
			}
			if res.Replacement != 0 && u.fixStart.IsValid() {
				d.SuggestedFixes = []analysis.SuggestedFix{{
					Message:   fmt.Sprintf("Replace %d with %d", u.Port, res.Replacement),
					TextEdits: []analysis.TextEdit{{Pos: u.fixStart, End: u.fixEnd, NewText: []byte(strconv.Itoa(res.Replacement))}},
				}}
			}
			r.diag(d, msg, hint, res.Check)
		}
	}
	if !r.on(check.Directive) {
		return
	}
	for _, b := range r.attr.bad {
		r.diag(analysis.Diagnostic{Pos: b.c.Pos(), End: b.c.End()}, b.msg, check.HintDirectiveMalformed, check.Directive)
	}
	for _, ig := range ignores {
		if ig.ig == nil || ig.matched {
			continue
		}
		// a directive for a disabled check could not have matched
		live := false
		for _, name := range ig.ig.Checks {
			if name == "all" || r.on(name) {
				live = true
			}
		}
		if live {
			r.diag(analysis.Diagnostic{Pos: ig.c.Pos(), End: ig.c.End()}, "portlint:ignore directive suppresses nothing; remove it", check.HintDirectiveUnused, check.Directive)
		}
	}
}

func indexOf(us []*check.Use, u *check.Use) int {
	for i := range us {
		if us[i] == u {
			return i
		}
	}
	return -1
}

// directives collects //portlint:ignore comments; malformed ones are
// reported at once.
func (r *reporter) directives() []*ignore {
	var out []*ignore
	for _, f := range r.pass.Files {
		var code map[int]token.Pos // first code position per line, computed on demand
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				text, ok := lineComment(c)
				if !ok {
					continue
				}
				ig, ok, err := check.ParseIgnore(text)
				if !ok {
					continue
				}
				p := r.pass.Fset.Position(c.Pos())
				if err != nil {
					if r.on(check.Directive) {
						r.diag(analysis.Diagnostic{Pos: c.Pos(), End: c.End()}, err.Error(), check.HintDirectiveMalformed, check.Directive)
					}
					continue
				}
				if code == nil {
					code = firstCode(r.pass.Fset, f)
				}
				first, ok := code[p.Line]
				out = append(out, &ignore{c: c, line: p.Line, file: p.Filename, ig: ig, trailing: ok && first < c.Pos()})
			}
		}
	}
	return out
}

// suppressed reports whether a directive silences the check at the use:
// one after code on the use's line, or one alone on the line above.
func (r *reporter) suppressed(igs []*ignore, u *use, name string) bool {
	for _, ig := range igs {
		if ig.file != u.Pos.File || !ig.ig.Matches(name) {
			continue
		}
		if ig.line == u.Pos.Line || (!ig.trailing && ig.line == u.Pos.Line-1) {
			ig.matched = true
			return true
		}
	}
	return false
}

// related maps registry positions into the file set, so that drivers can
// point at the registry entry behind a finding.
func (r *reporter) related(rel []registry.Related) []analysis.RelatedInformation {
	if len(rel) == 0 {
		return nil
	}
	tf := registryFile(r.pass.Fset, r.reg)
	if tf == nil {
		return nil
	}
	var out []analysis.RelatedInformation
	for _, x := range rel {
		if x.Pos.Line < 1 || x.Pos.Line > tf.LineCount() {
			continue
		}
		// registry columns count characters; the file set wants bytes
		start := tf.Offset(tf.LineStart(x.Pos.Line))
		off := start + byteColumn(r.reg.Data[start:], x.Pos.Col)
		p := tf.Pos(min(off, tf.Size()))
		out = append(out, analysis.RelatedInformation{Pos: p, End: p, Message: x.Message})
	}
	return out
}

// byteColumn returns the byte offset, in line, of the col-th character
// (1-based).
func byteColumn(line []byte, col int) int {
	off := 0
	for n := 1; n < col && off < len(line) && line[off] != '\n'; n++ {
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	return off
}

// registryFile adds the registry's text to a file set once, so that
// related positions can point into it. The table remembers the latest
// file sets only: a long-running driver (a language server, gopls) makes a
// new one per run, and an old one's entry is never asked for again.
func registryFile(fset *token.FileSet, reg *registry.Registry) *token.File {
	if reg == nil || len(reg.Data) == 0 {
		return nil
	}
	regFiles.Lock()
	defer regFiles.Unlock()
	k := regFileKey{fset, reg}
	if tf, ok := regFiles.m[k]; ok {
		return tf
	}
	tf := fset.AddFile(reg.File, -1, len(reg.Data))
	tf.SetLinesForContent(reg.Data)
	if regFiles.m == nil {
		regFiles.m = map[regFileKey]*token.File{}
	}
	if len(regFiles.order) >= maxRegFiles {
		delete(regFiles.m, regFiles.order[0])
		regFiles.order = regFiles.order[1:]
	}
	regFiles.m[k] = tf
	regFiles.order = append(regFiles.order, k)
	return tf
}

// maxRegFiles bounds the registry files remembered across file sets.
const maxRegFiles = 64

type regFileKey struct {
	fset *token.FileSet
	reg  *registry.Registry
}

var regFiles struct {
	sync.Mutex
	m     map[regFileKey]*token.File
	order []regFileKey
}

// firstCode maps each line of a file to the position of the first code on
// it (comments are not code).
func firstCode(fset *token.FileSet, f *ast.File) map[int]token.Pos {
	m := map[int]token.Pos{}
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		switch n.(type) {
		case *ast.Comment, *ast.CommentGroup:
			return false
		}
		for _, p := range []token.Pos{n.Pos(), n.End() - 1} {
			if !p.IsValid() {
				continue
			}
			line := fset.Position(p).Line
			if first, ok := m[line]; !ok || p < first {
				m[line] = p
			}
		}
		return true
	})
	return m
}
