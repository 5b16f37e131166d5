package registry

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MinPort and MaxPort bound every port the registry accepts.
const (
	MinPort = 1
	MaxPort = 65535
)

// An Interval is a closed span of ports [Lo, Hi]. A single port has Lo == Hi.
// The registry file writes intervals in the plan's own notation; Interval
// keeps them normalised to inclusive bounds.
type Interval struct {
	Lo, Hi int
}

// Single returns the interval holding only port p.
func Single(p int) Interval { return Interval{p, p} }

// Contains reports whether p lies in the interval.
func (iv Interval) Contains(p int) bool { return iv.Lo <= p && p <= iv.Hi }

// ContainsInterval reports whether o lies entirely inside iv.
func (iv Interval) ContainsInterval(o Interval) bool { return iv.Lo <= o.Lo && o.Hi <= iv.Hi }

// Overlaps reports whether the two intervals share a port.
func (iv Interval) Overlaps(o Interval) bool { return iv.Lo <= o.Hi && o.Lo <= iv.Hi }

// Intersect returns the shared part and whether there is one.
func (iv Interval) Intersect(o Interval) (Interval, bool) {
	r := Interval{max(iv.Lo, o.Lo), min(iv.Hi, o.Hi)}
	return r, r.Lo <= r.Hi
}

// Len is the number of ports in the interval.
func (iv Interval) Len() int { return iv.Hi - iv.Lo + 1 }

// IsSingle reports whether the interval is one port.
func (iv Interval) IsSingle() bool { return iv.Lo == iv.Hi }

// String writes the interval in the plan's notation: a single port as a
// number, otherwise half-open "[lo, hi+1)" when that stays within port
// numbers, else closed "[lo, hi]".
func (iv Interval) String() string {
	if iv.IsSingle() {
		return strconv.Itoa(iv.Lo)
	}
	if iv.Hi < MaxPort {
		return fmt.Sprintf("[%d, %d)", iv.Lo, iv.Hi+1)
	}
	return fmt.Sprintf("[%d, %d]", iv.Lo, iv.Hi)
}

// Dash writes the interval as "lo-hi" (or "lo"), the form firewalls use.
func (iv Interval) Dash() string {
	if iv.IsSingle() {
		return strconv.Itoa(iv.Lo)
	}
	return fmt.Sprintf("%d-%d", iv.Lo, iv.Hi)
}

// A SyntaxError is a problem inside a value string; Offset is the byte
// offset within the string where the problem starts.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

// ParseInterval parses the notations a port plan uses:
//
//	20000            a single port
//	[20000, 20100)   half-open: 20000..20099
//	[28960, 28965]   closed: 28960..28965
//	(a, b] (a, b)    open on the left
//	28960-28965      closed, as plans write it in prose
//
// Every bound must lie in 1–65535 and the interval must not be empty.
func ParseInterval(s string) (Interval, error) {
	p := &ivParser{s: s}
	iv, err := p.parse()
	if err != nil {
		return Interval{}, err
	}
	return iv, nil
}

type ivParser struct {
	s string
	i int
}

func (p *ivParser) errf(at int, format string, args ...any) error {
	return &SyntaxError{Offset: at, Msg: fmt.Sprintf(format, args...)}
}

func (p *ivParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *ivParser) number() (int, int, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if start == p.i {
		if p.i >= len(p.s) {
			return 0, start, p.errf(start, "interval %q: missing a port number at the end", p.s)
		}
		return 0, start, p.errf(start, "interval %q: expected a port number at %q", p.s, p.s[start:])
	}
	digits := p.s[start:p.i]
	if len(digits) > 6 {
		return 0, start, p.errf(start, "interval %q: port %s is outside 1–65535", p.s, digits)
	}
	n, _ := strconv.Atoi(digits)
	return n, start, nil
}

func (p *ivParser) checkPort(n, at int) error {
	if n < MinPort || n > MaxPort {
		return p.errf(at, "interval %q: port %d is outside 1–65535", p.s, n)
	}
	return nil
}

func (p *ivParser) parse() (Interval, error) {
	p.space()
	if p.i >= len(p.s) {
		return Interval{}, p.errf(0, "empty interval: write a port, \"[a, b)\" or \"[a, b]\"")
	}
	open := p.s[p.i]
	if open != '[' && open != '(' {
		// "N" or "N-M"
		lo, at, err := p.number()
		if err != nil {
			return Interval{}, err
		}
		hi, hiAt := lo, at
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '-' {
			p.i++
			if hi, hiAt, err = p.number(); err != nil {
				return Interval{}, err
			}
		}
		p.space()
		if p.i != len(p.s) {
			return Interval{}, p.errf(p.i, "interval %q: unexpected %q; write a port, \"a-b\", \"[a, b)\" or \"[a, b]\"", p.s, p.s[p.i:])
		}
		if err := p.checkPort(lo, at); err != nil {
			return Interval{}, err
		}
		if err := p.checkPort(hi, hiAt); err != nil {
			return Interval{}, err
		}
		if hi < lo {
			return Interval{}, p.errf(at, "interval %q is empty: %d-%d runs backwards", p.s, lo, hi)
		}
		return Interval{lo, hi}, nil
	}
	p.i++
	lo, loAt, err := p.number()
	if err != nil {
		return Interval{}, err
	}
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != ',' && p.s[p.i] != '-') {
		return Interval{}, p.errf(p.i, "interval %q: expected \",\" between the bounds", p.s)
	}
	p.i++
	hi, hiAt, err := p.number()
	if err != nil {
		return Interval{}, err
	}
	p.space()
	if p.i >= len(p.s) {
		return Interval{}, p.errf(p.i, "interval %q: missing closing \")\" or \"]\"", p.s)
	}
	closeCh := p.s[p.i]
	if closeCh != ')' && closeCh != ']' {
		r, _ := utf8.DecodeRuneInString(p.s[p.i:])
		return Interval{}, p.errf(p.i, "interval %q: expected \")\" or \"]\", found %q", p.s, r)
	}
	p.i++
	p.space()
	if p.i != len(p.s) {
		return Interval{}, p.errf(p.i, "interval %q: unexpected %q after the closing bracket", p.s, p.s[p.i:])
	}
	if closeCh == ')' {
		hi--
	}
	if open == '(' {
		lo++
	}
	if err := p.checkPort(lo, loAt); err != nil {
		return Interval{}, err
	}
	// A half-open upper bound may be one past the last port: [65000, 65536).
	if hi > MaxPort || hi < MinPort-1 {
		return Interval{}, p.errf(hiAt, "interval %q: port %d is outside 1–65535", p.s, hi)
	}
	if hi < lo {
		return Interval{}, p.errf(loAt, "interval %q is empty", p.s)
	}
	return Interval{lo, hi}, nil
}
