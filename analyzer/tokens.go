package analyzer

import (
	"bytes"
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
// that parse, the package-level MayHaveUses true means this one's true,
// and PortParamFuncs's names are among Params's. It does not tell files
// that do not parse apart (go list -export reports them among the
// package's errors).
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
	tok   token.Token
	lit   string
	depth int32 // of brackets around it
}

// File scans one Go source file of the package. An error says the part
// scanned token by token does not scan (an illegal character, an
// unterminated literal); what it read is kept.
//
// Once the package can hold a use and the file's imports are read, the
// rest of the file is not scanned token by token: the declarations'
// headers are found by the keyword func (each occurrence, in code or not,
// which can only add names) and scanned alone.
func (s *TokenScan) File(name string, src []byte) error {
	s.files++
	var firstErr error
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	var sc scanner.Scanner
	sc.Init(file, src, func(pos token.Position, msg string) {
		if firstErr == nil {
			firstErr = fmt.Errorf("%s: %s", pos, msg)
		}
	}, 0)
	buf := tokenBufs.Get().(*[]scanned)
	defer tokenBufs.Put(buf)
	toks := (*buf)[:0]
	depth := 0
	importing, pastImports := false, false
	lastDecl, lastDeclTok := -1, -1 // the last top-level declaration: offset, index
	cut := false                    // scanning by tokens stopped there
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON || tok == token.COMMENT {
			continue
		}
		if depth == 0 {
			switch tok {
			case token.IMPORT:
				importing = true
			case token.FUNC, token.VAR, token.CONST, token.TYPE:
				lastDecl, lastDeclTok = file.Offset(pos), len(toks)
				pastImports, importing = true, false
			}
		}
		toks = append(toks, scanned{tok, lit, int32(depth)})
		switch tok {
		case token.IDENT:
			if !s.hit && !s.seen[lit] {
				if k := classify(lit); k.port || k.addr {
					s.found()
				} else {
					if s.seen == nil {
						s.seen = map[string]bool{}
					}
					s.seen[lit] = true
				}
			}
		case token.STRING:
			if importing {
				if p, err := strconv.Unquote(lit); err == nil {
					if relevantImports[p] {
						s.found()
					}
					s.cgo = s.cgo || p == "C"
				}
				importing = depth > 0 // a grouped declaration goes on
			}
			if !s.hit && syntaxSaysPort(lit) {
				s.found()
			}
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth--; depth == 0 {
				importing = false
			}
		}
		if s.hit && pastImports {
			cut = true
			break
		}
	}
	*buf = toks[:0]
	// the headers of the top-level declarations read, and, while the
	// package may still hold no use, the names that may be called
	end := len(toks)
	if cut {
		end = lastDeclTok // it may be cut: read again below
	}
	declared := -1
	for i, t := range toks[:end] {
		switch t.tok {
		case token.FUNC:
			if t.depth == 0 {
				if n := s.funcHeader(toks[i+1:]); n >= 0 {
					declared = i + 1 + n
				}
			}
		case token.IDENT:
			// what a call's function can end in: f(, f[T](, (f)(; not
			// the name of a declaration
			if !s.hit && i+1 < len(toks) && i != declared {
				switch toks[i+1].tok {
				case token.LPAREN, token.LBRACK, token.RPAREN:
					if s.calls == nil {
						s.calls = map[string]bool{}
					}
					s.calls[t.lit] = true
				}
			}
		}
	}
	if cut {
		s.headersFrom(fset, src, lastDecl, buf)
	}
	return firstErr
}

// headersFrom reads the function and method headers of src from offset
// from on (a top-level declaration's start), each found by its keyword
// and scanned alone. On text where that would cost more than scanning
// every token (keywords in unbalanced brackets), it scans every token.
func (s *TokenScan) headersFrom(fset *token.FileSet, src []byte, from int, buf *[]scanned) {
	budget := len(src) - from
	for i := from; i < len(src); {
		k := bytes.Index(src[i:], funcKeyword)
		if k < 0 {
			return
		}
		j := i + k
		i = j + len(funcKeyword)
		if j > 0 && identByte(src[j-1]) || i < len(src) && identByte(src[i]) {
			continue
		}
		toks := scanHeader(fset, src[i:], (*buf)[:0])
		*buf = toks[:0]
		if budget -= len(toks); budget < 0 {
			s.allHeaders(fset, src[from:], buf)
			return
		}
		s.funcHeader(toks)
	}
}

// scanHeader appends to toks the tokens of src that can belong to a
// function header (src follows the keyword func): a receiver, a name,
// type parameters, parameters, and stops after the parameters or at the
// first token that cannot come next.
func scanHeader(fset *token.FileSet, src []byte, toks []scanned) []scanned {
	var sc scanner.Scanner
	sc.Init(fset.AddFile("", -1, len(src)), src, nil, 0)
	const (
		start    = iota // receiver or name next
		receiver        // receiver read: name next
		named           // type parameters or parameters next
		typed           // parameters next
	)
	phase, group, depth := start, 0, 0
	for len(toks) < maxHeaderTokens {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return toks
		}
		if tok == token.SEMICOLON || tok == token.COMMENT {
			continue
		}
		toks = append(toks, scanned{tok, lit, int32(depth)})
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			if depth == 0 {
				switch {
				case phase == start && tok == token.LPAREN:
					group = receiver
				case phase == named && tok == token.LBRACK:
					group = typed
				case (phase == named || phase == typed) && tok == token.LPAREN:
					group = -1 // parameters
				default:
					return toks
				}
			}
			depth++
			continue
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth--; depth < 0 {
				return toks
			}
			if depth == 0 {
				if group < 0 {
					return toks // parameters read
				}
				phase = group
			}
			continue
		}
		if depth == 0 {
			if tok != token.IDENT || phase != start && phase != receiver {
				return toks
			}
			phase = named
		}
	}
	return toks
}

// allHeaders reads the headers of every top-level function declaration
// of src, which begins at the top level, scanning every token.
func (s *TokenScan) allHeaders(fset *token.FileSet, src []byte, buf *[]scanned) {
	var sc scanner.Scanner
	sc.Init(fset.AddFile("", -1, len(src)), src, nil, 0)
	toks, depth := (*buf)[:0], 0
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON || tok == token.COMMENT {
			continue
		}
		toks = append(toks, scanned{tok, lit, int32(depth)})
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
	}
	*buf = toks[:0]
	for i, t := range toks {
		if t.tok == token.FUNC && t.depth == 0 {
			s.funcHeader(toks[i+1:])
		}
	}
}

var funcKeyword = []byte("func")

// maxHeaderTokens bounds a header scanned alone; the parameters of a real
// one end long before.
const maxHeaderTokens = 4096

// identByte reports whether b can be part of an identifier (any byte of a
// multi-byte character can).
func identByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b >= 0x80
}

// found records that the files can hold a use; what would have decided
// otherwise is not needed any more.
func (s *TokenScan) found() {
	s.hit, s.seen, s.calls = true, nil, nil
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

// Merge adds what o learned to s: the scans of a package's files, each
// made alone, merged, decide as one scan of them all does.
func (s *TokenScan) Merge(o *TokenScan) {
	s.files += o.files
	s.cgo = s.cgo || o.cgo
	for n := range o.params {
		if s.params == nil {
			s.params = map[string]bool{}
		}
		s.params[n] = true
	}
	if s.hit || o.hit {
		s.found()
		return
	}
	for n := range o.calls {
		if s.calls == nil {
			s.calls = map[string]bool{}
		}
		s.calls[n] = true
	}
}

// Settle drops what only scanning more files would use (the identifiers
// already classified), to keep a finished scan small.
func (s *TokenScan) Settle() { s.seen = nil }

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
