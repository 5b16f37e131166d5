package registry

import (
	"fmt"
	"net/netip"
	"strings"
)

// BindKind says what sort of address a component binds.
type BindKind uint8

// The kinds of bind address.
const (
	BindAny      BindKind = iota // every address: 0.0.0.0, ::, or an empty host
	BindLoopback                 // 127.0.0.1, ::1, localhost
	BindIP                       // one literal address
	BindVar                      // a named address such as $VIP, known only at install time
	BindHost                     // a host name other than localhost, as written in code
	// BindVaries is a plan's "varies": the address depends on the
	// environment (a flag, the pod's network, an install option). It
	// overlaps every address, as any does, and no bind is wider than it.
	BindVaries
)

// Varies is the bind the plan writes "varies".
var Varies = Bind{Kind: BindVaries}

// A Bind is the address part of a listener. The zero Bind is BindAny.
type Bind struct {
	Kind  BindKind
	Value string // the canonical IP, the variable name without "$", or the host name
}

// Any is the bind address that overlaps every other.
var Any = Bind{Kind: BindAny}

// Loopback is 127.0.0.1 and its spellings.
var Loopback = Bind{Kind: BindLoopback}

// ParseBind parses a registry bind address: "any", "0.0.0.0", "::", "*" or
// "" (all addresses), "localhost", "127.0.0.1" or "::1" (loopback), another
// literal IP, a variable "$NAME" (also written "${NAME}"), or "varies" (it
// depends on the environment).
func ParseBind(s string) (Bind, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "", "any", "*", "0.0.0.0", "::", "[::]":
		return Any, nil
	case "localhost", "loopback":
		return Loopback, nil
	case "varies":
		return Varies, nil
	}
	if strings.HasPrefix(t, "$") {
		name := t[1:]
		if strings.HasPrefix(name, "{") && strings.HasSuffix(name, "}") {
			name = name[1 : len(name)-1]
		}
		if !isIdent(name) {
			return Bind{}, &SyntaxError{Msg: fmt.Sprintf("bind %q: a variable is \"$\" followed by letters, digits or \"_\"", s)}
		}
		return Bind{Kind: BindVar, Value: name}, nil
	}
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(t, "["), "]"))
	if err != nil {
		return Bind{}, &SyntaxError{Msg: fmt.Sprintf("bind %q: want any, localhost, an IP address, a $VARIABLE or varies", s)}
	}
	return bindFromAddr(addr), nil
}

// HostBind classifies the host part of an address found in code or a
// manifest. Unlike ParseBind it accepts host names (BindHost) and never fails.
func HostBind(host string) Bind {
	h := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(host), "["), "]")
	switch strings.ToLower(h) {
	case "", "*", "0.0.0.0", "::":
		return Any
	case "localhost", "ip6-localhost":
		return Loopback
	}
	if strings.HasPrefix(h, "$") {
		if b, err := ParseBind(h); err == nil {
			return b
		}
	}
	if addr, err := netip.ParseAddr(h); err == nil {
		return bindFromAddr(addr)
	}
	return Bind{Kind: BindHost, Value: strings.ToLower(h)}
}

func bindFromAddr(addr netip.Addr) Bind {
	addr = addr.Unmap()
	switch {
	case addr.IsUnspecified():
		return Any
	case addr == netip.MustParseAddr("127.0.0.1") || addr == netip.IPv6Loopback():
		return Loopback
	}
	return Bind{Kind: BindIP, Value: addr.String()}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// Overlaps reports whether two listeners on the same port would collide:
// any and varies overlap everything; otherwise the addresses must be the same.
// Distinct literal addresses, distinct variables, and a variable against a
// literal address do not overlap.
func (b Bind) Overlaps(o Bind) bool {
	if b.Kind == BindAny || o.Kind == BindAny || b.Kind == BindVaries || o.Kind == BindVaries {
		return true
	}
	return b == o
}

// Wider reports whether b exposes more than o: any is wider than every
// specific address, and a non-loopback address is wider than loopback.
func (b Bind) Wider(o Bind) bool {
	if b == o || b.Kind == BindVaries || o.Kind == BindVaries {
		return false // what varies is neither narrower nor wider than a bind
	}
	if b.Kind == BindAny {
		return true
	}
	return o.Kind == BindLoopback && b.Kind != BindLoopback
}

// String writes the bind as the registry spells it: any, 127.0.0.1, an IP
// or $NAME.
func (b Bind) String() string {
	switch b.Kind {
	case BindAny:
		return "any"
	case BindLoopback:
		return "127.0.0.1"
	case BindVar:
		return "$" + b.Value
	case BindVaries:
		return "varies"
	}
	return b.Value
}

// IsLoopback reports whether only the local host can reach the bind.
func (b Bind) IsLoopback() bool { return b.Kind == BindLoopback }
