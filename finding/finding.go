// Package finding defines what portlint reports, as data: positioned
// findings with their fixes, and inventory records of port uses. The JSON
// forms of these types are portlint's documented output (-json and
// ports -json); ProtocolVersion changes when they change incompatibly.
package finding

import (
	"github.com/portlint/portlint/check"
)

// ProtocolVersion is the version of the JSON output.
const ProtocolVersion = "1"

// A Finding is one problem at one place.
type Finding struct {
	// Check is the check's name (conflict, retired, ...).
	Check string `json:"check"`
	// Severity is error, warning or note (after configured overrides).
	Severity check.Severity `json:"severity"`
	// Message states the fact and the plan's view, lowercase, no period.
	Message string `json:"message"`
	// Hint is the short remedy: what to change, in the code or the plan
	// (portlint help CHECK is the long form). Every finding has one.
	Hint string `json:"hint,omitempty"`
	// Pos is where the port value starts; End is just after it.
	Pos check.Position `json:"pos"`
	End check.Position `json:"end"`
	// Component is the component the use was attributed to, if any.
	Component string `json:"component,omitempty"`
	// Related points at the registry entries or other uses behind the verdict.
	Related []Related `json:"related,omitempty"`
	// Fixes are suggested edits; applying one resolves the finding.
	Fixes []Fix `json:"fixes,omitempty"`
	// Ignored is set when a portlint:ignore directive matched; ignored
	// findings are counted but not printed.
	Ignored bool `json:"ignored,omitempty"`
}

// A Related position with a short explanation.
type Related struct {
	Pos     check.Position `json:"pos"`
	Message string         `json:"message"`
	// Kind is RelatedUse for a use of the port constant the finding is
	// at, "" for a registry entry or another use behind the verdict.
	Kind string `json:"kind,omitempty"`
}

// RelatedUse is the Kind of a related position that uses the constant a
// finding is reported at: the constant's violation is reported once, at
// its declaration, and its uses are listed with it.
const RelatedUse = "use"

// A Fix is a set of edits with a description ("Replace 8099 with 20000").
type Fix struct {
	Message string `json:"message"`
	Edits   []Edit `json:"edits"`
}

// An Edit replaces the bytes [Start, End) of File with New.
type Edit struct {
	File  string `json:"file"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	New   string `json:"new"`
}

// InventoryVersion is the version of the inventory format (portlint
// ports -json) that Record writes: every record carries it, and the reader
// (registry export -inventory) refuses another. It changes when a field of
// Record changes meaning or disappears.
const InventoryVersion = 1

// A Record is one port use in the inventory (portlint ports -json writes
// one per line).
type Record struct {
	// Version is the inventory format version, InventoryVersion when written.
	Version   int    `json:"version"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Port      int    `json:"port"`
	PortEnd   int    `json:"port_end,omitempty"` // last port of a run
	Proto     string `json:"proto"`
	Bind      string `json:"bind"` // any, 127.0.0.1, an address, $VAR, or "" when the source names none
	Role      string `json:"role"` // listen, dial, default, expose
	Component string `json:"component,omitempty"`
	Via       string `json:"via,omitempty"` // how the component was found
	Source    string `json:"source"`        // how the use was found: net.Listen, k8s containerPort, ...
	// Checked is set when the record says what portlint's checks found at
	// the use (portlint ports writes it): Findings then lists them, and
	// none means the use agrees with the plan. The port map shows exactly
	// these, so that it agrees with portlint.
	Checked  bool            `json:"checked,omitempty"`
	Findings []RecordFinding `json:"findings,omitempty"`
}

// A RecordFinding is a finding reported at an inventory record's use.
type RecordFinding struct {
	Check    string         `json:"check"`
	Severity check.Severity `json:"severity"`
	Message  string         `json:"message"`
}

// RecordOf converts a use to its inventory record.
func RecordOf(u *check.Use) Record {
	r := Record{
		Version: InventoryVersion,
		File:    u.Pos.File, Line: u.Pos.Line, Column: u.Pos.Column,
		Port: u.Port, Proto: string(u.Proto), Role: string(u.Role),
		Component: u.Component, Via: u.Via, Source: u.Source,
	}
	if u.PortEnd > u.Port {
		r.PortEnd = u.PortEnd
	}
	if r.Proto == "" {
		r.Proto = "tcp"
	}
	if u.BindKnown {
		r.Bind = u.Bind.String()
	}
	return r
}
