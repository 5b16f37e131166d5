package analyzer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// A site is one port use found in the package, before attribution.
type site struct {
	pv        portVal
	pos, end  token.Pos // what to report: the digits when written here, else the expression
	bind      registry.Bind
	bindKnown bool
	role      check.Role
	proto     registry.Proto
	source    string
	prio      int      // strength of the context, for merging sites on one literal
	names     []string // names around the use (see check.Use.Names)
	// hostComputed: the address's host is computed at run time
	hostComputed bool
	// decl names the Go declaration the value is written into, for the
	// registry's "types" patterns: a struct field (pkg, type, field) or a
	// package-level constant or variable (pkg, name).
	decl declRef
	// comp, when set, is the component a "types" pattern gives the use.
	comp *registry.Component
	// ref: the value is a constant of another package of the module whose
	// name says port, checked at its declaration; the use is listed, not
	// checked again.
	ref bool
	// constant is the package-level port constant the use is (at its
	// declaration) or refers to (a ref): "import/path.Name".
	constant string
}

// A declRef names a Go declaration: a package path, a type or package-level
// name, and a field of the type.
type declRef struct{ pkg, name, field string }

// Context strengths: a call that listens or dials says more than a flag,
// which says more than a name.
const (
	prioFree = iota
	prioName
	prioField
	prioConfig
	prioSink
)

// collector walks a package and gathers sites.
type collector struct {
	pass     *analysis.Pass
	r        *resolver
	sites    []*site
	consumed map[ast.Node]bool      // literals and calls a context has resolved
	quiet    map[ast.Node]bool      // literals that must never count as free-standing
	dialArgs map[*ast.CallExpr]bool // calls whose result is the address a dial sink connects to
	scheme   map[*ast.BasicLit]bool // a scheme's default port, chosen by scheme
	module   string
	files    []*ast.File
	// listenNamed is set while a value under a name that says listen,
	// bind or serve is resolved.
	listenNamed bool
}

func newCollector(pass *analysis.Pass, files []*ast.File) *collector {
	c := &collector{pass: pass, r: newResolver(pass), consumed: map[ast.Node]bool{}, quiet: map[ast.Node]bool{}, dialArgs: map[*ast.CallExpr]bool{}, scheme: map[*ast.BasicLit]bool{}, files: files}
	if pass.Module != nil {
		c.module = pass.Module.Path
	}
	return c
}

func (c *collector) info() *types.Info { return c.pass.TypesInfo }

// consume marks every literal and call below e as handled.
func (c *collector) consume(e ast.Node) {
	if e == nil {
		return
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.BasicLit, *ast.CallExpr:
			c.consumed[n] = true
		case *ast.FuncLit:
			return false
		}
		return true
	})
}

func (c *collector) add(s *site, expr ast.Expr) {
	if s.pv.port < 1 || s.pv.port > 65535 {
		return
	}
	for _, lit := range s.pv.lits {
		if c.scheme[lit] && s.role != check.Listen {
			s.role = check.Dial // info.Port = 443 under case "https": the server's, by scheme
		}
	}
	s.names = append(s.names, c.identNames(expr)...)
	if s.bindKnown && s.bind.Kind == registry.BindHost {
		s.names = append(s.names, s.bind.Value)
	}
	if v := s.pv.via; v != nil && !s.pv.literal() && c.r.consts[v] == nil && s.prio < prioSink && v.Pkg() != nil && c.sameModule(v.Pkg()) {
		if k := classify(v.Name()); (k.port || k.addr) && v.Parent() == v.Pkg().Scope() {
			// model.HBoneInboundListenPort used here: the constant is a
			// port use at its declaration, checked once in its own
			// package; here it is a use for the inventory only
			s.ref = true
			s.constant = v.Pkg().Path() + "." + v.Name()
		}
	}
	decl := c.r.consts[s.pv.via]
	switch {
	case s.pv.literal():
		s.pos, s.end = s.pv.digits, s.pv.end
	case s.pv.via != nil && decl != nil:
		// a constant of this package without literal digits (base + 58):
		// one use, at its declaration
		s.pos, s.end = decl.Pos(), decl.End()
	default:
		s.pos, s.end = expr.Pos(), expr.End()
	}
	if v := s.pv.via; v != nil && !s.ref && v.Pkg() == c.pass.Pkg && v.Parent() == v.Pkg().Scope() && (s.pv.literal() || decl != nil) &&
		(s.pos < expr.Pos() || s.pos >= expr.End()) {
		if k := classify(v.Name()); k.port || k.addr {
			// a port constant of this package used here: checked once, at
			// its declaration (this site); the use is listed where it is
			// written too, like a use from another package
			r := *s
			r.ref, r.constant = true, v.Pkg().Path()+"."+v.Name()
			r.pos, r.end = expr.Pos(), expr.End()
			r.names = append([]string(nil), s.names...)
			c.sites = append(c.sites, &r)
		}
	}
	if s.proto == "" {
		s.proto = registry.TCP
		if namesSay(s.names, "udp") {
			s.proto = registry.UDP // AgentCompactUDP = 6831, flag "statsd-udp-port"
		}
	}
	c.sites = append(c.sites, s)
}

// namesSay reports whether one of the names has the word w.
func namesSay(names []string, w string) bool {
	for _, n := range names {
		for _, x := range words(n) {
			if x == w {
				return true
			}
		}
	}
	return false
}

// identNames returns the names of the constants and variables an
// expression refers to.
func (c *collector) identNames(e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		switch c.info().ObjectOf(id).(type) {
		case *types.Const, *types.Var:
			out = append(out, id.Name)
		}
		return true
	})
	return out
}

// addPort records a port-valued expression under a context.
func (c *collector) addPort(e ast.Expr, role check.Role, source string, prio int, names ...string) bool {
	pv, ok := c.r.port(e)
	if !ok {
		return false
	}
	c.consume(e)
	c.add(&site{pv: pv, role: role, source: source, prio: prio, names: names}, e)
	return true
}

// addAddr records an address-valued expression under a context.
func (c *collector) addAddr(e ast.Expr, role check.Role, proto registry.Proto, source string, prio int, strict bool, names ...string) bool {
	av, ok := c.r.addr(e, strict)
	if !ok {
		return false
	}
	c.consume(e)
	s := &site{pv: av.portVal, role: role, proto: proto, source: source, prio: prio, names: names}
	if av.path != "" {
		s.names = append(s.names, av.path)
	}
	s.hostComputed = !av.hostKnown
	if av.hostKnown {
		s.bind, s.bindKnown = registry.HostBind(av.host), true
	}
	if role == check.Default && s.bindKnown && !av.url && s.bind.Kind == registry.BindHost {
		// a default naming another host is where the code connects
		s.role = check.Dial
	}
	if av.url && role == check.Default && !c.listenNamed {
		s.role = check.Dial // a URL is where a client goes, unless the name says listen
	}
	c.add(s, e)
	return true
}

// addNamed records a value under a name that says port or address.
func (c *collector) addNamed(e ast.Expr, k nameKind, source string, prio int, names ...string) bool {
	e = ast.Unparen(e)
	role := check.Default
	if k.dial {
		role = check.Dial
		// an endpoint on all addresses (0.0.0.0:4318, an OpenTelemetry
		// receiver) is where the process listens: nobody dials 0.0.0.0
		if av, ok := c.r.addr(e, false); ok && !av.url && av.hostKnown && av.host != "" && registry.HostBind(av.host).Kind == registry.BindAny {
			role = check.Default
		}
	}
	if call, ok := e.(*ast.CallExpr); ok && c.setConstructor(call) {
		// allowedPorts = sets.New(15000, 15021): a set of ports
		hit := false
		for _, a := range call.Args {
			if c.addNamed(a, k, source, prio, names...) {
				hit = true
			}
		}
		return hit
	}
	if cl, ok := e.(*ast.CompositeLit); ok {
		// a list of ports or addresses
		hit := false
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				// reservedPorts = map[string]string{"15000": "admin"}: a
				// table keyed by port
				if c.isIntegerOrDigits(kv.Key) && c.r.constValue(kv.Key) != nil && c.addNamed(kv.Key, k, source, prio, names...) {
					hit = true
					continue
				}
				el = kv.Value
			}
			if _, nested := el.(*ast.CompositeLit); nested {
				continue
			}
			if c.addNamed(el, k, source, prio, names...) {
				hit = true
			}
		}
		return hit
	}
	if k.port && c.isIntegerOrDigits(e) && c.addPort(e, role, source, prio, names...) {
		return true
	}
	c.listenNamed = k.listen
	defer func() { c.listenNamed = false }()
	return c.addAddr(e, role, "", source, prio, false, names...)
}

// isIntegerOrDigits reports whether e is an integer, or a string that is
// a port number on its own.
func (c *collector) isIntegerOrDigits(e ast.Expr) bool {
	tv, ok := c.info().Types[e]
	if !ok || tv.Type == nil {
		return false
	}
	t := tv.Type
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem() // ptr.To(int32(6443))
	}
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return c.isIntStr(t)
	}
	if b.Info()&types.IsInteger != 0 {
		return true
	}
	if b.Info()&types.IsString != 0 {
		if tv.Value != nil {
			_, ok := parsePortString(constant.StringVal(tv.Value))
			return ok
		}
		return true // strconv.Itoa(P) and friends
	}
	return false
}

// isIntStr reports whether t is Kubernetes' intstr.IntOrString.
func (c *collector) isIntStr(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == "IntOrString" && n.Obj().Pkg() != nil && strings.HasSuffix(n.Obj().Pkg().Path(), "util/intstr")
}

// run walks every file.
func (c *collector) run() {
	for _, f := range c.files {
		c.file(f)
	}
	c.peerDefaults()
	for _, f := range c.files {
		c.freeStanding(f)
	}
}

func (c *collector) file(f *ast.File) {
	for _, imp := range f.Imports {
		c.quiet[imp.Path] = true
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.CallExpr:
			c.call(n)
		case *ast.CompositeLit:
			c.compositeLit(n)
		case *ast.AssignStmt:
			c.assign(n)
		case *ast.RangeStmt:
			c.rangeStmt(n)
		case *ast.ValueSpec:
			c.valueSpec(n)
		case *ast.FuncDecl:
			c.funcDecl(n)
		case *ast.StructType:
			c.structTags(n)
		case *ast.BinaryExpr:
			if n.Op == token.ADD && c.numberText(n.X) {
				// strconv.Itoa(http.StatusOK) + ":1": a number before the
				// colon is no host, and ":1" no port
				if lit, ok := ast.Unparen(n.Y).(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(strings.Trim(lit.Value, "`\""), ":") {
					c.quiet[lit] = true
				}
			}
			if n.Op == token.EQL || n.Op == token.NEQ || n.Op == token.LSS || n.Op == token.GTR || n.Op == token.LEQ || n.Op == token.GEQ {
				c.quietBelow(n)
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				c.quietBelow(e)
				if schemes[strings.ToLower(c.stringConst(e))] {
					for _, st := range n.Body {
						c.schemeDefaults(st)
					}
				}
			}
		case *ast.IfStmt:
			if be, ok := ast.Unparen(n.Cond).(*ast.BinaryExpr); ok && be.Op == token.EQL &&
				(schemes[strings.ToLower(c.stringConst(be.X))] || schemes[strings.ToLower(c.stringConst(be.Y))]) {
				c.schemeDefaults(n.Body)
				if n.Else != nil {
					c.schemeDefaults(n.Else)
				}
			}
		case *ast.Field:
			if n.Tag != nil {
				c.quiet[n.Tag] = true
			}
		}
		return true
	})
}

func (c *collector) quietBelow(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.BasicLit); ok {
			c.quiet[lit] = true
		}
		return true
	})
}

// call handles sinks, flags, viper, parameter names and callee names.
func (c *collector) call(call *ast.CallExpr) {
	if len(call.Args) == 1 && c.r.isConversion(call) {
		// gwapi.PortNumber(acmeSolverListenPort): a conversion to a type
		// whose name says port (not an enum of choices) is a port context
		if n, ok := c.info().TypeOf(call.Fun).(*types.Named); ok {
			if k := classify(n.Obj().Name()); k.port && c.portish(n) && c.isIntegerOrDigits(call.Args[0]) {
				c.addNamed(call.Args[0], k, "conversion to "+n.Obj().Name(), prioField, n.Obj().Name())
			}
		}
		return
	}
	name := calleeName(c.info(), call)
	if name == "" {
		return
	}
	if name == "fmt.Sprintf" && len(call.Args) == 2 {
		// fmt.Sprintf("--listen-port=%d", port): a command-line flag
		// whose name says port or address
		if f := c.r.constValue(call.Args[0]); f != nil && f.Kind() == constant.String {
			if m := flagFormat.FindStringSubmatch(constant.StringVal(f)); m != nil {
				if k := classify(m[1]); k.port || k.addr {
					c.addNamed(call.Args[1], k, "flag --"+m[1], prioField, m[1])
				}
			}
		}
	}
	fn, _ := typeutil.Callee(c.info(), call).(*types.Func)
	pkg := ""
	if fn != nil && fn.Pkg() != nil {
		pkg = fn.Pkg().Path()
	}
	if c.addrSuffix(call, name) {
		return
	}
	if (quietPkgs[pkg] && !strings.HasPrefix(name, "fmt.Sprint")) || quietFuncs[name] {
		for _, a := range call.Args {
			c.quietBelow(a)
		}
	}
	if s, ok := sinks[name]; ok {
		c.sinkCall(call, name, s)
		return
	}
	if s, ok := resolvers[name]; ok {
		c.sinkCall(call, name, s)
		return
	}
	if c.flagCall(call, name, pkg, fn) || c.kingpinDefault(call, name) || c.viperDefault(call, name) {
		return
	}
	if c.filterArgs(call) || c.filterMethod(call, fn) {
		return
	}
	if fn == nil {
		return
	}
	c.paramNames(call, fn)
	c.calleeNamed(call, fn)
	c.keyedCall(call, pkg)
}

// setConstructor reports whether call builds a set from constant
// elements: sets.New(15000, 15021), sets.NewInt(...), sets.NewString(...).
func (c *collector) setConstructor(call *ast.CallExpr) bool {
	fn, ok := typeutil.Callee(c.info(), call).(*types.Func)
	if !ok || fn.Pkg() == nil || len(call.Args) == 0 {
		return false
	}
	if !strings.HasSuffix(fn.Pkg().Path(), "sets") && !strings.HasSuffix(fn.Pkg().Path(), "set") {
		return false
	}
	if !strings.HasPrefix(fn.Name(), "New") && fn.Name() != "Of" {
		return false
	}
	for _, a := range call.Args {
		if c.r.constValue(a) == nil {
			return false
		}
	}
	return true
}

// addrSuffix handles strings.HasSuffix(addr, ":15010"): the code tells
// traffic to a port apart. It names the port and claims nothing (match).
func (c *collector) addrSuffix(call *ast.CallExpr, name string) bool {
	switch name {
	case "strings.HasSuffix", "strings.TrimSuffix", "strings.CutSuffix":
	default:
		return false
	}
	if len(call.Args) != 2 {
		return false
	}
	text := c.stringConst(call.Args[1])
	if !strings.HasPrefix(text, ":") {
		return false
	}
	if _, ok := parsePortString(text[1:]); !ok {
		return false
	}
	says := false
	for _, n := range c.identNames(call.Args[0]) {
		if k := classify(n); k.addr || k.port {
			says = true
		}
	}
	if !says {
		return false // the suffix of something that is no address
	}
	c.quietBelow(call.Args[1])
	return c.addAddr(call.Args[1], check.Match, "", name, prioField, false)
}

// filterFlags are packet-filter arguments (iptables, ip6tables, nft
// written as arguments) followed by a port or list of ports, and the role
// of those ports: a match claims nothing, a redirect target must be the
// rule's component's own port.
var filterFlags = map[string]check.Role{
	"--dport": check.Match, "--dports": check.Match, "--sport": check.Match, "--sports": check.Match,
	"--destination-port": check.Match, "--destination-ports": check.Match, "--source-port": check.Match, "--source-ports": check.Match,
	"dport": check.Match, "sport": check.Match,
	"--to-ports": check.Redirect, "--to-port": check.Redirect, "--to-destination": check.Redirect, "--to-source": check.Redirect,
}

// filterArgs handles a rule written as a call's arguments:
// AppendRule(chain, "nat", "-p", "tcp", "--dport", "53", "-j", "REDIRECT", "--to-ports", dnsPort).
func (c *collector) filterArgs(call *ast.CallExpr) bool {
	hit := false
	for i := 0; i+1 < len(call.Args); i++ {
		role, ok := filterFlags[c.stringConst(call.Args[i])]
		if !ok {
			continue
		}
		hit = true
		c.quietBelow(call.Args[i])
		c.filterValue(call.Args[i+1], role, "iptables "+c.stringConst(call.Args[i]))
		i++
	}
	if hit {
		for _, a := range call.Args {
			c.consume(a) // the rest of a rule is no address or port
		}
	}
	return hit
}

// filterValue records the ports of a packet filter's port argument: a
// port, a list "53,15008" or a range "15000:15010", or an address
// "127.0.0.1:15053" for --to-destination.
func (c *collector) filterValue(e ast.Expr, role check.Role, source string) {
	if c.isIntegerOrDigits(e) && c.addPort(e, role, source, prioSink) {
		return
	}
	if c.addAddr(e, role, "", source, prioSink, false) {
		return
	}
	segs := c.r.segments(e)
	for _, sg := range segs {
		if sg.port != nil {
			c.add(&site{pv: *sg.port, role: role, source: source, prio: prioSink}, e)
			continue
		}
		if sg.unknown || sg.lit == nil {
			continue
		}
		// literal digits in a list: "53,15008"
		off := 0
		for _, tok := range strings.FieldsFunc(sg.text, func(r rune) bool { return r == ',' || r == ':' }) {
			i := strings.Index(sg.text[off:], tok) + off
			off = i + len(tok)
			if p, ok := parsePortString(tok); ok {
				start := sg.lit.Pos() + token.Pos(1+i)
				pv := portVal{port: p, digits: start, end: start + token.Pos(len(tok)), lits: []*ast.BasicLit{sg.lit}}
				c.add(&site{pv: pv, role: role, source: source, prio: prioSink}, e)
			}
		}
	}
	c.consume(e)
}

// filterMethods are rule-builder methods whose argument is a port: a
// match (DestinationPort) or a redirect target (RedirectPort).
var filterMethods = map[string]check.Role{
	"DestinationPort": check.Match, "DestinationPorts": check.Match, "SourcePort": check.Match, "SourcePorts": check.Match,
	"Dport": check.Match, "Sport": check.Match, "MatchPort": check.Match, "MatchPorts": check.Match,
	"RedirectPort": check.Redirect, "RedirectTo": check.Redirect, "ToPort": check.Redirect, "ToPorts": check.Redirect, "RedirectToPort": check.Redirect,
}

// filterMethod handles rule builders: rule.DestinationPort(consts.DNSPort).
func (c *collector) filterMethod(call *ast.CallExpr, fn *types.Func) bool {
	if fn == nil || len(call.Args) == 0 {
		return false
	}
	role, ok := filterMethods[fn.Name()]
	if !ok {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() == nil {
		return false // a method of a rule builder, not a free function
	}
	for _, a := range call.Args {
		if c.portish(c.info().TypeOf(a)) {
			c.filterValue(a, role, fn.Name())
		}
	}
	return true
}

// keyedCall handles helpers that take a setting's key and its default:
// getEnv("HTTP_PORT", "8080"), cfg.GetIntOr("server.port", 20200). The key
// must be a bare key (no spaces, not itself an address) that says port or
// address; the other constant arguments are its default.
func (c *collector) keyedCall(call *ast.CallExpr, pkg string) {
	if len(call.Args) < 2 || len(call.Args) > 3 || quietPkgs[pkg] || pkg == "os" {
		return
	}
	for i, a := range call.Args {
		key := c.stringConst(a)
		if key == "" || strings.ContainsAny(key, " \t:/") || len(key) > 64 {
			continue
		}
		k := classify(key)
		if !k.port && !k.addr {
			continue
		}
		c.quietBelow(a)
		for j, b := range call.Args {
			if j == i || !c.portish(c.info().TypeOf(b)) {
				continue
			}
			if c.r.constValue(b) == nil && !isCmpOr(c.info(), b) {
				continue // only constant defaults
			}
			c.addNamed(b, k, "default of "+strconv.Quote(key), prioField, key)
		}
		return
	}
}

func isCmpOr(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && calleeName(info, call) == "cmp.Or"
}

// network reads a sink's network argument: its protocol, or ok=false for
// networks without ports (unix, ip).
func (c *collector) network(call *ast.CallExpr, s sink) (registry.Proto, bool) {
	if s.netw < 0 || s.netw >= len(call.Args) {
		if s.proto == "udp" {
			return registry.UDP, true
		}
		return registry.TCP, true
	}
	v := c.r.constValue(call.Args[s.netw])
	if v == nil || v.Kind() != constant.String {
		return registry.TCP, true
	}
	nw := constant.StringVal(v)
	if strings.HasPrefix(nw, "unix") || strings.HasPrefix(nw, "ip") {
		return "", false
	}
	p, ok := registry.ParseProto(nw)
	if !ok {
		return registry.TCP, true
	}
	return p, true
}

func (c *collector) sinkCall(call *ast.CallExpr, name string, s sink) {
	if s.arg >= len(call.Args) {
		return
	}
	proto, ok := c.network(call, s)
	if !ok {
		return
	}
	arg := call.Args[s.arg]
	short := shortName(name)
	if s.role == check.Dial {
		// net.Dial("tcp", withDefaultPort(host, "80")): what the helper's
		// port parameter receives is where the code connects
		if inner, ok := ast.Unparen(arg).(*ast.CallExpr); ok {
			c.dialArgs[inner] = true
		}
	}
	switch s.kind {
	case sinkTCPAddr:
		c.tcpAddr(arg, s.role, proto, short, prioSink)
	case sinkURL:
		c.addAddr(arg, s.role, proto, short, prioSink, false)
	default:
		role := s.role
		if role == check.Default {
			// net.ResolveTCPAddr: listening when the host is empty
			if av, ok := c.r.addr(arg, false); ok && av.hostKnown && registry.HostBind(av.host).Kind != registry.BindAny {
				role = check.Dial
			}
		}
		c.addAddr(arg, role, proto, short, prioSink, false)
	}
}

// tcpAddr handles &net.TCPAddr{IP: ..., Port: ...} passed to a sink,
// directly or through a variable assigned once.
func (c *collector) tcpAddr(arg ast.Expr, role check.Role, proto registry.Proto, source string, prio int) {
	e := ast.Unparen(arg)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	if id, ok := e.(*ast.Ident); ok {
		if v, ok := c.info().ObjectOf(id).(*types.Var); ok {
			if init, ok := c.r.single[v]; ok {
				e = ast.Unparen(init)
				if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
					e = ast.Unparen(u.X)
				}
			}
		}
	}
	if cl, ok := e.(*ast.CompositeLit); ok {
		c.netAddrLit(cl, role, proto, source, prio)
	}
}

// netAddrLit handles a net.TCPAddr or net.UDPAddr literal.
func (c *collector) netAddrLit(cl *ast.CompositeLit, role check.Role, proto registry.Proto, source string, prio int) bool {
	var portE, ipE ast.Expr
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch keyName(kv.Key) {
		case "Port":
			portE = kv.Value
		case "IP":
			ipE = kv.Value
		}
	}
	if portE == nil {
		return false
	}
	pv, ok := c.r.port(portE)
	if !ok {
		return false
	}
	c.consume(cl)
	s := &site{pv: pv, role: role, proto: proto, source: source, prio: prio}
	if ipE == nil {
		s.bind, s.bindKnown = registry.Any, true
	} else if host, ok := c.ipValue(ipE); ok {
		s.bind, s.bindKnown = registry.HostBind(host), true
	}
	if role == check.Default && s.bindKnown && s.bind.Kind != registry.BindAny && s.bind.Kind != registry.BindLoopback {
		s.role = check.Dial
	}
	c.add(s, portE)
	return true
}

// ipValue resolves net.ParseIP("..."), net.IPv4(a, b, c, d) and the net
// package's address variables.
func (c *collector) ipValue(e ast.Expr) (string, bool) {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.CallExpr:
		switch calleeName(c.info(), x) {
		case "net.ParseIP", "net/netip.MustParseAddr":
			if len(x.Args) == 1 {
				if v := c.r.constValue(x.Args[0]); v != nil && v.Kind() == constant.String {
					return constant.StringVal(v), true
				}
			}
		case "net.IPv4":
			if len(x.Args) == 4 {
				var parts []string
				for _, a := range x.Args {
					v := c.r.constValue(a)
					if v == nil {
						return "", false
					}
					parts = append(parts, v.ExactString())
				}
				return strings.Join(parts, "."), true
			}
		}
	case *ast.SelectorExpr:
		if obj, ok := c.info().ObjectOf(x.Sel).(*types.Var); ok && obj.Pkg() != nil && obj.Pkg().Path() == "net" {
			switch obj.Name() {
			case "IPv4zero", "IPv6zero", "IPv6unspecified":
				return "0.0.0.0", true
			case "IPv6loopback":
				return "::1", true
			}
		}
	}
	return "", false
}

func keyName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// shortName turns "net/http.Client.Get" into "http.Client.Get" and
// "github.com/labstack/echo/v4.Echo.Start" into "echo.Echo.Start".
func shortName(full string) string {
	slash := strings.LastIndexByte(full, '/') + 1
	dot := strings.IndexByte(full[slash:], '.')
	if dot < 0 {
		return pkgLabel(full)
	}
	pkg, rest := full[:slash+dot], full[slash+dot:]
	return pkgLabel(pkg) + rest
}

// pkgLabel is the last element of an import path, skipping a /vN suffix.
func pkgLabel(pkg string) string {
	elems := strings.Split(pkg, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = elems[len(elems)-2]
	}
	return name
}

// flagCall handles the flag and pflag packages (cobra's Flags() are pflag).
func (c *collector) flagCall(call *ast.CallExpr, name, pkg string, fn *types.Func) bool {
	if fn == nil || (pkg != "flag" && pkg != "github.com/spf13/pflag") {
		return false
	}
	m := fn.Name()
	varForm := strings.Contains(m, "Var")
	base := strings.TrimSuffix(strings.Replace(m, "Var", "", 1), "P")
	short := strings.HasSuffix(m, "P") && pkg == "github.com/spf13/pflag"
	switch base {
	case "Int", "Int8", "Int16", "Int32", "Int64", "Uint", "Uint8", "Uint16", "Uint32", "Uint64",
		"String", "StringSlice", "StringArray", "IntSlice", "Int32Slice", "Int64Slice", "UintSlice":
	default:
		return false
	}
	nameIdx := 0
	if varForm {
		nameIdx = 1
	}
	valIdx := nameIdx + 1
	if short {
		valIdx++
	}
	usageIdx := valIdx + 1
	if usageIdx >= len(call.Args) {
		return false
	}
	c.quietBelow(call.Args[usageIdx])
	c.quietBelow(call.Args[nameIdx])
	flagName := c.stringConst(call.Args[nameIdx])
	usage := c.stringConst(call.Args[usageIdx])
	k, ok := flagKind(flagName, usage)
	target := ""
	if varForm {
		// flag.IntVar(&cfg.Port, "p", 8080, ""): the variable says port
		if id := identOf(unaddr(call.Args[0])); id != nil {
			target = id.Name
			if !ok {
				k, ok = flagKind(target, "")
			}
		}
	}
	if !ok {
		return true
	}
	source := pkgLabel(pkg) + "." + m
	if base != "String" && !strings.HasPrefix(base, "String") {
		k.port = true // an integer flag that says address is a port
	}
	c.addNamed(call.Args[valIdx], k, source, prioConfig, flagName, usage, target)
	return true
}

// unaddr strips a leading & from an expression.
func unaddr(e ast.Expr) ast.Expr {
	if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.AND {
		return u.X
	}
	return e
}

// flagKind decides whether a flag's name or usage says port or address.
func flagKind(name, usage string) (nameKind, bool) {
	if k := classify(name); k.port || k.addr {
		if !k.dial && !k.listen {
			// the usage text can say whose address it is: "<addr>:<port>
			// to connect to nsqd", "address to listen on"
			k.listen, k.dial = usageSays(usage)
		}
		return k, true
	}
	for _, w := range words(name) {
		if quantity[w] {
			return nameKind{}, false
		}
	}
	uw := words(usage)
	var k nameKind
	for i, w := range uw {
		if i > 8 {
			break // the subject of the usage text comes first
		}
		if isPortWord(w) && !(i > 0 && countWords[uw[i-1]]) {
			k.port = true
		}
		if addrWords[w] {
			k.addr = true
		}
	}
	if !k.port && !k.addr {
		return nameKind{}, false
	}
	for _, w := range uw[:min(len(uw), 6)] {
		if quantity[w] && w != "in" && w != "is" && w != "name" {
			return nameKind{}, false
		}
	}
	k.dial = dialish(append(words(name), uw...))
	for _, w := range append(words(name), uw...) {
		if w == "listen" || w == "bind" || w == "serve" {
			k.listen = true
		}
	}
	return k, true
}

func (c *collector) stringConst(e ast.Expr) string {
	if v := c.r.constValue(e); v != nil && v.Kind() == constant.String {
		return constant.StringVal(v)
	}
	return ""
}

// kingpinDefault handles kingpin's app.Flag("web.listen-address", "...").Default(":9090").
func (c *collector) kingpinDefault(call *ast.CallExpr, name string) bool {
	if !strings.HasSuffix(name, ".FlagClause.Default") || !strings.Contains(name, "kingpin") {
		return false
	}
	flagName, usage := "", ""
	for e := call.Fun; ; {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			break
		}
		inner, ok := ast.Unparen(sel.X).(*ast.CallExpr)
		if !ok {
			break
		}
		if isel, ok := inner.Fun.(*ast.SelectorExpr); ok && isel.Sel.Name == "Flag" && len(inner.Args) >= 2 {
			flagName, usage = c.stringConst(inner.Args[0]), c.stringConst(inner.Args[1])
			c.quietBelow(inner.Args[1])
			break
		}
		e = inner.Fun
	}
	k, ok := flagKind(flagName, usage)
	if !ok {
		return true
	}
	for _, a := range call.Args {
		c.addNamed(a, k, "kingpin.Default", prioConfig, flagName, usage)
	}
	return true
}

// viperDefault handles viper.SetDefault("server.port", 8080).
func (c *collector) viperDefault(call *ast.CallExpr, name string) bool {
	if name != "github.com/spf13/viper.SetDefault" && name != "github.com/spf13/viper.Viper.SetDefault" {
		return false
	}
	if len(call.Args) != 2 {
		return true
	}
	key := c.stringConst(call.Args[0])
	if k := classify(key); k.port || k.addr {
		c.addNamed(call.Args[1], k, "viper.SetDefault", prioConfig, key)
	}
	return true
}

// paramNames handles calls of the module's own functions whose parameter
// names say port or address: startServer(20200) for func startServer(port int).
func (c *collector) paramNames(call *ast.CallExpr, fn *types.Func) {
	if fn.Pkg() == nil || !c.sameModule(fn.Pkg()) {
		return
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok {
		return
	}
	params := sig.Params()
	for i, a := range call.Args {
		pi := i
		if sig.Variadic() && pi >= params.Len()-1 {
			pi = params.Len() - 1
		}
		if pi >= params.Len() {
			break
		}
		p := params.At(pi)
		if k := classify(p.Name()); k.port || k.addr {
			k.dial = k.dial || c.dialArgs[call]
			c.addNamed(a, k, fn.Name()+"("+p.Name()+")", prioField, fn.Name(), p.Name())
		}
	}
}

// sameModule reports whether pkg belongs to the module being analyzed.
func (c *collector) sameModule(pkg *types.Package) bool {
	if pkg == c.pass.Pkg {
		return true
	}
	if c.module != "" {
		return pkg.Path() == c.module || strings.HasPrefix(pkg.Path(), c.module+"/")
	}
	// without module information: a package under the same first element
	first := func(p string) string {
		if i := strings.IndexByte(p, '/'); i >= 0 {
			return p[:i]
		}
		return p
	}
	return first(pkg.Path()) == first(c.pass.Pkg.Path()) && strings.Contains(first(pkg.Path()), ".") == strings.Contains(first(c.pass.Pkg.Path()), ".")
}

// calleeNamed handles calls whose function name says port or address:
// WithPort(20200), SetListenAddr(":20200"). Getters, predicates and parsers
// are not contexts.
func (c *collector) calleeNamed(call *ast.CallExpr, fn *types.Func) {
	if len(call.Args) == 0 || len(call.Args) > 2 {
		return
	}
	ws := words(fn.Name())
	if len(ws) == 0 {
		return
	}
	switch ws[0] {
	case "is", "has", "valid", "validate", "check", "parse", "split", "get", "lookup", "find", "free",
		"random", "pick", "must", "new", "test", "format", "print", "join", "strip", "trim", "normalize",
		"ensure", "assert", "expect", "should", "to", "from", "read", "write", "extract", "resolve", "dial", "listen":
		return
	}
	k := classify(fn.Name())
	if !k.port && !k.addr {
		return
	}
	k.dial = k.dial || c.dialArgs[call] // net.Dial("tcp", defaultPort(host, "80"))
	for _, a := range call.Args {
		c.addNamed(a, k, fn.Name(), prioField, fn.Name())
	}
}

// compositeLit handles http.Server{Addr}, net.TCPAddr{Port}, flag structs
// and fields or map keys that say port or address.
func (c *collector) compositeLit(cl *ast.CompositeLit) {
	tv, ok := c.info().Types[cl]
	if !ok || tv.Type == nil {
		return
	}
	t := tv.Type
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	typeName, typePkg := "", ""
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
		typeName, typePkg = n.Obj().Name(), n.Obj().Pkg().Path()
	}
	switch {
	case typePkg == "net/http" && typeName == "Server":
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok && keyName(kv.Key) == "Addr" {
				c.addAddr(kv.Value, check.Listen, registry.TCP, "http.Server.Addr", prioSink, false)
			}
		}
		return
	case typePkg == "net" && (typeName == "TCPAddr" || typeName == "UDPAddr"):
		if c.consumed[cl] {
			return
		}
		proto := registry.TCP
		if typeName == "UDPAddr" {
			proto = registry.UDP
		}
		c.netAddrLit(cl, check.Default, proto, "net."+typeName, prioField)
		return
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		if c.flagStruct(cl, typeName) {
			return
		}
		pkgName := ""
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
			pkgName = n.Obj().Pkg().Name()
		}
		proto := c.protocolField(cl)
		for i, el := range cl.Elts {
			var field string
			var value ast.Expr
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				field, value = keyName(kv.Key), kv.Value
			} else if i < u.NumFields() {
				// an unkeyed literal: endpoint{"http", 8080}
				field, value = u.Field(i).Name(), el
			} else {
				continue
			}
			k := classify(field)
			if tk := classify(typeName); !k.port && !k.addr && field == "Number" && tk.port {
				k = tk // networkingv1.ServiceBackendPort{Number: 8089}: the port's number
			}
			if !k.port && !k.addr {
				continue
			}
			if !c.portish(c.info().TypeOf(value)) {
				continue
			}
			// the type's package says whose address it is: redis.Options{Addr}
			if !k.listen && (dialWords[strings.ToLower(pkgName)] || storePath(typePkg)) {
				k.dial = true
			}
			before := len(c.sites)
			c.addNamed(value, k, typeLabel(typeName)+field, prioField, field, typeName, pkgName)
			for _, s := range c.sites[before:] {
				if proto != "" {
					s.proto = proto
				}
				s.decl = declRef{typePkg, typeName, field}
			}
		}
	case *types.Map:
		if b, ok := u.Key().Underlying().(*types.Basic); !ok || b.Info()&types.IsString == 0 {
			return
		}
		for _, el := range cl.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			c.quietBelow(kv.Key)
			k := classify(c.stringConst(kv.Key))
			if (k.port || k.addr) && c.portish(c.info().TypeOf(kv.Value)) {
				c.addNamed(kv.Value, k, "map key "+strconv.Quote(c.stringConst(kv.Key)), prioField, c.stringConst(kv.Key))
			}
		}
	}
}

func typeLabel(name string) string {
	if name == "" {
		return ""
	}
	return name + "."
}

// portish reports whether a value of type t can hold a port: integers,
// strings, IntOrString, interfaces (map[string]any), or lists of those.
func (c *collector) portish(t types.Type) bool {
	if t == nil {
		return false
	}
	if c.isIntStr(t) {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsInteger != 0 && isEnum(t) {
			return false // DerivePort: HTTPRedirect_FROM_REQUEST_PORT is a choice, not port 1
		}
		return u.Info()&(types.IsInteger|types.IsString) != 0
	case *types.Interface:
		return true
	case *types.Slice:
		return c.portish(u.Elem())
	case *types.Array:
		return c.portish(u.Elem())
	case *types.Pointer:
		return c.portish(u.Elem())
	case *types.Map:
		return c.portish(u.Key()) // a set or a table keyed by port
	}
	return false
}

// schemes are URL schemes whose default port code fills in by scheme.
var schemes = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "grpc": true, "grpcs": true, "h2c": true}

// schemeDefaults marks the well-known ports under a branch on a URL
// scheme (case "http": port = 80): the default port of a scheme, which
// a client fills in for the server it connects to.
func (c *collector) schemeDefaults(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.BasicLit); ok {
			switch strings.Trim(lit.Value, "`\"") {
			case "80", "443", "8080", "8443":
				c.scheme[lit] = true
			}
		}
		return true
	})
}

// numberText reports whether e is the decimal text of an integer:
// strconv.Itoa(n), fmt.Sprint(n), strconv.FormatInt(n, 10).
func (c *collector) numberText(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return false
	}
	switch calleeName(c.info(), call) {
	case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint", "fmt.Sprint":
		t := c.info().TypeOf(call.Args[0])
		b, ok := t.Underlying().(*types.Basic)
		return ok && b.Info()&types.IsInteger != 0
	}
	return false
}

// isEnum reports whether t is a named integer type with a String method:
// an enumeration (a protobuf enum, a stringer type), whose values are
// labels however its name reads.
func isEnum(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(n, false, n.Obj().Pkg(), "String")
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Type().(*types.Signature)
	return sig.Params().Len() == 0 && sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Typ[types.String])
}

// protocolField reads a Protocol field of a struct literal ("UDP",
// corev1.ProtocolUDP) as the protocol of the ports beside it.
func (c *collector) protocolField(cl *ast.CompositeLit) registry.Proto {
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok || keyName(kv.Key) != "Protocol" {
			continue
		}
		if p, ok := registry.ParseProto(c.stringConst(kv.Value)); ok {
			return p
		}
	}
	return ""
}

// flagStruct handles urfave/cli-style flag literals: &cli.IntFlag{Name: "port", Value: 8080}.
func (c *collector) flagStruct(cl *ast.CompositeLit, typeName string) bool {
	if !strings.HasSuffix(typeName, "Flag") {
		return false
	}
	var nameE, valueE, usageE ast.Expr
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch keyName(kv.Key) {
		case "Name":
			nameE = kv.Value
		case "Value", "Default", "DefaultValue", "DefValue":
			valueE = kv.Value
		case "Usage", "Help", "Description":
			usageE = kv.Value
		}
	}
	if nameE == nil || valueE == nil {
		return false
	}
	c.quietBelow(nameE)
	usage := ""
	if usageE != nil {
		c.quietBelow(usageE)
		usage = c.stringConst(usageE)
	}
	if k, ok := flagKind(c.stringConst(nameE), usage); ok {
		c.addNamed(valueE, k, typeName, prioConfig, c.stringConst(nameE), usage)
	}
	return true
}

// assign handles srv.Addr = ":8080", cfg.Port = 20200, port = "8080".
func (c *collector) assign(as *ast.AssignStmt) {
	if len(as.Lhs) != len(as.Rhs) || (as.Tok != token.ASSIGN && as.Tok != token.DEFINE) {
		return // port += 1 is arithmetic
	}
	for i, lhs := range as.Lhs {
		var name, owner, ownerPkg string
		switch x := ast.Unparen(lhs).(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			name = x.Sel.Name
			if name == "Addr" {
				if t := c.info().TypeOf(x.X); t != nil && isNamed(t, "net/http", "Server") {
					c.addAddr(as.Rhs[i], check.Listen, registry.TCP, "http.Server.Addr", prioSink, false)
					continue
				}
			}
			owner = typeName(c.info().TypeOf(x.X))
			ownerPkg = typePkgName(c.info().TypeOf(x.X))
		case *ast.IndexExpr:
			// m["port"] = 8080
			name = c.stringConst(x.Index)
			c.quietBelow(x.Index)
		default:
			continue
		}
		k := classify(name)
		if (k.port || k.addr) && c.portish(c.info().TypeOf(as.Rhs[i])) {
			// the struct the field belongs to can say whose address it is:
			// s.Address = "localhost:8125" in (*Statsd).SetDefaults
			if !k.listen && (dialish(words(owner)) || dialWords[strings.ToLower(ownerPkg)]) {
				k.dial = true
			}
			before := len(c.sites)
			c.addNamed(as.Rhs[i], k, name, prioName, name, owner)
			if sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr); ok {
				if pkg, typ := typeOwner(c.info().TypeOf(sel.X)); typ != "" {
					for _, s := range c.sites[before:] {
						s.decl = declRef{pkg, typ, name}
					}
				}
			}
		}
	}
}

// rangeStmt handles a loop over a literal list whose value variable says
// port or address: for _, port := range []int{8080, 8081}.
func (c *collector) rangeStmt(rs *ast.RangeStmt) {
	id, ok := rs.Value.(*ast.Ident)
	if !ok || id.Name == "_" {
		return
	}
	cl, ok := ast.Unparen(rs.X).(*ast.CompositeLit)
	if !ok {
		return
	}
	t := c.info().TypeOf(cl)
	if t == nil {
		return
	}
	switch t.Underlying().(type) {
	case *types.Slice, *types.Array:
	default:
		return
	}
	k := classify(id.Name)
	if (k.port || k.addr) && c.portish(c.info().TypeOf(id)) {
		c.addNamed(cl, k, id.Name, prioName, id.Name)
	}
}

// storeWords name servers a product connects to as a client: a type in a
// package under such a directory (pkg/cassandra/config.Connection) holds
// the server's address.
var storeWords = map[string]bool{
	"redis": true, "mysql": true, "postgres": true, "postgresql": true, "cassandra": true, "scylla": true,
	"scylladb": true, "mongo": true, "mongodb": true, "kafka": true, "nats": true, "etcd": true, "consul": true,
	"zookeeper": true, "elasticsearch": true, "opensearch": true, "memcache": true, "memcached": true,
	"clickhouse": true, "rabbitmq": true, "amqp": true, "badger": false,
}

// storePath reports whether an import path has a directory that names a
// data store or broker.
func storePath(pkg string) bool {
	for _, e := range strings.Split(pkg, "/") {
		if storeWords[strings.ToLower(e)] {
			return true
		}
	}
	return false
}

// typeOwner returns the package path and name of the named type t is or
// points to.
func typeOwner(t types.Type) (pkg, name string) {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
		return n.Obj().Pkg().Path(), n.Obj().Name()
	}
	return "", ""
}

// configured applies the registry's "types" patterns: a use written into
// a field of a matching type, a matching package-level constant or
// variable (here or, through a constant, in another package), or inside a
// matching function belongs to the pattern's component. A value written
// into another component's configuration is a configure use; a listen or
// dial inside a matching function keeps its role.
func (c *collector) configured(reg *registry.Registry) {
	if !reg.HasTypes() {
		return
	}
	type span struct {
		from, to token.Pos
		comp     *registry.Component
	}
	var funcs []span
	for _, f := range c.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				if _, typ := typeOwner(c.info().TypeOf(fd.Recv.List[0].Type)); typ != "" {
					name = typ + "." + name
				}
			}
			if comp := reg.MatchType(c.pass.Pkg.Path(), name, ""); comp != nil {
				funcs = append(funcs, span{fd.Pos(), fd.End(), comp})
			}
		}
	}
	for _, s := range c.sites {
		if s.decl.name != "" {
			s.comp = reg.MatchType(s.decl.pkg, s.decl.name, s.decl.field)
		}
		if s.comp == nil && s.pv.via != nil && s.pv.via.Pkg() != nil && s.pv.via.Parent() == s.pv.via.Pkg().Scope() {
			s.comp = reg.MatchType(s.pv.via.Pkg().Path(), s.pv.via.Name(), "")
		}
		if s.comp != nil {
			if s.role == check.Default || s.role == check.Expose {
				s.role = check.Configure
			}
			continue
		}
		for _, f := range funcs {
			if f.from <= s.pos && s.pos < f.to {
				s.comp = f.comp
				if s.role == check.Default {
					s.role = check.Configure
				}
				break
			}
		}
	}
}

// typePkgName returns the name of the package that declares t (or what
// t points to), or "".
func typePkgName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
		return n.Obj().Pkg().Name()
	}
	return ""
}

func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// valueSpec handles const and var declarations whose names (or type) say
// port or address.
func (c *collector) valueSpec(vs *ast.ValueSpec) {
	typeK := nameKind{}
	if vs.Type != nil {
		if t := c.info().TypeOf(vs.Type); t != nil {
			if n, ok := t.(*types.Named); ok {
				typeK = classify(n.Obj().Name())
			}
		}
	}
	// a table of ports: package ports; const AgentCompactUDP = 6831
	pkgK := classify(c.pass.Pkg.Name())
	for i, name := range vs.Names {
		if i >= len(vs.Values) || len(vs.Values) != len(vs.Names) {
			return
		}
		k := classify(name.Name)
		if !k.port && !k.addr {
			k = typeK
		}
		if !k.port && !k.addr && pkgK.port && c.tableConst(name) {
			k = pkgK
		}
		if (k.port || k.addr) && c.portish(c.info().TypeOf(vs.Values[i])) {
			before := len(c.sites)
			c.addNamed(vs.Values[i], k, name.Name, prioName, name.Name)
			if obj := c.info().Defs[name]; obj != nil && obj.Parent() == c.pass.Pkg.Scope() {
				_, isConst := obj.(*types.Const)
				for _, s := range c.sites[before:] {
					s.decl = declRef{pkg: c.pass.Pkg.Path(), name: name.Name}
					if isConst {
						s.constant = c.pass.Pkg.Path() + "." + name.Name
					}
				}
			}
		}
	}
}

// tableConst reports whether name declares a package-level integer
// constant whose name says no quantity (MaxRetries, DialTimeout).
func (c *collector) tableConst(name *ast.Ident) bool {
	obj, ok := c.info().Defs[name].(*types.Const)
	if !ok || obj.Parent() != c.pass.Pkg.Scope() {
		return false
	}
	if b, ok := obj.Type().Underlying().(*types.Basic); !ok || b.Info()&types.IsInteger == 0 {
		return false
	}
	for _, w := range words(name.Name) {
		if quantity[w] {
			return false
		}
	}
	return true
}

// funcDecl handles functions whose name says port: func defaultPort() int { return 20200 }.
func (c *collector) funcDecl(fd *ast.FuncDecl) {
	if fd.Body == nil {
		return
	}
	k := classify(fd.Name.Name)
	if !k.port && !k.addr {
		return
	}
	ws := words(fd.Name.Name)
	if len(ws) > 0 {
		switch ws[0] {
		case "is", "has", "valid", "validate", "check", "parse", "split", "free", "random", "pick", "find", "lookup", "test":
			return
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 1 && c.portish(c.info().TypeOf(n.Results[0])) {
				c.addNamed(n.Results[0], k, fd.Name.Name, prioName, fd.Name.Name)
			}
		}
		return true
	})
}

// defaultTags are struct tag keys that give a field's default value.
var defaultTags = []string{"default", "envDefault", "env-default", "envdefault", "def"}

// nameTags are struct tag keys whose value names the field's setting.
var nameTags = []string{"env", "json", "yaml", "mapstructure", "koanf", "toml", "long", "flag", "envconfig", "split_words", "arg"}

// structTags handles `default:"8080"` and friends on fields that say port
// or address (by field name or by the setting's name in another tag).
func (c *collector) structTags(st *ast.StructType) {
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		raw, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			continue
		}
		tag := reflect.StructTag(raw)
		var k nameKind
		for _, n := range f.Names {
			if k = classify(n.Name); k.port || k.addr {
				break
			}
		}
		if !k.port && !k.addr {
			for _, key := range nameTags {
				if v, ok := tag.Lookup(key); ok {
					v, _, _ = strings.Cut(v, ",")
					if k = classify(v); k.port || k.addr {
						break
					}
				}
			}
		}
		if !k.port && !k.addr {
			continue
		}
		for _, key := range defaultTags {
			val, ok := tag.Lookup(key)
			if !ok || val == "" {
				continue
			}
			c.tagValue(f.Tag, key, val, k, tagNames(f, tag)...)
		}
	}
}

// tagNames returns a field's names and the setting names its tags give.
func tagNames(f *ast.Field, tag reflect.StructTag) []string {
	var out []string
	for _, n := range f.Names {
		out = append(out, n.Name)
	}
	for _, key := range nameTags {
		if v, ok := tag.Lookup(key); ok {
			v, _, _ = strings.Cut(v, ",")
			out = append(out, v)
		}
	}
	return out
}

// tagValue records the default in a struct tag, placing the digits inside
// the tag literal.
func (c *collector) tagValue(lit *ast.BasicLit, key, val string, k nameKind, names ...string) {
	role := check.Default
	if k.dial {
		role = check.Dial
	}
	var port int
	var off, n int
	var host string
	hostKnown := false
	isAddr := false
	if p, ok := parsePortString(val); ok && k.port {
		port, off, n = p, 0, len(val)
	} else if a, ok := parseAddress(val, false); ok {
		port, off, n, host, hostKnown, isAddr = a.port, a.portOff, a.portLen, a.host, true, true
		if a.url {
			role = check.Dial
		}
	} else {
		return
	}
	if port < 1 || port > 65535 {
		return
	}
	s := &site{pv: portVal{port: port}, role: role, source: "struct tag " + key, prio: prioConfig, names: names}
	if isAddr && hostKnown {
		s.bind, s.bindKnown = registry.HostBind(host), true
		if role == check.Default && s.bind.Kind == registry.BindHost {
			s.role = check.Dial
		}
	}
	// find key:"val" in the literal's source (raw strings keep it verbatim)
	needle := key + `:"` + val + `"`
	if i := strings.Index(lit.Value, needle); i >= 0 && lit.Value[0] == '`' {
		start := lit.Pos() + token.Pos(i+len(key)+2+off)
		s.pv.digits, s.pv.end = start, start+token.Pos(n)
	}
	s.pv.lits = []*ast.BasicLit{lit}
	c.add(s, lit)
}

// flagFormat is a format that writes one command-line flag's value.
var flagFormat = regexp.MustCompile(`^--?([A-Za-z][A-Za-z0-9_.-]*)=%[dvs]$`)

// freeStanding reports address literals and address-building calls that no
// context claimed: "localhost:20200" passed to an unknown function is still
// an address. The host must look like one (see parseAddress strict).
func (c *collector) freeStanding(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING || c.consumed[x] || c.quiet[x] {
				return true
			}
			if !c.freeAddr(x) && !c.freeList(x) {
				c.freeDirective(x)
			}
		case *ast.CallExpr:
			if c.consumed[x] {
				return false
			}
			switch calleeName(c.info(), x) {
			case "fmt.Sprintf", "net.JoinHostPort":
				if c.freeAddr(x) {
					return false
				}
			}
		}
		return true
	})
}

func (c *collector) freeAddr(e ast.Expr) bool {
	av, ok := c.r.addr(e, true)
	if !ok {
		return false
	}
	role := check.Dial
	if !av.url && av.hostKnown && registry.HostBind(av.host).Kind == registry.BindAny {
		role = check.Default
	}
	c.consume(e)
	s := &site{pv: av.portVal, role: role, source: "address literal", prio: prioFree}
	if av.path != "" {
		s.names = append(s.names, av.path)
	}
	s.hostComputed = !av.hostKnown
	if av.hostKnown {
		s.bind, s.bindKnown = registry.HostBind(av.host), true
	}
	c.add(s, e)
	return true
}

// freeList reports the addresses of a string literal that is a list of
// them, each of which would be an address literal on its own: URL lists
// ("http://localhost:2379,http://10.0.0.1:2379"), NAME=URL lists
// ("infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380") and a
// command-line flag holding either ("-listen-client-urls=http://..."),
// and one NAME=URL alone ("node1=http://127.0.0.1:2380"). A list with one
// element that does not parse is no list of addresses.
func (c *collector) freeList(lit *ast.BasicLit) bool {
	val, err := strconv.Unquote(lit.Value)
	if err != nil || !strings.Contains(val, ":") || len(val) > 4096 {
		return false
	}
	off := 0
	if strings.HasPrefix(val, "-") {
		// -flag=LIST
		eq := strings.IndexByte(val, '=')
		if eq < 0 || strings.ContainsAny(val[:eq], " :/,") {
			return false
		}
		off = eq + 1
	}
	var elems []listElem
	named := false
	for i := off; i <= len(val); {
		j := strings.IndexByte(val[i:], ',')
		if j < 0 {
			j = len(val) - i
		}
		e, eoff := val[i:i+j], i
		if k := strings.IndexByte(e, '='); k > 0 && !strings.Contains(e[:k], "/") && !strings.Contains(e[:k], ":") {
			e, eoff = e[k+1:], eoff+k+1 // NAME=URL
			named = true
		}
		a, ok := parseAddress(e, true)
		if !ok || a.port < 1 || a.port > 65535 {
			return false
		}
		elems = append(elems, listElem{a, eoff})
		i += j + 1
	}
	if len(elems) < 2 && off == 0 && !named {
		return false // a single address is freeAddr's
	}
	c.consume(lit)
	c.addElems(lit, elems, "address list")
	return true
}

// A listElem is an address inside a string literal and its offset there.
type listElem struct {
	a   address
	off int
}

// addElems records the addresses found inside a literal.
func (c *collector) addElems(lit *ast.BasicLit, elems []listElem, source string) {
	for _, e := range elems {
		p, end, ok := locateInLit(lit, e.off+e.a.portOff, e.a.portLen)
		if !ok {
			continue
		}
		role := check.Dial
		if !e.a.url && registry.HostBind(e.a.host).Kind == registry.BindAny {
			role = check.Default
		}
		s := &site{pv: portVal{port: e.a.port, digits: p, end: end, lits: []*ast.BasicLit{lit}}, role: role, source: source, prio: prioFree}
		s.bind, s.bindKnown = registry.HostBind(e.a.host), true
		c.add(s, lit)
	}
}

// freeDirective reports the address of a configuration directive written
// as text: a Corefile line ("health localhost:8080", "forward .
// 127.0.0.1:53 {"), the directive and its arguments before the address
// being plain lowercase words. Prose ("listening on: 127.0.0.1:53", "see
// http://..."), log and error text (quiet) and addresses later in a
// sentence are not directives.
func (c *collector) freeDirective(lit *ast.BasicLit) bool {
	val, err := strconv.Unquote(lit.Value)
	if err != nil || !strings.Contains(val, ":") || len(val) > 4096 {
		return false
	}
	line := val
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	words := strings.Fields(line)
	if len(words) < 2 || len(words) > 6 {
		return false
	}
	if !directiveWord(words[0]) {
		return false
	}
	// the address follows the directive, or its "." zone
	w := words[1]
	if w == "." && len(words) > 2 {
		w = words[2]
	}
	a, ok := parseAddress(w, true)
	if !ok || a.url || a.port < 1 || a.port > 65535 || a.host == "" {
		return false
	}
	off := strings.Index(val, " "+w)
	if off < 0 {
		return false
	}
	c.consume(lit)
	c.addElems(lit, []listElem{{a, off + 1}}, "directive address")
	return true
}

// directiveWord reports whether w is a lowercase word of a configuration
// directive: letters, digits, "_" and "-", starting with a letter.
func directiveWord(w string) bool {
	for i, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return w != ""
}

// typeName returns the name of a (pointer to a) named type, or "".
func typeName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}
