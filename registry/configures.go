package registry

import (
	"errors"
	"regexp"
	"strings"
)

// Attribution by what the code or configuration writes, not where it lives:
// a control plane that fills in its sidecar's bootstrap writes the
// sidecar's ports, and a chart of the control plane carries the sidecar's
// values. A component's "types" name the Go types (and fields) that
// configure it, and its "keys" the configuration key paths that belong to
// it.

// A type pattern is an import-path pattern (as in "packages", without the
// "/..." suffix), a ".", a type name and optionally another "." and a
// field name: "*/pkg/bootstrap.Config", "istio.io/istio/pkg/model.Proxy.*Port".
// "*" in the type or field matches any run of characters.
type typePattern struct {
	pkg   *regexp.Regexp
	typ   *regexp.Regexp
	field *regexp.Regexp // nil: every field
	c     *Component
}

// ValidateTypePattern reports what is wrong with a type pattern.
func ValidateTypePattern(pat string) error {
	_, _, _, err := splitTypePattern(pat)
	return err
}

func splitTypePattern(pat string) (pkg, typ, field string, err error) {
	if strings.TrimSpace(pat) != pat || pat == "" {
		return "", "", "", errors.New("a type pattern is PACKAGE.Type or PACKAGE.Type.Field, without spaces")
	}
	if strings.HasSuffix(pat, "/...") || strings.HasSuffix(pat, "/") {
		return "", "", "", errors.New("no type: write PACKAGE.Type, such as \"*/pkg/bootstrap.Config\" (no \"/...\")")
	}
	slash := strings.LastIndex(pat, "/")
	rest := pat[slash+1:]
	dot := strings.Index(rest, ".")
	if dot < 0 {
		return "", "", "", errors.New("no type: write PACKAGE.Type, such as \"*/pkg/bootstrap.Config\"")
	}
	pkg = pat[:slash+1] + rest[:dot]
	parts := strings.Split(rest[dot+1:], ".")
	if len(parts) > 2 {
		return "", "", "", errors.New("too many dots: write PACKAGE.Type or PACKAGE.Type.Field")
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, "/[]()") {
			return "", "", "", errors.New("a type or field name is a Go identifier, with \"*\" for any characters")
		}
	}
	if pkg == "" || strings.HasSuffix(pkg, "/...") || strings.HasSuffix(pkg, "/") {
		return "", "", "", errors.New("the package is an import path pattern such as \"*/pkg/bootstrap\" (no \"/...\")")
	}
	typ = parts[0]
	if len(parts) == 2 {
		field = parts[1]
	}
	return pkg, typ, field, nil
}

func identGlob(s string) *regexp.Regexp {
	return regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(s), `\*`, ".*") + "$")
}

func compileTypePattern(pat string, c *Component) (typePattern, bool) {
	pkg, typ, field, err := splitTypePattern(pat)
	if err != nil {
		return typePattern{}, false
	}
	tp := typePattern{pkg: compilePkgPattern(pkg), typ: identGlob(typ), c: c}
	if field != "" {
		tp.field = identGlob(field)
	}
	return tp, true
}

// MatchType returns the component one of whose "types" patterns matches a
// field of the named type (pkgPath.typeName.field), or nil; field may be
// empty for the type as a whole. The first matching component in file
// order wins.
func (reg *Registry) MatchType(pkgPath, typeName, field string) *Component {
	for _, tp := range reg.idx.types {
		if !tp.typ.MatchString(typeName) || !tp.pkg.MatchString(pkgPath) {
			continue
		}
		if tp.field != nil && !tp.field.MatchString(field) {
			continue
		}
		return tp.c
	}
	return nil
}

// HasTypes reports whether any component declares "types".
func (reg *Registry) HasTypes() bool { return len(reg.idx.types) > 0 }

// A key pattern is a dotted key path: "bootstrap.adminPort",
// "sidecar.*.port", "transparentProxy.**". "*" matches one key (or part of
// one: "*Port"), "**" any number of keys, none included. List indices are
// not part of a path: service.ports[0].port is "service.ports.port".
type keyPattern struct {
	segs []keySeg
	c    *Component
}

// A keySeg is one key of a pattern: "**", a literal (folded), or a glob.
type keySeg struct {
	any bool
	lit string
	re  *regexp.Regexp
}

func compileKeyPattern(pat string, c *Component) keyPattern {
	kp := keyPattern{c: c}
	for _, s := range strings.Split(pat, ".") {
		switch {
		case s == "**":
			kp.segs = append(kp.segs, keySeg{any: true})
		case strings.Contains(s, "*"):
			kp.segs = append(kp.segs, keySeg{re: identGlob(foldKey(s))})
		default:
			kp.segs = append(kp.segs, keySeg{lit: foldKey(s)})
		}
	}
	return kp
}

// ValidateKeyPattern reports what is wrong with a key pattern.
func ValidateKeyPattern(pat string) error {
	if pat == "" || strings.TrimSpace(pat) != pat {
		return errors.New("a key pattern is a dotted key path such as \"sidecar.**\", without spaces")
	}
	for _, s := range strings.Split(pat, ".") {
		if s == "" {
			return errors.New("an empty key between dots")
		}
		if strings.Contains(s, "**") && s != "**" {
			return errors.New("\"**\" stands alone between dots")
		}
	}
	return nil
}

// MatchKey returns the component one of whose "keys" patterns matches the
// key path (the keys from the document's root to the value), or nil. Keys
// compare without regard to case, "-" and "_", as component names do.
// The longest matching pattern wins, then file order: "sidecar.admin.**"
// beats "sidecar.**".
func (reg *Registry) MatchKey(path []string) *Component {
	if len(reg.idx.keys) == 0 {
		return nil
	}
	folded := make([]string, len(path))
	for i, k := range path {
		folded[i] = foldKey(k)
	}
	path = folded
	var best *Component
	bestLen := -1
	for _, kp := range reg.idx.keys {
		if len(kp.segs) > bestLen && matchKeySegs(kp.segs, path) {
			best, bestLen = kp.c, len(kp.segs)
		}
	}
	return best
}

// HasKeys reports whether any component declares "keys".
func (reg *Registry) HasKeys() bool { return len(reg.idx.keys) > 0 }

func matchKeySegs(pat []keySeg, path []string) bool {
	if len(pat) == 0 {
		return len(path) == 0
	}
	if pat[0].any {
		for i := 0; i <= len(path); i++ {
			if matchKeySegs(pat[1:], path[i:]) {
				return true
			}
		}
		return false
	}
	if len(path) == 0 || !pat[0].match(path[0]) {
		return false
	}
	return matchKeySegs(pat[1:], path[1:])
}

func (k keySeg) match(folded string) bool {
	if k.re != nil {
		return k.re.MatchString(folded)
	}
	return k.lit == folded
}

func foldKey(s string) string {
	return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))
}
