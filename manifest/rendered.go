package manifest

import (
	"github.com/portlint/portlint/check"
)

// An Origin maps a place in rendered text back to the source it came
// from: at is the rendered position of a port's digits (or of a fact), and
// digits the text there. It returns where those bytes come from (a values
// file's scalar, a template's literal, or the template expression that
// computed them) and whether the origin spells exactly those digits, so
// that a fix may replace them there.
type Origin func(at check.Position, digits string) (pos, end check.Position, literal bool)

// ScanRendered scans the output of a template engine (a Helm chart
// rendered with its values) like any manifest, then moves every use, note
// and wiring fact to its origin. path names the rendered stream in
// errors; directives are those of the origin files (ParseDirectives), which
// apply to findings at their lines. A use whose origin is not a literal
// gets no fix: the template computes its number.
func ScanRendered(path string, data []byte, opts Options, origin Origin, directives []*Directive) (*File, error) {
	f, err := Scan(path, data, opts)
	if f == nil {
		return nil, err
	}
	text := string(data)
	digits := func(p, e check.Position) string {
		if p.Offset >= 0 && e.Offset <= len(text) && p.Offset <= e.Offset {
			return text[p.Offset:e.Offset]
		}
		return ""
	}
	move := func(p, e *check.Position) bool {
		np, ne, lit := origin(*p, digits(*p, *e))
		*p, *e = np, ne
		return lit
	}
	for _, u := range f.Uses {
		if !move(&u.Pos, &u.End) {
			if f.unfixable == nil {
				f.unfixable = map[*check.Use]bool{}
			}
			f.unfixable[u] = true
		}
	}
	f.lists = nil // list items are the rendered text's, not the sources'
	for i := range f.Notes {
		n := &f.Notes[i]
		e := n.Pos
		move(&n.Pos, &e)
	}
	for _, p := range f.Pods {
		e := p.Pos
		move(&p.Pos, &e)
		for _, c := range p.Containers {
			for i := range c.Ports {
				move(&c.Ports[i].Pos, &c.Ports[i].End)
			}
			for i := range c.Probes {
				move(&c.Probes[i].Pos, &c.Probes[i].End)
			}
			for n, at := range c.Served {
				e := at
				move(&at, &e)
				c.Served[n] = at
			}
		}
	}
	for _, sv := range f.Services {
		e := sv.Pos
		move(&sv.Pos, &e)
		for i := range sv.Ports {
			move(&sv.Ports[i].Pos, &sv.Ports[i].End)
		}
	}
	f.Directives = directives
	var perr *Error
	if err != nil {
		if e, ok := err.(*Error); ok {
			ne := e.Pos
			move(&e.Pos, &ne)
			perr = e
		}
		return f, perr
	}
	return f, nil
}

// ParseDirectives returns the "# portlint:ignore" directives of a file.
func ParseDirectives(path string, data []byte) []*Directive {
	return parseDirectives(newSource(path, data))
}

// Unfixable reports whether the use's number is computed by a template
// expression (ScanRendered): no edit of a source replaces it.
func (f *File) Unfixable(u *check.Use) bool { return f.unfixable[u] }
