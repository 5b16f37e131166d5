// Package goanalysis runs portlint's analyzer over loaded Go packages and
// turns its diagnostics into findings. The command and the language server
// share it, so that both report the same findings in the same form.
package goanalysis

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// A Result is what one analysis of some packages produced.
type Result struct {
	Findings []finding.Finding
	Uses     []*check.Use
	Errors   []string // analysis failures, one per package
	Ignored  int      // findings silenced by //portlint:ignore
}

// Run analyzes the packages with a, an analyzer built by package analyzer
// (its Result lists the port uses), and converts what it reports.
func Run(a *analysis.Analyzer, pkgs []*packages.Package) (*Result, error) {
	res := &Result{}
	graph, err := checker.Analyze([]*analysis.Analyzer{a}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	for _, act := range graph.Roots {
		if act.Err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", act.Package.PkgPath, act.Err))
			continue
		}
		r, _ := act.Result.(*analyzer.Result)
		var uses []*check.Use
		if r != nil {
			uses = r.Uses
			res.Ignored += r.Ignored
		}
		res.Uses = append(res.Uses, uses...)
		var hints map[hintKey]string
		if r != nil && len(r.Hints) > 0 {
			hints = map[hintKey]string{}
			for _, h := range r.Hints {
				hints[hintKey{h.Pos, h.Category, h.Message}] = h.Hint
			}
		}
		for _, d := range act.Diagnostics {
			f := Finding(act.Package.Fset, d, uses)
			if h, ok := hints[hintKey{d.Pos, d.Category, d.Message}]; ok && f.Hint == "" {
				f.Hint = h
			}
			res.Findings = append(res.Findings, f)
		}
	}
	return res, nil
}

type hintKey struct {
	pos      token.Pos
	category string
	message  string
}

// Finding converts an analyzer diagnostic to a finding; uses attribute it
// to the component of the use it was reported at. A remedy written into
// the message (analyzer.Options.HintInMessage) becomes the finding's Hint.
func Finding(fset *token.FileSet, d analysis.Diagnostic, uses []*check.Use) finding.Finding {
	msg, hint, _ := check.SplitDiagMessage(d.Message, d.Category)
	f := finding.Finding{
		Check:   d.Category,
		Message: msg,
		Hint:    hint,
		Pos:     Position(fset, d.Pos),
		End:     Position(fset, d.End),
	}
	if !d.End.IsValid() {
		f.End = f.Pos
	}
	if c := check.Lookup(d.Category); c != nil {
		f.Severity = c.Severity
	}
	for _, u := range uses {
		if u.Pos.File == f.Pos.File && u.Pos.Offset == f.Pos.Offset {
			f.Component = u.Component
			break
		}
	}
	for _, r := range d.Related {
		f.Related = append(f.Related, finding.Related{Pos: Position(fset, r.Pos), Message: r.Message})
	}
	for _, sf := range d.SuggestedFixes {
		fx := finding.Fix{Message: sf.Message}
		for _, te := range sf.TextEdits {
			start, end := fset.Position(te.Pos), fset.Position(te.End)
			fx.Edits = append(fx.Edits, finding.Edit{File: start.Filename, Start: start.Offset, End: end.Offset, New: string(te.NewText)})
		}
		f.Fixes = append(f.Fixes, fx)
	}
	return f
}

// Position converts a token position to a check position (byte columns).
func Position(fset *token.FileSet, p token.Pos) check.Position {
	if !p.IsValid() {
		return check.Position{}
	}
	pp := fset.Position(p)
	return check.Position{File: pp.Filename, Line: pp.Line, Column: pp.Column, Offset: pp.Offset}
}

// NewInfo returns a types.Info with the maps the analyzer reads, for a
// type check done outside go/packages (see analyzer.NewInfo).
func NewInfo() *types.Info { return analyzer.NewInfo() }
