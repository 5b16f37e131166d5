package lsp

import (
	"os"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

// source names portlint in diagnostics.
const source = "portlint"

func severityOf(s check.Severity) DiagnosticSeverity {
	switch s {
	case check.Error:
		return SeverityError
	case check.Note:
		return SeverityInformation
	}
	return SeverityWarning
}

func registrySeverity(s registry.Severity) DiagnosticSeverity {
	switch s {
	case registry.SevError:
		return SeverityError
	case registry.SevWarning:
		return SeverityWarning
	}
	return SeverityInformation
}

// findingDiagnostics converts the findings of one file, whose content was
// t, to diagnostics. reg is the registry the findings were checked
// against: related information that points into it is placed with its
// text. Ignored findings are left out; sev overrides severities.
func (s *Server) findingDiagnostics(fs []finding.Finding, t *text, reg *registry.Registry, sev map[string]check.Severity) []Diagnostic {
	out := []Diagnostic{}
	for _, f := range fs {
		if f.Ignored {
			continue
		}
		severity := f.Severity
		if o, ok := sev[f.Check]; ok {
			severity = o
		}
		d := Diagnostic{
			Range:    t.rangeOf(f.Pos.Offset, f.End.Offset),
			Severity: severityOf(severity),
			Code:     f.Check,
			Source:   source,
			Message:  f.Message,
		}
		if f.Hint != "" {
			// the remedy on a line of its own under the message
			d.Message += "\nhint: " + f.Hint
		}
		for _, r := range f.Related {
			if loc, ok := s.relatedLocation(r.Pos, reg); ok {
				d.RelatedInformation = append(d.RelatedInformation, DiagnosticRelatedInformation{Location: loc, Message: r.Message})
			}
		}
		out = append(out, d)
	}
	return out
}

// relatedLocation places a related position. Positions in the registry
// count columns in characters, as its YAML parser does, and are placed in
// the text the registry was parsed from; others count bytes and are placed
// in the file's current content. A position in no file on disk (the
// embedded default plan) has no location.
func (s *Server) relatedLocation(p check.Position, reg *registry.Registry) (Location, bool) {
	if p.File == "" || p.Line < 1 {
		return Location{}, false
	}
	if reg != nil && p.File == reg.File && reg.Data != nil {
		if _, err := os.Stat(p.File); err != nil {
			return Location{}, false
		}
		t := newText(reg.Data)
		off := t.lineCol(p.Line, p.Column, true)
		return Location{URI: pathURI(p.File), Range: t.rangeOf(off, tokenEnd(reg.Data, off))}, true
	}
	data, _, _, err := s.read(p.File)
	if err != nil {
		return Location{}, false
	}
	t := newText(data)
	off := p.Offset
	if off == 0 {
		off = t.lineCol(p.Line, p.Column, false)
	}
	return Location{URI: pathURI(p.File), Range: t.rangeOf(off, tokenEnd(data, off))}, true
}

// registryDiagnostic converts a diagnostic about the plan itself, with its
// remedy under the message; t is the text it was parsed from, reg the plan
// (nil for a load error).
func registryDiagnostic(reg *registry.Registry, d registry.Diagnostic, t *text) Diagnostic {
	off := t.lineCol(d.Pos.Line, d.Pos.Col, true)
	out := Diagnostic{
		Range:    t.rangeOf(off, tokenEnd(t.data, off)),
		Severity: registrySeverity(d.Severity),
		Code:     d.Rule,
		Source:   source,
		Message:  d.Message + "\nhint: " + check.RegistryHint(reg, d),
	}
	for _, r := range d.Related {
		if r.Pos.Line < 1 || r.Pos.File != d.Pos.File {
			continue
		}
		roff := t.lineCol(r.Pos.Line, r.Pos.Col, true)
		out.RelatedInformation = append(out.RelatedInformation, DiagnosticRelatedInformation{
			Location: Location{URI: pathURI(r.Pos.File), Range: t.rangeOf(roff, tokenEnd(t.data, roff))},
			Message:  r.Message,
		})
	}
	return out
}

// tokenEnd returns the end of the YAML or Go token at off: a quoted string
// with its quotes, else the run of characters up to a space, a separator
// or the end of the line.
func tokenEnd(data []byte, off int) int {
	if off >= len(data) {
		return off
	}
	if q := data[off]; q == '"' || q == '\'' {
		for i := off + 1; i < len(data) && data[i] != '\n'; i++ {
			if data[i] == '\\' && q == '"' {
				i++
				continue
			}
			if data[i] == q {
				return i + 1
			}
		}
	}
	i := off
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', ']', '}', '#', ')', ';':
			return i
		case ':':
			if i+1 >= len(data) || data[i+1] == ' ' || data[i+1] == '\n' {
				return i
			}
		}
		i++
	}
	return i
}
