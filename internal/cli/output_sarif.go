package cli

import (
	"encoding/json"
	"net/url"
	"path/filepath"
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
func (r *run) printSARIF(fs []finding.Finding) error {
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
	data, err := json.MarshalIndent(sarifLogOut{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRunOut{run}}, "", "  ")
	if err != nil {
		return err
	}
	_, err = r.env.Stdout.Write(append(data, '\n'))
	return err
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
