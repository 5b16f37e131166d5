package check

import (
	"fmt"

	"github.com/portlint/portlint/registry"
)

// registryHints are the remedies of the registry's own diagnostics (see
// registry.Rules) where the diagnostic's place says enough.
var registryHints = map[string]string{
	"yaml":                "fix the YAML at the position given",
	"unknown-key":         "correct or remove the key",
	"wrong-type":          "write the value in the form docs/registry.md gives",
	"missing-key":         "add the key",
	"bad-value":           "write the interval as \"[a, b)\" or \"[a, b]\", ports as 1-65535, binds as any, an IP, localhost or $VAR",
	"bad-name":            "keep to letters, digits, _ - and .",
	"duplicate-name":      "rename one of the two",
	"unknown-ref":         "define what it names, or correct the reference",
	"range-overlap":       "shrink one range, or nest it with within:",
	"range-outside-pool":  "shrink the range into the pool, or widen the pool",
	"within-mismatch":     "make the parent contain the range, in the same group",
	"unallocated-overlap": "shrink the unallocated range to the ports still to be planned",
	"split-gap":           "give the left-over ports to a plane's sub-range, or note them",
	"written-as":          "make the span and writtenAs agree, or drop writtenAs",
	"pool-reserved":       "move the pool or the allowed extras off the reserved ports",
	"pending-port":        "settle the port and drop pending:",
}

// RegistryHint is the remedy of a diagnostic about the plan itself. For a
// diagnostic on one of a component's ports, it names the next free port
// of the component's ranges; reg may be nil (a load error).
func RegistryHint(reg *registry.Registry, d registry.Diagnostic) string {
	if reg != nil {
		if c, p := portAt(reg, d.Pos); p != nil {
			if h := portHint(reg, c, p, d.Rule); h != "" {
				return h
			}
		}
	}
	if h, ok := registryHints[d.Rule]; ok {
		return h
	}
	return "see the rule in the README's registry checks"
}

func portHint(reg *registry.Registry, c *registry.Component, p *registry.Port, rule string) string {
	move := ""
	if n, r := NextFree(reg, c); r != nil {
		move = fmt.Sprintf("move %s %s to %d, the next free port of %s", c.Name, p.Span.Dash(), n, r.Name)
	}
	switch rule {
	case "port-conflict", "reserved-port":
		if move != "" {
			return move
		}
		return fmt.Sprintf("give %s a range with free ports and move the port there", c.Name)
	case "outside-ranges", "outside-pool", "in-unallocated":
		if move != "" {
			return move + `, or say why it stays with exception:`
		}
		return `move the port into the component's ranges, or say why it stays with exception:`
	case "retired-reused":
		if move != "" {
			return move + `, or add reuses: naming the old owner if the reassignment is deliberate`
		}
		return `add reuses: naming the old owner if the reassignment is deliberate`
	}
	return ""
}

// portAt returns the assignment written at pos.
func portAt(reg *registry.Registry, pos registry.Pos) (*registry.Component, *registry.Port) {
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			if p.Pos == pos {
				return c, p
			}
		}
	}
	return nil, nil
}
