package registry

import (
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a diagnostic about the registry itself.
type Severity int

// The severities.
const (
	SevError Severity = iota
	SevWarning
	SevInfo
)

func (s Severity) String() string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	}
	return "info"
}

// A Diagnostic is one problem in a registry file: a load error (the file
// cannot be turned into a plan) or a validation finding (the plan has a gap
// or a contradiction).
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Rule     string // kebab-case name, see Rules
	Message  string
	Related  []Related
}

// A Related position points at the other half of a problem, such as the
// first of two assignments of one port.
type Related struct {
	Pos     Pos
	Message string
}

// String formats the diagnostic like a compiler:
// "registry.yaml:12:7: error: message [rule]".
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s [%s]", d.Pos, d.Severity, d.Message, d.Rule)
}

// An ErrorList is the set of load errors of a registry file. It is returned
// as the error of Parse and Load when the file cannot be used.
type ErrorList []Diagnostic

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Pos.String())
		b.WriteString(": ")
		b.WriteString(d.Message)
		b.WriteString(" [")
		b.WriteString(d.Rule)
		b.WriteString("]")
	}
	return b.String()
}

// A Rule describes one kind of registry diagnostic.
type Rule struct {
	Name     string
	Severity Severity
	Load     bool // a load error: the file cannot be used at all
	Doc      string
}

// Rules lists every registry diagnostic, load errors first. It is the single
// source for `portlint registry check` help and the README.
var Rules = []Rule{
	{"yaml", SevError, true, "the file is not YAML, is empty, or nests or aliases beyond the limits"},
	{"unknown-key", SevError, true, "a key the format does not define (often a typo; the message suggests the nearest key)"},
	{"wrong-type", SevError, true, "a value of the wrong type, such as a list where a port number belongs"},
	{"missing-key", SevError, true, "a required key is absent (a component without a group, a port without a number)"},
	{"bad-value", SevError, true, "a malformed interval, bind address, protocol or version, or a port outside 1–65535"},
	{"bad-name", SevError, true, "a group, plane, range, component or alias whose name holds other than letters, digits, _ - . (names go into firewall rules and one-line messages)"},
	{"duplicate-name", SevError, true, "two groups, planes, ranges, components or aliases share a name"},
	{"unknown-ref", SevError, true, "a reference to a group, plane, range, component or $VARIABLE that is not defined"},
	{"range-overlap", SevError, false, "two allocated ranges of a group overlap without one containing the other"},
	{"range-outside-pool", SevError, false, "a range reaches outside its group's pool"},
	{"within-mismatch", SevError, false, "a range declares a parent with 'within' that does not contain it, or a different group"},
	{"port-conflict", SevError, false, "a port is assigned twice in one group with the same protocol and overlapping bind addresses"},
	{"outside-ranges", SevError, false, "a port lies outside its component's ranges and outside the group's allowed extras, with no 'exception' saying why"},
	{"outside-pool", SevError, false, "a port lies outside its group's pool and allowed extras, with no 'exception' saying why"},
	{"in-unallocated", SevError, false, "a port is assigned inside a range marked unallocated, with no 'exception' saying why"},
	{"reserved-port", SevError, false, "a port is assigned that the customer's platform reserves"},
	{"retired-reused", SevError, false, "a live assignment takes a retired port without 'reuses' naming the old owner"},
	{"pending-port", SevWarning, false, "a component keeps a port the plan has not settled ('pending'), reported with where it lies"},
	{"unallocated-overlap", SevWarning, false, "a range marked unallocated overlaps ranges that are allocated"},
	{"split-gap", SevWarning, false, "a range split by plane into sub-ranges leaves ports that belong to no plane"},
	{"written-as", SevWarning, false, "the source plan writes a range two ways ('writtenAs') that disagree with its span"},
	{"pool-reserved", SevWarning, false, "a group's pool or allowed extras contain ports the customer's platform reserves"},
}

var ruleByName = func() map[string]*Rule {
	m := make(map[string]*Rule, len(Rules))
	for i := range Rules {
		m[Rules[i].Name] = &Rules[i]
	}
	return m
}()

// LookupRule returns the rule with the given name, or nil.
func LookupRule(name string) *Rule { return ruleByName[name] }

// sortDiagnostics orders by position, then rule, then message.
func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// suggest returns the candidate closest to s (by edit distance, ignoring
// case), if it is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, min(3, len(s)/3))
	if bestD <= limit {
		return best
	}
	return ""
}

func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// editDistance counts the insertions, deletions, substitutions and swaps of
// adjacent characters that turn a into b (optimal string alignment), so
// that "prots" is one edit from "ports".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
