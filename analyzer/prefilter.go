package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// relevantImports are packages whose use makes a port use possible.
var relevantImports = map[string]bool{
	"net": true, "net/http": true, "crypto/tls": true, "net/rpc": true, "net/smtp": true, "net/url": true,
	"flag": true, "github.com/spf13/pflag": true, "github.com/spf13/cobra": true, "github.com/spf13/viper": true,
	"google.golang.org/grpc": true, "github.com/alecthomas/kingpin/v2": true, "gopkg.in/alecthomas/kingpin.v2": true,
	"github.com/urfave/cli": true, "github.com/urfave/cli/v2": true, "github.com/urfave/cli/v3": true,
	"github.com/gin-gonic/gin": true, "github.com/labstack/echo/v4": true, "github.com/labstack/echo": true,
	"github.com/gofiber/fiber/v2": true, "github.com/gofiber/fiber/v3": true, "github.com/valyala/fasthttp": true,
	"k8s.io/apimachinery/pkg/util/intstr": true, "github.com/miekg/dns": true, "golang.org/x/net/websocket": true,
	"github.com/gorilla/websocket": true,
}

// MayHaveUses reports, from syntax alone, whether files can contain a port
// use. It is conservative: every use the analyzer can find lies in a
// package for which it returns true. portParamFuncs names functions and
// methods (of the packages being checked) with a parameter that says port
// or address; calls to them are uses too.
func MayHaveUses(files []*ast.File, portParamFuncs map[string]bool) bool {
	for _, f := range files {
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil && relevantImports[p] {
				return true
			}
		}
	}
	found := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if found {
				return false
			}
			switch x := n.(type) {
			case *ast.Ident:
				if k := classify(x.Name); k.port || k.addr {
					found = true
				}
			case *ast.BasicLit:
				if x.Kind == token.STRING && syntaxSaysPort(x.Value) {
					found = true
				}
			case *ast.CallExpr:
				if len(portParamFuncs) > 0 {
					fun := ast.Unparen(x.Fun)
					switch ix := fun.(type) { // explicit type arguments: F[T](...), pkg.F[T, U](...)
					case *ast.IndexExpr:
						fun = ix.X
					case *ast.IndexListExpr:
						fun = ix.X
					}
					switch fn := fun.(type) {
					case *ast.Ident:
						found = portParamFuncs[fn.Name]
					case *ast.SelectorExpr:
						found = portParamFuncs[fn.Sel.Name]
					}
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// syntaxSaysPort reports whether a string literal's source may be an
// address, or a name or struct tag that says port or address.
func syntaxSaysPort(src string) bool {
	s, err := strconv.Unquote(src)
	if err != nil {
		s = src
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
		return true
	}
	if k := classify(s); k.port || k.addr {
		return true
	}
	// struct tags: `default:"8080" env:"HTTP_PORT"`
	if strings.Contains(s, `:"`) {
		for _, part := range strings.Fields(s) {
			if _, v, ok := strings.Cut(part, `:"`); ok {
				if k := classify(strings.Trim(v, `",`)); k.port || k.addr {
					return true
				}
			}
		}
	}
	return false
}

// PortParamFuncs returns the names of the functions and methods declared
// in files that have a parameter whose name says port or address.
func PortParamFuncs(files []*ast.File, into map[string]bool) {
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Type.Params == nil {
				continue
			}
			for _, p := range fd.Type.Params.List {
				for _, n := range p.Names {
					if k := classify(n.Name); k.port || k.addr {
						into[fd.Name.Name] = true
					}
				}
			}
		}
	}
}

// mayHaveUses is the analyzer's fast path: the syntactic test, plus calls
// of the module's own functions whose parameters say port (known from
// types, so the test stays exact inside any driver).
func mayHaveUses(pass *analysis.Pass, files []*ast.File) bool {
	if MayHaveUses(files, nil) {
		return true
	}
	c := &collector{pass: pass}
	if pass.Module != nil {
		c.module = pass.Module.Path
	}
	found := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if found {
				return false
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn, ok := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
			if !ok || fn.Pkg() == nil || !c.sameModule(fn.Pkg()) {
				return true
			}
			if sig, ok := fn.Type().(*types.Signature); ok {
				for i := 0; i < sig.Params().Len(); i++ {
					if k := classify(sig.Params().At(i).Name()); k.port || k.addr {
						found = true
					}
				}
			}
			return true
		})
	}
	return found
}
