package analyzer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// A portVal is a port resolved from an expression, with where its digits
// are written when they are written literally in the package.
type portVal struct {
	port   int
	digits token.Pos // first digit; NoPos when not written literally here
	end    token.Pos // after the last digit
	// lits are the literals the value was read from, so that a literal is
	// reported once even when several contexts reach it.
	lits []*ast.BasicLit
	via  *types.Const // the named constant it came through, if any
}

func (p portVal) literal() bool { return p.digits.IsValid() }

// An addrVal is an address resolved from an expression.
type addrVal struct {
	portVal
	host      string // as written; contains unknownHost where computed
	hostKnown bool
	url       bool
	path      string // a URL's text after host:port, when known
}

// A segment is a piece of a string built at run time: known text, or an
// unknown part, or the decimal form of a port.
type segment struct {
	text    string
	unknown bool
	port    *portVal // the text is this port's decimal form
	lit     *ast.BasicLit
}

// resolver turns expressions into ports and addresses.
type resolver struct {
	pass   *analysis.Pass
	consts map[*types.Const]ast.Expr // const declarations of this package (iota-free)
	single map[*types.Var]ast.Expr   // variables assigned exactly once, by a constant-looking expression
	depth  int
}

func newResolver(pass *analysis.Pass) *resolver {
	r := &resolver{pass: pass, consts: map[*types.Const]ast.Expr{}, single: map[*types.Var]ast.Expr{}}
	assigned := map[*types.Var]int{}
	var inits []struct {
		v *types.Var
		e ast.Expr
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GenDecl:
				for _, s := range n.Specs {
					vs, ok := s.(*ast.ValueSpec)
					if !ok {
						continue
					}
					for i, name := range vs.Names {
						obj := pass.TypesInfo.Defs[name]
						switch obj := obj.(type) {
						case *types.Const:
							if i < len(vs.Values) {
								r.consts[obj] = vs.Values[i]
							}
						case *types.Var:
							if i < len(vs.Values) && len(vs.Values) == len(vs.Names) {
								inits = append(inits, struct {
									v *types.Var
									e ast.Expr
								}{obj, vs.Values[i]})
								assigned[obj]++
							}
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					id, ok := ast.Unparen(lhs).(*ast.Ident)
					if !ok {
						continue
					}
					v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var)
					if !ok {
						continue
					}
					assigned[v]++
					if (n.Tok == token.DEFINE || n.Tok == token.ASSIGN) && len(n.Lhs) == len(n.Rhs) {
						inits = append(inits, struct {
							v *types.Var
							e ast.Expr
						}{v, n.Rhs[i]})
					}
				}
			case *ast.IncDecStmt:
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
					if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
						assigned[v] += 2
					}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
						if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
							assigned[v] += 2 // address taken: anything may write it
						}
					}
				}
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
							assigned[v] += 2
						}
					}
				}
			}
			return true
		})
	}
	for _, in := range inits {
		if assigned[in.v] == 1 {
			r.single[in.v] = in.e
		}
	}
	return r
}

func (r *resolver) info() *types.Info { return r.pass.TypesInfo }

// constValue returns the constant value of e, if go/types folded one.
func (r *resolver) constValue(e ast.Expr) constant.Value {
	if tv, ok := r.info().Types[e]; ok && tv.Value != nil {
		return tv.Value
	}
	return nil
}

// locate finds where the digits of port p are written inside lit, whose
// value (for strings, unquoted) holds them at byte offset valOff.
func locateInLit(lit *ast.BasicLit, valOff, n int) (token.Pos, token.Pos, bool) {
	src := lit.Value
	if lit.Kind == token.INT {
		if valOff == 0 && n == len(src) {
			return lit.Pos(), lit.End(), true
		}
		return token.NoPos, token.NoPos, false
	}
	if lit.Kind != token.STRING || len(src) < 2 {
		return token.NoPos, token.NoPos, false
	}
	body := src[1 : len(src)-1]
	if src[0] == '`' || !strings.Contains(body[:min(valOff, len(body))], `\`) {
		if valOff+n <= len(body) {
			return lit.Pos() + token.Pos(1+valOff), lit.Pos() + token.Pos(1+valOff+n), true
		}
	}
	return token.NoPos, token.NoPos, false
}

// port resolves an expression that denotes a port: an integer, a string of
// digits, strconv.Itoa(P), intstr.FromInt(P), a conversion, a named
// constant or a variable assigned once.
func (r *resolver) port(e ast.Expr) (portVal, bool) {
	if r.depth > 16 {
		return portVal{}, false
	}
	r.depth++
	defer func() { r.depth-- }()
	e = ast.Unparen(e)
	if v := r.constValue(e); v != nil {
		n, ok := constPort(v)
		if !ok {
			return portVal{}, false
		}
		pv := portVal{port: n}
		r.placeConst(e, &pv, strconv.Itoa(n))
		return pv, true
	}
	switch e := e.(type) {
	case *ast.CallExpr:
		if len(e.Args) == 1 && r.isConversion(e) {
			return r.port(e.Args[0])
		}
		switch calleeName(r.info(), e) {
		case "strconv.Itoa", "fmt.Sprint", "k8s.io/apimachinery/pkg/util/intstr.FromInt", "k8s.io/apimachinery/pkg/util/intstr.FromInt32",
			// a pointer to the port: ptr.To(int32(6443)), pointer.Int32(6443)
			"k8s.io/utils/ptr.To", "k8s.io/utils/pointer.Int32", "k8s.io/utils/pointer.Int32Ptr", "k8s.io/utils/pointer.Int",
			"k8s.io/utils/pointer.IntPtr", "k8s.io/utils/pointer.Int64", "k8s.io/utils/pointer.Int64Ptr":
			if len(e.Args) == 1 {
				return r.port(e.Args[0])
			}
		case "strconv.FormatInt", "strconv.FormatUint":
			if len(e.Args) == 2 {
				if b := r.constValue(e.Args[1]); b != nil && b.String() == "10" {
					return r.port(e.Args[0])
				}
			}
		case "fmt.Sprintf":
			if len(e.Args) == 2 {
				if f := r.constValue(e.Args[0]); f != nil && f.Kind() == constant.String && (constant.StringVal(f) == "%d" || constant.StringVal(f) == "%v") {
					return r.port(e.Args[1])
				}
			}
		case "k8s.io/apimachinery/pkg/util/intstr.FromString":
			if len(e.Args) == 1 {
				return r.port(e.Args[0])
			}
		case "cmp.Or":
			// cmp.Or(os.Getenv("PORT"), "8080"): the constant is the default
			for i := len(e.Args) - 1; i >= 0; i-- {
				if r.constValue(e.Args[i]) != nil {
					return r.port(e.Args[i])
				}
			}
		}
	case *ast.Ident:
		if v, ok := r.info().ObjectOf(e).(*types.Var); ok {
			if init, ok := r.single[v]; ok {
				return r.port(init)
			}
		}
	}
	return portVal{}, false
}

func constPort(v constant.Value) (int, bool) {
	switch v.Kind() {
	case constant.Int:
		n, ok := constant.Int64Val(v)
		if !ok || n < 1 || n > 65535 {
			return 0, false
		}
		return int(n), true
	case constant.String:
		n, ok := parsePortString(constant.StringVal(v))
		if !ok || n < 1 || n > 65535 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// placeConst records where the digits text of a constant expression are
// written: in a literal of the expression, or at the declaration of the
// named constant it refers to (when declared in this package).
func (r *resolver) placeConst(e ast.Expr, pv *portVal, digits string) {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.BasicLit:
		val := x.Value
		if x.Kind == token.STRING {
			if s, err := strconv.Unquote(x.Value); err == nil {
				val = s
			}
		}
		if i := strings.LastIndex(val, digits); i >= 0 && (x.Kind == token.STRING || val == digits) {
			if p, end, ok := locateInLit(x, i, len(digits)); ok {
				pv.digits, pv.end = p, end
				pv.lits = append(pv.lits, x)
			}
		}
		return
	case *ast.Ident, *ast.SelectorExpr:
		var id *ast.Ident
		if s, ok := x.(*ast.SelectorExpr); ok {
			id = s.Sel
		} else {
			id = x.(*ast.Ident)
		}
		c, ok := r.info().ObjectOf(id).(*types.Const)
		if !ok {
			return
		}
		if v := c.Val(); v.Kind() == constant.Int && v.ExactString() != digits {
			return // base + 1: the constant's digits are not the port's
		}
		if pv.via == nil {
			pv.via = c // the outermost named constant
		}
		if decl, ok := r.consts[c]; ok && r.depth < 16 {
			r.depth++
			r.placeConst(decl, pv, digits)
			r.depth--
		}
		return
	case *ast.CallExpr:
		if len(x.Args) == 1 && r.isConversion(x) {
			r.placeConst(x.Args[0], pv, digits)
		}
		return
	case *ast.BinaryExpr:
		// "host:" + "8080": the digits are in one operand
		r.placeConst(x.Y, pv, digits)
		if !pv.literal() {
			r.placeConst(x.X, pv, digits)
		}
	}
}

func (r *resolver) isConversion(call *ast.CallExpr) bool {
	tv, ok := r.info().Types[call.Fun]
	return ok && tv.IsType()
}

// segments resolves a string expression into known and unknown pieces:
// constants, "a" + b, fmt.Sprintf with constant format, net.JoinHostPort,
// strconv.Itoa of a port, variables assigned once.
func (r *resolver) segments(e ast.Expr) []segment {
	if r.depth > 16 {
		return []segment{{unknown: true}}
	}
	r.depth++
	defer func() { r.depth-- }()
	e = ast.Unparen(e)
	if v := r.constValue(e); v != nil {
		if v.Kind() != constant.String {
			if v.Kind() == constant.Int {
				if pv, ok := r.port(e); ok {
					return []segment{{text: strconv.Itoa(pv.port), port: &pv}}
				}
				return []segment{{text: v.ExactString()}}
			}
			return []segment{{unknown: true}}
		}
		s := constant.StringVal(v)
		seg := segment{text: s}
		switch x := e.(type) {
		case *ast.BasicLit:
			seg.lit = x
		case *ast.Ident, *ast.SelectorExpr:
			// a named string constant of this package: resolve its
			// declaration, keeping the positions of its literals
			if decl := r.constDecl(x); decl != nil {
				return r.segments(decl)
			}
		case *ast.BinaryExpr:
			// fold to pieces to keep literal positions
			left, right := r.segments(x.X), r.segments(x.Y)
			if x.Op == token.ADD {
				return append(left, right...)
			}
		}
		return []segment{seg}
	}
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return append(r.segments(x.X), r.segments(x.Y)...)
		}
	case *ast.CallExpr:
		name := calleeName(r.info(), x)
		switch name {
		case "net.JoinHostPort":
			if len(x.Args) == 2 {
				host := r.segments(x.Args[0])
				if strings.Contains(joinText(host), ":") && !strings.Contains(joinText(host), unknownHost) {
					host = append([]segment{{text: "["}}, append(host, segment{text: "]"})...)
				}
				out := append(host, segment{text: ":"})
				if pv, ok := r.port(x.Args[1]); ok {
					return append(out, segment{text: strconv.Itoa(pv.port), port: &pv})
				}
				return append(out, segment{unknown: true})
			}
		case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint", "fmt.Sprint":
			if pv, ok := r.port(x); ok {
				return []segment{{text: strconv.Itoa(pv.port), port: &pv}}
			}
		case "fmt.Sprintf":
			if len(x.Args) >= 1 {
				if f := r.constValue(x.Args[0]); f != nil && f.Kind() == constant.String {
					if segs, ok := r.sprintf(constant.StringVal(f), x.Args[1:]); ok {
						return segs
					}
				}
			}
		case "cmp.Or":
			for i := len(x.Args) - 1; i >= 0; i-- {
				if r.constValue(x.Args[i]) != nil {
					return r.segments(x.Args[i])
				}
			}
		}
		if r.isConversion(x) && len(x.Args) == 1 {
			return r.segments(x.Args[0])
		}
	case *ast.Ident:
		if v, ok := r.info().ObjectOf(x).(*types.Var); ok {
			if init, ok := r.single[v]; ok {
				return r.segments(init)
			}
		}
	}
	return []segment{{unknown: true}}
}

// constDecl returns the expression a named constant of this package is
// declared with, or nil.
func (r *resolver) constDecl(e ast.Expr) ast.Expr {
	if c, ok := r.info().ObjectOf(identOf(e)).(*types.Const); ok {
		return r.consts[c]
	}
	return nil
}

// sprintf applies a constant format to its arguments, resolving the
// arguments it can.
func (r *resolver) sprintf(format string, args []ast.Expr) ([]segment, bool) {
	var out []segment
	argi := 0
	var lit strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		// skip flags, width, precision
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 {
			j++
		}
		if j >= len(format) || argi >= len(args) {
			return nil, false
		}
		verb := format[j]
		i = j
		if lit.Len() > 0 {
			out = append(out, segment{text: lit.String()})
			lit.Reset()
		}
		arg := args[argi]
		argi++
		switch verb {
		case 'd', 'v':
			if pv, ok := r.port(arg); ok {
				out = append(out, segment{text: strconv.Itoa(pv.port), port: &pv})
				continue
			}
			if verb == 'v' {
				out = append(out, r.segments(arg)...)
				continue
			}
			out = append(out, segment{unknown: true})
		case 's', 'q':
			if verb == 'q' {
				return nil, false
			}
			out = append(out, r.segments(arg)...)
		default:
			out = append(out, segment{unknown: true})
		}
	}
	if lit.Len() > 0 {
		out = append(out, segment{text: lit.String()})
	}
	return out, true
}

func joinText(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.unknown {
			b.WriteString(unknownHost)
		} else {
			b.WriteString(s.text)
		}
	}
	return b.String()
}

// addr resolves a string expression that denotes an address. strict asks
// for evidence that the string is an address (see parseAddress).
func (r *resolver) addr(e ast.Expr, strict bool) (addrVal, bool) {
	segs := r.segments(e)
	text := joinText(segs)
	if !strings.Contains(text, ":") {
		return addrVal{}, false
	}
	a, ok := parseAddress(text, strict)
	if !ok || a.port < 1 || a.port > 65535 {
		return addrVal{}, false
	}
	// The port must be written whole in one piece, not computed.
	if strings.Contains(text[a.portOff:a.portOff+a.portLen], unknownHost) {
		return addrVal{}, false
	}
	av := addrVal{portVal: portVal{port: a.port}, host: a.host, hostKnown: a.hostKnown(), url: a.url}
	if a.url {
		av.path = strings.ReplaceAll(text[a.portOff+a.portLen:], unknownHost, " ")
	}
	off := 0
	for _, s := range segs {
		n := len(s.text)
		if s.unknown {
			n = len(unknownHost)
		}
		if off <= a.portOff && a.portOff+a.portLen <= off+n && !s.unknown {
			switch {
			case s.port != nil:
				av.digits, av.end, av.via, av.lits = s.port.digits, s.port.end, s.port.via, s.port.lits
			case s.lit != nil:
				val := s.lit.Value
				if uq, err := strconv.Unquote(val); err == nil {
					val = uq
				}
				// the segment's text is the literal's value, possibly a suffix
				base := strings.LastIndex(val, s.text)
				if base >= 0 {
					if p, end, ok := locateInLit(s.lit, base+a.portOff-off, a.portLen); ok {
						av.digits, av.end = p, end
					}
				}
				av.lits = append(av.lits, s.lit)
				if c, ok := r.info().ObjectOf(identOf(e)).(*types.Const); ok {
					av.via = c
				}
			}
			break
		}
		off += n
	}
	// literals holding only the host are consumed too
	for _, s := range segs {
		if s.lit != nil && !containsLit(av.lits, s.lit) {
			av.lits = append(av.lits, s.lit)
		}
	}
	return av, true
}

func containsLit(ls []*ast.BasicLit, l *ast.BasicLit) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func identOf(e ast.Expr) *ast.Ident {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// calleeName returns "pkg/path.Func" or "pkg/path.Type.Method" for a call
// of a declared function or method, or "".
func calleeName(info *types.Info, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig != nil && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := t.(*types.Named); ok {
			return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
		}
		if _, ok := t.Underlying().(*types.Interface); ok {
			if n, ok := t.(*types.Named); ok {
				return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
			}
		}
		return fn.Pkg().Path() + ".?." + fn.Name()
	}
	return fn.Pkg().Path() + "." + fn.Name()
}
