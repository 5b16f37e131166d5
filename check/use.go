// Package check decides what is wrong with a port use. It is the one place
// that knows what a conflict, a foreign range or a resurrected retired port
// is: the Go analyzer and the manifest scanners find Uses, and this package
// turns each Use and the registry into Results.
package check

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/portlint/portlint/registry"
)

// Role says what a use does with its port.
type Role string

// The roles.
const (
	Listen  Role = "listen"  // the code or manifest accepts connections on the port
	Dial    Role = "dial"    // it connects to the port
	Default Role = "default" // a configuration default: a flag, a struct tag, a constant
	Expose  Role = "expose"  // a manifest publishes the port (Service, compose ports)
	// Configure: the port is written into another component's
	// configuration (a control plane filling in its sidecar's bootstrap).
	// The use belongs to the configured component and is checked as its
	// port, but nothing listens at the place that writes it.
	Configure Role = "configure"
	// Match: a packet-filter rule matches traffic to the port (iptables
	// --dport, nftables dport). It claims nothing.
	Match Role = "match"
	// Redirect: a packet-filter rule redirects traffic to the port
	// (--to-ports 15001). The target must be a port of the component the
	// rule belongs to; nothing listens at the rule itself.
	Redirect Role = "redirect"
)

// Serves reports whether the role claims the port for the component (as
// opposed to connecting to someone else's or matching traffic to it).
func (r Role) Serves() bool { return r != Dial && r != Match }

// Listens reports whether the role puts a listener on the port where the
// use is: what two components cannot both do on one host.
func (r Role) Listens() bool { return r == Listen || r == Default }

// A Position is a place in a source file. Line and Column are 1-based;
// Column counts bytes. Offset is the 0-based byte offset.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Offset int    `json:"offset"`
}

// Before reports whether p comes before q: by file, then line, then
// column.
func (p Position) Before(q Position) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Column < q.Column
}

func (p Position) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// A Use is one port occurrence: where it is, which port (or run of ports),
// what it does with it, on which address, for which component, and how it
// was found.
type Use struct {
	Pos, End Position

	Port    int // the port; 0 means "any free port" and is never checked
	PortEnd int // the last port of a run ("28960-28965"); 0 for a single port

	Proto     registry.Proto
	Bind      registry.Bind
	BindKnown bool // whether the source states the address (":80" does: any)
	// HostComputed is set when the source gives an address whose host is
	// computed at run time (net.JoinHostPort(vip, "28952")): the bind is
	// unknown, not "all addresses" as for a bare port number.
	HostComputed bool

	Role      Role
	Component string // the component it belongs to, "" when unknown
	Via       string // how the component was found: directive, package, binary, glob, label, name
	Source    string // how the use was found: "net.Listen", "flag.Int", "k8s containerPort"

	// Private is set for a port inside a container's own network
	// namespace (a compose service's container port, bridge networking):
	// with no component of the plan running there, it takes nothing on
	// the host and is not checked against the pools or reservations.
	Private bool

	// Main is set for a use in Go package main: the program of its
	// directory, which no other program links.
	Main bool

	// Ref marks a use of a port constant declared in another package of
	// the module: the declaration is checked, the use only listed (it is
	// in the inventory, not checked again, and no duplicate listener).
	Ref bool

	// Const is the package-level port constant ("import/path.Name") that
	// the use declares (the use at its value) or, with Ref, refers to:
	// the uses of a constant are the related positions of a finding at
	// its declaration.
	Const string

	// Names are the names around the use: the constant, variable, field,
	// flag or key holding it, the host it points at, the container or
	// service it belongs to. They tell a reference to another component's
	// port ("webserverPort" in data_dam's code) from a claim on it.
	Names []string
}

// Last returns the last port of the use.
func (u *Use) Last() int {
	if u.PortEnd > u.Port {
		return u.PortEnd
	}
	return u.Port
}

// Span returns the ports of the use as an interval.
func (u *Use) Span() registry.Interval { return registry.Interval{Lo: u.Port, Hi: u.Last()} }

// Occupant returns a use by which u's component already serves port (it
// listens there, or a default, manifest or published port claims it) on
// an address where u's listener would collide, or nil. Moving u to port
// would make the component listen twice on it: "address already in use"
// at start. Uses of u's own port are not occupants (they move with it or
// already share it), nor is u itself. A use whose address is not known is
// taken to collide. The other listener must be in the same process: for
// Go code, Go code of the component (in any of its packages, except two
// main packages in different directories, which are two programs); for a
// manifest, the same file (another Pod on the port is no collision, and a
// manifest may already declare the port the code is moving to).
func Occupant(u *Use, port int, uses []*Use) *Use {
	if u.Component == "" || !u.Role.Serves() {
		return nil
	}
	inGo := strings.HasSuffix(u.Pos.File, ".go")
	for _, o := range uses {
		if o == u || o.Component != u.Component || !o.Role.Serves() {
			continue
		}
		if inGo && !strings.HasSuffix(o.Pos.File, ".go") || !inGo && o.Pos.File != u.Pos.File {
			continue
		}
		if u.Main && o.Main && filepath.Dir(u.Pos.File) != filepath.Dir(o.Pos.File) {
			continue
		}
		if o.Pos.File == u.Pos.File && o.Pos.Offset == u.Pos.Offset {
			continue
		}
		if port < o.Port || port > o.Last() || (u.Port >= o.Port && u.Port <= o.Last()) {
			continue
		}
		if !tcpIfUnset(u.Proto).Matches(tcpIfUnset(o.Proto)) {
			continue
		}
		if u.BindKnown && o.BindKnown && !u.Bind.Overlaps(o.Bind) {
			continue
		}
		return o
	}
	return nil
}

func tcpIfUnset(p registry.Proto) registry.Proto {
	if p == registry.ProtoAny {
		return registry.TCP
	}
	return p
}

// OccupiedNote is what a retired port's finding adds when its fix is
// withheld because the replacement is occupied (see Occupant).
func OccupiedNote(component string, port int) string {
	return fmt.Sprintf("; no fix: %s already listens on %d, and a second listener there fails with \"address already in use\"", component, port)
}
