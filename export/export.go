// Package export turns a port plan into what operators and customers need:
// the firewall list of each kind of node (markdown, CSV), firewall rules
// that open exactly those ports (firewalld services, an nftables ruleset,
// an iptables-restore file), the normalized plan as JSON, a self-contained
// HTML port map, and a markdown review of what changed between two
// versions of a plan.
//
// Every function here is pure: a *registry.Registry and options in, text
// written to an io.Writer out. Nothing here knows about flags or files.
package export

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

// Formats lists the formats Write accepts, in the order the help shows them.
var Formats = []string{"markdown", "csv", "firewalld", "nftables", "iptables", "json", "html"}

// Options selects what an export covers and how.
type Options struct {
	// Group, when set, keeps only this group.
	Group *registry.Group
	// Planes, when set, keeps only the node that runs these planes: one
	// plane is that plane's node; several planes of one group are a node
	// that runs them all (the all-in-one node when they are all the
	// group's planes).
	Planes []*registry.Plane
	// Component, when set, keeps only this component's ports.
	Component *registry.Component
	// All lists loopback-bound ports too, marked internal. Firewall rules
	// still never open them.
	All bool
	// Source names the registry in the output ("registry.yaml").
	Source string
	// Inventory is the port uses found in code and manifests (portlint
	// ports -json), overlaid on the HTML map.
	Inventory []finding.Record
}

// Write writes reg in the named format. The firewalld format writes one
// service per node role, so Write accepts it only when the options select
// exactly one role; use Firewalld for the others.
func Write(w io.Writer, reg *registry.Registry, format string, opts Options) error {
	switch format {
	case "markdown", "md":
		return Markdown(w, reg, opts)
	case "csv":
		return CSV(w, reg, opts)
	case "json":
		return JSON(w, reg, opts)
	case "nftables", "nft":
		return Nftables(w, reg, opts)
	case "iptables":
		return Iptables(w, reg, opts)
	case "html":
		return HTML(w, reg, opts)
	case "firewalld":
		roles, err := Roles(reg, opts)
		if err != nil {
			return err
		}
		if len(roles) != 1 {
			return &OneRoleError{Roles: roles}
		}
		return FirewalldService(w, reg, roles[0], opts)
	}
	return fmt.Errorf("unknown format %q; formats: %s", format, strings.Join(Formats, ", "))
}

// A OneRoleError says that an output holds one node role but the options
// select several.
type OneRoleError struct {
	Roles []*Role
}

func (e *OneRoleError) Error() string {
	var ids []string
	for _, r := range e.Roles {
		ids = append(ids, r.Name)
	}
	return fmt.Sprintf("a firewalld service covers one node role, and %d are selected (%s)", len(e.Roles), strings.Join(ids, ", "))
}

// portText writes a port or span the way firewalls and the plan's prose
// write ranges: "20000" or "28960-28965".
func portText(p *registry.Port) string { return p.Span.Dash() }

// sortedPorts returns ps ordered by port, then by component file order.
func sortedPorts(ps []*Opening) []*Opening {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Port, ps[j].Port
		if a.Span.Lo != b.Span.Lo {
			return a.Span.Lo < b.Span.Lo
		}
		return a.Span.Hi < b.Span.Hi
	})
	return ps
}

func planeNames(ps []*registry.Plane) []string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name)
	}
	return s
}

func hasPlane(ps []*registry.Plane, p *registry.Plane) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
