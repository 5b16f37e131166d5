package check

import (
	"fmt"
	"strings"
)

// IgnorePrefix introduces a suppression directive: in Go
// "//portlint:ignore check[,check] reason", in YAML
// "# portlint:ignore check[,check] reason".
const IgnorePrefix = "portlint:ignore"

// An Ignore is a parsed suppression directive.
type Ignore struct {
	Checks []string // check names; "all" silences every check
	Reason string
}

// Matches reports whether the directive silences the named check.
func (ig *Ignore) Matches(check string) bool {
	for _, c := range ig.Checks {
		if c == check || c == "all" {
			return true
		}
	}
	return false
}

// ParseIgnore parses the text of a comment (without "//" or "#"). ok is
// false when the comment is not a portlint:ignore directive at all; err is
// set when it is one but malformed (no checks, an unknown check, no reason).
func ParseIgnore(comment string) (ig *Ignore, ok bool, err error) {
	text := strings.TrimSpace(comment)
	if !strings.HasPrefix(text, IgnorePrefix) {
		return nil, false, nil
	}
	rest := text[len(IgnorePrefix):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return nil, false, nil // "portlint:ignored" or similar prose
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil, true, fmt.Errorf("portlint:ignore needs the checks to silence and a reason, e.g. \"portlint:ignore retired kept until 2.0\"")
	}
	names, perr := ParseList(fields[0])
	if perr != nil {
		return nil, true, fmt.Errorf("portlint:ignore: %v", perr)
	}
	if len(names) == 0 {
		return nil, true, fmt.Errorf("portlint:ignore names no check")
	}
	if len(fields) < 2 {
		return nil, true, fmt.Errorf("portlint:ignore %s has no reason; say why the finding is acceptable", fields[0])
	}
	return &Ignore{Checks: names, Reason: strings.Join(fields[1:], " ")}, true, nil
}

// ComponentPrefix introduces a directive that names the component of a Go
// file or package: "//portlint:component webserver".
const ComponentPrefix = "portlint:component"

// ParseComponent parses a portlint:component directive. ok is false when
// the comment is not one.
func ParseComponent(comment string) (name string, ok bool, err error) {
	text := strings.TrimSpace(comment)
	if !strings.HasPrefix(text, ComponentPrefix) {
		return "", false, nil
	}
	fields := strings.Fields(text[len(ComponentPrefix):])
	if len(fields) != 1 {
		return "", true, fmt.Errorf("portlint:component takes exactly one component name")
	}
	return fields[0], true, nil
}
