package cli

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// The SARIF 2.1.0 objects portlint writes: only the properties it sets,
// so that no empty array or -1 placeholder stands for "not given".
type (
	sarifLogOut struct {
		Schema  string        `json:"$schema"`
		Version string        `json:"version"`
		Runs    []sarifRunOut `json:"runs"`
	}
	sarifRunOut struct {
		Tool               sarifTool                   `json:"tool"`
		OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
		Results            []sarifResult               `json:"results"`
		Invocations        []sarifInvocation           `json:"invocations,omitempty"`
	}
	// sarifInvocation says whether everything could be checked: errors
	// and notes about input left unchecked are its notifications.
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules,omitempty"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		ShortDescription     sarifMultiformat   `json:"shortDescription"`
		FullDescription      sarifMultiformat   `json:"fullDescription"`
		Help                 sarifMultiformat   `json:"help"`
		HelpURI              string             `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	}
	sarifMultiformat struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifResult struct {
		RuleID           string          `json:"ruleId"`
		RuleIndex        int             `json:"ruleIndex"`
		Level            string          `json:"level"`
		Message          sarifMessage    `json:"message"`
		Locations        []sarifLocation `json:"locations"`
		RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
		Fixes            []sarifFix      `json:"fixes,omitempty"`
		// Properties hold the remedy on its own ("hint"), for tools; the
		// message, which viewers show, carries it too.
		Properties *sarifResultProps `json:"properties,omitempty"`
	}
	sarifResultProps struct {
		Hint string `json:"hint"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifLocation struct {
		ID               *int             `json:"id,omitempty"`
		PhysicalLocation sarifPhysicalLoc `json:"physicalLocation"`
		Message          *sarifMessage    `json:"message,omitempty"`
	}
	sarifPhysicalLoc struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           *sarifRegionOut  `json:"region,omitempty"`
	}
	sarifArtifactLoc struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegionOut struct {
		StartLine   int  `json:"startLine,omitempty"`
		StartColumn int  `json:"startColumn,omitempty"`
		EndLine     int  `json:"endLine,omitempty"`
		EndColumn   int  `json:"endColumn,omitempty"`
		ByteOffset  *int `json:"byteOffset,omitempty"`
		ByteLength  *int `json:"byteLength,omitempty"`
	}
	sarifFix struct {
		Description     sarifMessage          `json:"description"`
		ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
	}
	sarifArtifactChange struct {
		ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
		Replacements     []sarifReplacement `json:"replacements"`
	}
	sarifReplacement struct {
		DeletedRegion   sarifRegionOut `json:"deletedRegion"`
		InsertedContent *sarifMessage  `json:"insertedContent,omitempty"`
	}
)

const sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// printSARIF writes a SARIF 2.1.0 log: one rule per check (with its doc),
// one result per finding with a real region, related locations, and fixes.
// URIs are relative to %SRCROOT%, the working directory; the embedded
// registry is named by its address in portlint's repository.
func (r *run) printSARIF(w io.Writer, fs []finding.Finding, res *scanResult) error {
	root := filepath.ToSlash(r.dir)
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	run := sarifRunOut{
		Tool:               sarifTool{Driver: sarifDriver{Name: "portlint", Version: Version(), InformationURI: "https://github.com/portlint/portlint"}},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{"%SRCROOT%": {URI: fileURI(root)}},
		Results:            []sarifResult{},
	}
	index := map[string]int{}
	for _, c := range check.Checks {
		if !r.enabled[c.Name] {
			continue
		}
		index[c.Name] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   c.Name,
			ShortDescription:     sarifMultiformat{Text: c.Title},
			FullDescription:      sarifMultiformat{Text: oneLine(c.Doc)},
			Help:                 sarifMultiformat{Text: oneLine(c.Doc), Markdown: c.Doc},
			HelpURI:              "https://github.com/portlint/portlint#" + c.Name,
			DefaultConfiguration: sarifConfiguration{Level: sarifLevel(c.Severity)},
		})
	}
	for _, f := range fs {
		res := sarifResult{
			RuleID:    f.Check,
			RuleIndex: index[f.Check],
			Level:     sarifLevel(f.Severity),
			Message:   sarifMessage{Text: f.Message},
			Locations: []sarifLocation{{PhysicalLocation: r.sarifLocation(f.Pos, f.End)}},
		}
		if f.Hint != "" {
			// GitHub code scanning and the SARIF viewers show the
			// message's text, not the properties
			res.Message.Text += check.HintSep + f.Hint
			res.Properties = &sarifResultProps{Hint: f.Hint}
		}
		for i, rel := range f.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: &id, PhysicalLocation: r.sarifLocation(rel.Pos, rel.Pos), Message: &sarifMessage{Text: rel.Message}})
		}
		for _, fx := range f.Fixes {
			sf := sarifFix{Description: sarifMessage{Text: fx.Message}}
			byFile := map[string]int{}
			for _, e := range fx.Edits {
				i, ok := byFile[e.File]
				if !ok {
					i = len(sf.ArtifactChanges)
					byFile[e.File] = i
					sf.ArtifactChanges = append(sf.ArtifactChanges, sarifArtifactChange{ArtifactLocation: r.artifact(e.File)})
				}
				off, n := e.Start, e.End-e.Start
				sf.ArtifactChanges[i].Replacements = append(sf.ArtifactChanges[i].Replacements, sarifReplacement{
					DeletedRegion:   sarifRegionOut{ByteOffset: &off, ByteLength: &n},
					InsertedContent: &sarifMessage{Text: e.New},
				})
			}
			res.Fixes = append(res.Fixes, sf)
		}
		run.Results = append(run.Results, res)
	}
	// what could not be checked (errors) and what was left out (notes)
	inv := sarifInvocation{ExecutionSuccessful: len(res.errors) == 0}
	for _, e := range res.errors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, r.sarifNotification("error", e))
	}
	for _, n := range res.notes {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, r.sarifNotification("note", n))
	}
	run.Invocations = []sarifInvocation{inv}
	data, err := json.MarshalIndent(sarifLogOut{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRunOut{run}}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// sarifNotification turns an error or note line, "file:line:col: message"
// or "file: message" or a bare message, into a notification with the
// location it names.
func (r *run) sarifNotification(level, text string) sarifNotification {
	n := sarifNotification{Level: level}
	file, line, col, msg := splitPositioned(text)
	n.Message = sarifMessage{Text: msg}
	if file != "" {
		loc := sarifPhysicalLoc{ArtifactLocation: r.artifact(file)}
		if line > 0 {
			loc.Region = &sarifRegionOut{StartLine: line, StartColumn: col}
		}
		n.Locations = []sarifLocation{{PhysicalLocation: loc}}
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

// fileURI is the file: URI of an absolute slash-separated path.
func fileURI(p string) string {
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// embeddedRegistryURI names the embedded plan: the flagship registry.yaml
// of portlint's repository at the version built.
func embeddedRegistryURI() string {
	ref := Version()
	if ref == "" || strings.HasPrefix(ref, "(") || strings.Contains(ref, "-0.") {
		ref = "main" // a development build: no tag to point at
	}
	return "https://github.com/portlint/portlint/blob/" + url.PathEscape(ref) + "/registry.yaml"
}

func (r *run) artifact(file string) sarifArtifactLoc {
	if file == portlint.DefaultRegistryName {
		return sarifArtifactLoc{URI: embeddedRegistryURI()}
	}
	rel := displayPath(r.env, file)
	if filepath.IsAbs(rel) {
		return sarifArtifactLoc{URI: fileURI(filepath.ToSlash(rel))}
	}
	return sarifArtifactLoc{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: "%SRCROOT%"}
}

func (r *run) sarifLocation(start, end check.Position) sarifPhysicalLoc {
	loc := sarifPhysicalLoc{ArtifactLocation: r.artifact(start.File)}
	if start.Line > 0 {
		reg := &sarifRegionOut{StartLine: start.Line, StartColumn: start.Column}
		if end.Line > 0 {
			reg.EndLine, reg.EndColumn = end.Line, end.Column
		}
		loc.Region = reg
	}
	return loc
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
