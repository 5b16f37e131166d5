package cli

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/portlint/portlint/finding"
)

// printJSON writes one JSON object per line: the config, the findings,
// errors, and a summary (see finding.Message).
func (r *run) printJSON(w io.Writer, fs []finding.Finding, res *scanResult, ignored int) error {
	enc := json.NewEncoder(w)
	reg := "embedded"
	if r.src.Path != "" {
		reg = displayPath(r.env, r.src.Path)
	}
	var checks []string
	for name, on := range r.enabled {
		if on {
			checks = append(checks, name)
		}
	}
	sort.Strings(checks)
	if err := enc.Encode(finding.Message{Config: &finding.Config{ProtocolVersion: finding.ProtocolVersion, PortlintVersion: Version(), Registry: reg, Checks: checks}}); err != nil {
		return err
	}
	for _, f := range fs {
		f := r.relFinding(f)
		if err := enc.Encode(finding.Message{Finding: &f}); err != nil {
			return err
		}
	}
	for _, e := range res.errors {
		if err := enc.Encode(finding.Message{Error: &finding.Error{Message: r.relErr(e)}}); err != nil {
			return err
		}
	}
	for _, n := range res.notes {
		if err := enc.Encode(finding.Message{Note: &finding.Note{Message: r.relErr(n)}}); err != nil {
			return err
		}
	}
	return enc.Encode(finding.Message{Summary: &finding.Summary{Packages: res.goPkgs, Manifests: res.files, Findings: len(fs), Ignored: ignored}})
}

// relFinding makes a finding's paths relative to the working directory.
func (r *run) relFinding(f finding.Finding) finding.Finding {
	f.Pos.File = displayPath(r.env, f.Pos.File)
	f.End.File = displayPath(r.env, f.End.File)
	rel := make([]finding.Related, len(f.Related))
	for i, x := range f.Related {
		x.Pos.File = displayPath(r.env, x.Pos.File)
		rel[i] = x
	}
	f.Related = rel
	fixes := make([]finding.Fix, len(f.Fixes))
	for i, fx := range f.Fixes {
		edits := make([]finding.Edit, len(fx.Edits))
		for j, e := range fx.Edits {
			e.File = displayPath(r.env, e.File)
			edits[j] = e
		}
		fx.Edits = edits
		fixes[i] = fx
	}
	f.Fixes = fixes
	return f
}
