package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/portlint/portlint/check"
)

// peerDefaults turns into dials the package-level port variables and
// constants that only ever complete an address the code parsed from its
// input:
//
//	host, port, err := net.SplitHostPort(nameserver)
//	if port == "" {
//		port = defaultRFC2136Port
//	}
//	return net.JoinHostPort(host, port), nil
//
// The default is the protocol's port on a peer the user names (a DNS
// server, a database), not one the program opens. A function that listens
// on the completed address, or whose name or parsed value says listen,
// bind or serve, keeps the default a listen default.
func (c *collector) peerDefaults() {
	var decls []*site
	for _, s := range c.sites {
		if s.role == check.Default && s.decl.name != "" && s.decl.field == "" && s.decl.pkg == c.pass.Pkg.Path() {
			decls = append(decls, s)
		}
	}
	if len(decls) == 0 {
		return
	}
	objs := map[types.Object]bool{}
	for _, s := range decls {
		if obj := c.pass.Pkg.Scope().Lookup(s.decl.name); obj != nil && !obj.Exported() {
			objs[obj] = true
		}
	}
	if len(objs) == 0 {
		return
	}
	uses := map[types.Object]int{}
	for id, obj := range c.info().Uses {
		if objs[obj] && !c.inTestFile(id.Pos()) {
			uses[obj]++
		}
	}
	fills := map[types.Object]int{}
	for _, f := range c.files {
		if c.inTestFile(f.Pos()) {
			continue // as its uses are not counted
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			c.fillsIn(fd, objs, fills)
		}
	}
	for _, s := range decls {
		obj := c.pass.Pkg.Scope().Lookup(s.decl.name)
		if n := fills[obj]; n > 0 && n == uses[obj] {
			s.role = check.Dial
		}
	}
}

// inTestFile reports whether pos is in a _test.go file.
func (c *collector) inTestFile(pos token.Pos) bool {
	f := c.pass.Fset.File(pos)
	return f != nil && strings.HasSuffix(f.Name(), "_test.go")
}

// fillsIn counts, in fd, the assignments "port = obj" to the port result of
// a net.SplitHostPort whose address is not a listen address.
func (c *collector) fillsIn(fd *ast.FuncDecl, objs map[types.Object]bool, fills map[types.Object]int) {
	if classify(fd.Name.Name).listen {
		return
	}
	split := map[types.Object]bool{} // port results of net.SplitHostPort
	listens := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if s, ok := sinks[calleeName(c.info(), n)]; ok && s.role == check.Listen {
				listens = true
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != 3 || len(n.Rhs) != 1 {
				return true
			}
			call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
			if !ok || calleeName(c.info(), call) != "net.SplitHostPort" || len(call.Args) != 1 {
				return true
			}
			for _, name := range c.identNames(call.Args[0]) {
				if classify(name).listen {
					return true
				}
			}
			if id, ok := n.Lhs[1].(*ast.Ident); ok {
				if obj := c.info().ObjectOf(id); obj != nil {
					split[obj] = true
				}
			}
		}
		return true
	})
	if listens || len(split) == 0 {
		return
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, lhs := range as.Lhs {
			l, ok1 := ast.Unparen(lhs).(*ast.Ident)
			r, ok2 := ast.Unparen(as.Rhs[i]).(*ast.Ident)
			if !ok1 || !ok2 {
				continue
			}
			if obj := c.info().Uses[r]; objs[obj] && split[c.info().ObjectOf(l)] {
				fills[obj]++
			}
		}
		return true
	})
}
