package lsp

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/portlint/portlint/finding"
)

// codeAction offers the suggested fixes of the findings in the range (the
// replacement of a retired port) as quick fixes, and all of a file's fixes
// as source.fixAll.portlint.
func (s *Server) codeAction(ctx context.Context, params json.RawMessage) (any, error) {
	var p CodeActionParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	path, err := uriPath(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	_, _, kind, ok := s.doc(path)
	if !ok {
		return []CodeAction{}, nil
	}
	var (
		snap     *snapshot
		findings []finding.Finding
		diags    []Diagnostic
	)
	switch kind {
	case kindGo:
		res, sn := s.goResultFor(ctx, path)
		if res == nil || !res.analyzed {
			return []CodeAction{}, nil
		}
		snap, findings = sn, res.findings[path]
		diags = s.findingDiagnostics(findings, snap.text, res.proj.reg, res.proj.severity)
	case kindManifest:
		res := s.yamlResultFor(ctx, path)
		if res == nil {
			return []CodeAction{}, nil
		}
		snap, findings = res.snap, res.findings
		diags = s.findingDiagnostics(findings, snap.text, res.reg, nil)
	default:
		return []CodeAction{}, nil
	}
	var visible []finding.Finding // in step with diags
	for _, f := range findings {
		if !f.Ignored {
			visible = append(visible, f)
		}
	}
	wantQuick, wantAll := wanted(p.Context.Only)
	actions := []CodeAction{}
	var all []TextEdit
	for i, f := range visible {
		for _, fx := range f.Fixes {
			edits := textEdits(fx, path, snap.text)
			if len(edits) == 0 {
				continue
			}
			all = append(all, edits...)
			if !wantQuick || !overlaps(diags[i].Range, p.Range) {
				continue
			}
			actions = append(actions, CodeAction{
				Title:       fx.Message,
				Kind:        QuickFix,
				Diagnostics: []Diagnostic{diags[i]},
				IsPreferred: true,
				Edit:        &WorkspaceEdit{Changes: map[string][]TextEdit{p.TextDocument.URI: edits}},
			})
		}
	}
	if wantAll && len(all) > 0 {
		actions = append(actions, CodeAction{
			Title: "Apply every portlint fix in the file",
			Kind:  sourceFixAllP,
			Edit:  &WorkspaceEdit{Changes: map[string][]TextEdit{p.TextDocument.URI: dedupeEdits(all)}},
		})
	}
	return actions, nil
}

// wanted reads the context's "only": quick fixes unless only other kinds
// are asked for; fix-all only when asked for.
func wanted(only []string) (quick, all bool) {
	if len(only) == 0 {
		return true, false
	}
	for _, k := range only {
		if k == QuickFix || strings.HasPrefix(k, QuickFix+".") {
			quick = true
		}
		if k == "source" || k == SourceFixAll || k == sourceFixAllP {
			all = true
		}
	}
	return quick, all
}

// textEdits converts a fix's byte-offset edits of the file to text edits.
func textEdits(fx finding.Fix, path string, t *text) []TextEdit {
	var out []TextEdit
	for _, e := range fx.Edits {
		if e.File != path || e.Start > e.End || e.End > len(t.data) {
			return nil // a fix that reaches into another file, or out of date
		}
		out = append(out, TextEdit{Range: t.rangeOf(e.Start, e.End), NewText: e.New})
	}
	return out
}

// dedupeEdits drops repeated and overlapping edits, keeping the first.
func dedupeEdits(es []TextEdit) []TextEdit {
	slices.SortStableFunc(es, func(a, b TextEdit) int { return comparePos(a.Range.Start, b.Range.Start) })
	var out []TextEdit
	for _, e := range es {
		if n := len(out); n > 0 && comparePos(e.Range.Start, out[n-1].Range.End) < 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1] == e {
			continue
		}
		out = append(out, e)
	}
	return out
}

func comparePos(a, b Position) int {
	if a.Line != b.Line {
		return a.Line - b.Line
	}
	return a.Character - b.Character
}

// overlaps reports whether two ranges share a position; an empty range
// (a cursor) touches a range it lies in or at either end of.
func overlaps(a, b Range) bool {
	return comparePos(a.Start, b.End) <= 0 && comparePos(b.Start, a.End) <= 0
}
