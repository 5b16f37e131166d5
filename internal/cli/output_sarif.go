package cli

import (
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// printSARIF writes a SARIF 2.1.0 log: one rule per check (with its doc),
// one result per finding with a real region, related locations, and fixes.
// URIs are relative to %SRCROOT%, the working directory.
func (r *run) printSARIF(fs []finding.Finding) error {
	report := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("portlint", "https://github.com/portlint/portlint")
	run.Tool.Driver.WithVersion(Version())
	root := filepath.ToSlash(r.dir)
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	run.WithOriginalUriBaseIds(map[string]sarif.ArtifactLocation{"%SRCROOT%": *sarif.NewArtifactLocation().WithURI("file://" + root)})
	for _, c := range check.Checks {
		if !r.enabled[c.Name] {
			continue
		}
		run.AddRule(c.Name).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(c.Title)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(oneLine(c.Doc))).
			WithHelp(sarif.NewMultiformatMessageString().WithText(oneLine(c.Doc)).WithMarkdown(c.Doc)).
			WithHelpURI("https://github.com/portlint/portlint#" + c.Name).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(c.Severity)))
	}
	for _, f := range fs {
		res := run.CreateResultForRule(f.Check).
			WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(f.Message)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(r.sarifLocation(f.Pos, f.End)))
		for _, rel := range f.Related {
			res.AddRelatedLocation(sarif.NewLocationWithPhysicalLocation(r.sarifLocation(rel.Pos, rel.Pos)).WithMessage(sarif.NewTextMessage(rel.Message)))
		}
		for _, fx := range f.Fixes {
			sf := sarif.NewFix().WithDescription(sarif.NewTextMessage(fx.Message))
			byFile := map[string]*sarif.ArtifactChange{}
			var order []string
			for _, e := range fx.Edits {
				ac, ok := byFile[e.File]
				if !ok {
					ac = sarif.NewArtifactChange().WithArtifactLocation(r.artifact(e.File))
					byFile[e.File] = ac
					order = append(order, e.File)
				}
				ac.AddReplacement(sarif.NewReplacement().WithDeletedRegion(sarif.NewRegion().WithByteOffset(e.Start).WithByteLength(e.End - e.Start)).WithInsertedContent(sarif.NewArtifactContent().WithText(e.New)))
			}
			for _, file := range order {
				sf.AddArtifactChange(byFile[file])
			}
			res.AddFixe(sf)
		}
	}
	report.AddRun(run)
	return report.PrettyWrite(r.env.Stdout)
}

func (r *run) artifact(file string) *sarif.ArtifactLocation {
	rel := displayPath(r.env, file)
	if filepath.IsAbs(rel) {
		return sarif.NewArtifactLocation().WithURI("file://" + filepath.ToSlash(rel))
	}
	return sarif.NewArtifactLocation().WithURI(filepath.ToSlash(rel)).WithURIBaseID("%SRCROOT%")
}

func (r *run) sarifLocation(start, end check.Position) *sarif.PhysicalLocation {
	region := sarif.NewRegion().WithStartLine(start.Line).WithStartColumn(start.Column)
	if end.Line > 0 {
		region.WithEndLine(end.Line).WithEndColumn(end.Column)
	}
	return sarif.NewPhysicalLocation().WithArtifactLocation(r.artifact(start.File)).WithRegion(region)
}

func sarifLevel(s check.Severity) string {
	switch s {
	case check.Error:
		return "error"
	case check.Warning:
		return "warning"
	}
	return "note"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
