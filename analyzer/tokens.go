package analyzer

import (
	"fmt"
	"go/scanner"
	"go/token"
	"strconv"
	"sync"
)

// A TokenScan is what the prefilter learns of one package from the tokens
// of its files, without parsing them: whether the files can hold a port
// use by themselves (a relevant import, an identifier or a string literal
// that says port or address: what MayHaveUses looks for), the functions
// and methods they declare with a parameter whose name says port or
// address (what PortParamFuncs finds), and, while nothing else decides,
// the names that may be called, among which such a function would be.
//
// It is conservative against the syntax tests it stands for: for files
// that parse, MayHaveUses true means Decide true, and PortParamFuncs's
// names are among Params's. Files that do not scan say so; files that
// scan but do not parse are not told apart (go list -export reports
// them as the package's errors).
type TokenScan struct {
	hit    bool
	cgo    bool
	files  int
	seen   map[string]bool // identifiers classified, until hit
	calls  map[string]bool // identifiers that may be called, until hit
	params map[string]bool
}

// tokenBufs holds the token slices of files being scanned, for reuse.
var tokenBufs = sync.Pool{New: func() any { return new([]scanned) }}

type scanned struct {
	tok token.Token
	lit string
}

// File scans one Go source file of the package. An error says the file
// does not scan (an illegal character, an unterminated literal); what it
// read is kept.
func (s *TokenScan) File(name string, src []byte) error {
	s.files++
	var firstErr error
	fset := token.NewFileSet()
	var sc scanner.Scanner
	sc.Init(fset.AddFile(name, -1, len(src)), src, func(pos token.Position, msg string) {
		if firstErr == nil {
			firstErr = fmt.Errorf("%s: %s", pos, msg)
		}
	}, 0)
	buf := tokenBufs.Get().(*[]scanned)
	defer tokenBufs.Put(buf)
	toks := (*buf)[:0]
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON || tok == token.COMMENT {
			continue
		}
		toks = append(toks, scanned{tok, lit})
	}
	*buf = toks[:0]
	depth, declared := 0, -1
	for i, t := range toks {
		switch t.tok {
		case token.IDENT:
			if s.hit {
				break
			}
			if !s.seen[t.lit] {
				if k := classify(t.lit); k.port || k.addr {
					s.found()
					break
				}
				if s.seen == nil {
					s.seen = map[string]bool{}
				}
				s.seen[t.lit] = true
			}
			// what a call's function can end in: f(, f[T](, (f)(; not
			// the name of a declaration
			if i+1 < len(toks) && i != declared {
				switch toks[i+1].tok {
				case token.LPAREN, token.LBRACK, token.RPAREN:
					if s.calls == nil {
						s.calls = map[string]bool{}
					}
					s.calls[t.lit] = true
				}
			}
		case token.STRING:
			if !s.hit && syntaxSaysPort(t.lit) {
				s.found()
			}
		case token.IMPORT:
			if depth == 0 {
				s.imports(toks[i+1:])
			}
		case token.FUNC:
			if depth == 0 {
				if n := s.funcHeader(toks[i+1:]); n >= 0 {
					declared = i + 1 + n
				}
			}
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
	}
	return firstErr
}

// found records that the files can hold a use; what would have decided
// otherwise is not needed any more.
func (s *TokenScan) found() {
	s.hit, s.seen, s.calls = true, nil, nil
}

// imports reads the paths of an import declaration, toks following the
// keyword.
func (s *TokenScan) imports(toks []scanned) {
	grouped := len(toks) > 0 && toks[0].tok == token.LPAREN
	for _, t := range toks {
		switch t.tok {
		case token.STRING:
			if p, err := strconv.Unquote(t.lit); err == nil {
				if relevantImports[p] {
					s.found()
				}
				s.cgo = s.cgo || p == "C"
			}
			if !grouped {
				return
			}
		case token.RPAREN:
			return
		}
	}
}

// funcHeader reads the name and parameter names of a function or method
// declaration, toks following the keyword: func (recv) Name[T any](a, b
// int, port string). A parameter name is the first token of a parameter
// at the list's top level, unless a qualified type name begins there; a
// lone type name (func F(Addr)) counts too, which only widens the set.
// It returns the index of the name in toks, or -1.
func (s *TokenScan) funcHeader(toks []scanned) int {
	i := 0
	if i < len(toks) && toks[i].tok == token.LPAREN {
		i = skipBalanced(toks, i)
	}
	if i >= len(toks) || toks[i].tok != token.IDENT {
		return -1
	}
	at, name := i, toks[i].lit
	i++
	if i < len(toks) && toks[i].tok == token.LBRACK {
		i = skipBalanced(toks, i)
	}
	if i >= len(toks) || toks[i].tok != token.LPAREN {
		return at
	}
	depth, start := 0, true
	for ; i < len(toks); i++ {
		t := toks[i]
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
			start = t.tok == token.LPAREN && depth == 1
			continue
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth--; depth == 0 {
				return at
			}
		case token.COMMA:
			if depth == 1 {
				start = true
				continue
			}
		case token.IDENT:
			if depth == 1 && start && (i+1 >= len(toks) || toks[i+1].tok != token.PERIOD) {
				if k := classify(t.lit); k.port || k.addr {
					if s.params == nil {
						s.params = map[string]bool{}
					}
					s.params[name] = true
				}
			}
		}
		start = false
	}
	return at
}

// skipBalanced returns the index after the bracket that closes toks[i].
func skipBalanced(toks []scanned, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// Params adds to into the functions and methods the files declare with a
// parameter whose name says port or address.
func (s *TokenScan) Params(into map[string]bool) {
	for n := range s.params {
		into[n] = true
	}
}

// Cgo reports whether a file imports "C".
func (s *TokenScan) Cgo() bool { return s.cgo }

// Files returns how many files were scanned.
func (s *TokenScan) Files() int { return s.files }

// MayHaveUses reports whether the files can hold a port use, given the
// module's functions and methods whose parameters say port or address:
// MayHaveUses on their syntax, widened to any name followed by what can
// follow a call's function.
func (s *TokenScan) MayHaveUses(portParamFuncs map[string]bool) bool {
	if s.hit {
		return true
	}
	for n := range s.calls {
		if portParamFuncs[n] {
			return true
		}
	}
	return false
}
