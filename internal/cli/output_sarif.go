package cli

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// printSARIF writes a SARIF 2.1.0 log: one rule per check (with its doc),
// one result per finding with a real region, related locations, and fixes.
// URIs are relative to %SRCROOT%, the working directory.
func (r *run) printSARIF(fs []finding.Finding, res *scanResult) error {
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
	// what could not be checked (errors) and what was left out (notes)
	inv := sarif.NewInvocation().WithExecutionSuccessful(len(res.errors) == 0)
	for _, e := range res.errors {
		inv.AddToolExecutionNotification(r.sarifNotification("error", e))
	}
	for _, n := range res.notes {
		inv.AddToolExecutionNotification(r.sarifNotification("note", n))
	}
	run.Invocations = append(run.Invocations, inv)
	report.AddRun(run)
	return report.PrettyWrite(r.env.Stdout)
}

// sarifNotification turns an error or note line, "file:line:col: message"
// or "file: message" or a bare message, into a notification with the
// location it names.
func (r *run) sarifNotification(level, text string) *sarif.Notification {
	n := sarif.NewNotification().WithLevel(level)
	file, line, col, msg := splitPositioned(text)
	n.WithMessage(sarif.NewTextMessage(msg))
	if file != "" {
		loc := sarif.NewPhysicalLocation().WithArtifactLocation(r.artifact(file))
		if line > 0 {
			region := sarif.NewRegion().WithStartLine(line)
			if col > 0 {
				region.WithStartColumn(col)
			}
			loc.WithRegion(region)
		}
		n.AddLocation(sarif.NewLocationWithPhysicalLocation(loc))
	}
	return n
}

// splitPositioned splits "file:line:col: message", "file:line: message"
// or "file: message" (a file that exists, or a path) into its parts; a
// message without a position comes back whole.
func splitPositioned(text string) (file string, line, col int, msg string) {
	parts := strings.SplitN(text, ": ", 2)
	if len(parts) != 2 {
		return "", 0, 0, text
	}
	head := strings.Split(parts[0], ":")
	nums := []int{}
	for len(head) > 1 {
		n, err := strconv.Atoi(head[len(head)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		head = head[:len(head)-1]
	}
	file = strings.Join(head, ":")
	if file == "" || strings.ContainsAny(file, " \t") || !strings.ContainsAny(file, "./") {
		return "", 0, 0, text
	}
	if len(nums) > 0 {
		line = nums[0]
	}
	if len(nums) > 1 {
		col = nums[1]
	}
	return file, line, col, parts[1]
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
