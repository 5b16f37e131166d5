package manifest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// The fixtures live under testdata/manifests/<format>/. A comment
//
//	# want "regexp" "regexp"...
//
// on a line expects, for each regexp, one finding on that line whose
// "message [check]" it matches. Notes are expected the same way as
// "message [note]" and a scan error as "message [error]". JSON has no
// comments, and a want after a directive would be read as its reason: a
// file x.json or x.yaml also takes expectations from x.json.want or
// x.yaml.want, lines of "LINE regexp...". Every finding and note must be expected, and every
// expectation met, as analysistest does for Go.
//
// A registry.yaml in a format's directory replaces the flagship registry
// for the fixtures there; paths relative to the format's directory are
// what the registry's manifest globs see.

const fixtureRoot = "testdata/manifests"

func flagship(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := portlint.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// A want is one expectation.
type want struct {
	line    int
	re      *regexp.Regexp
	matched bool
}

var wantRE = regexp.MustCompile(`#\s*want\s+(.*)$`)

// parseWants reads the expectations of a fixture.
func parseWants(path string, data []byte) ([]*want, error) {
	var ws []*want
	addAll := func(line int, rest string) error {
		for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
			lit, tail, err := cutQuoted(rest)
			if err != nil {
				return fmt.Errorf("%s:%d: %v", path, line, err)
			}
			re, err := regexp.Compile(lit)
			if err != nil {
				return fmt.Errorf("%s:%d: %v", path, line, err)
			}
			ws = append(ws, &want{line: line, re: re})
			rest = tail
		}
		return nil
	}
	if side, err := os.ReadFile(path + ".want"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(side))
		for sc.Scan() {
			l := strings.TrimSpace(sc.Text())
			if l == "" || strings.HasPrefix(l, "//") {
				continue
			}
			num, rest, _ := strings.Cut(l, " ")
			n, err := strconv.Atoi(num)
			if err != nil {
				return nil, fmt.Errorf("%s.want: bad line %q", path, l)
			}
			if err := addAll(n, rest); err != nil {
				return nil, err
			}
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if strings.HasSuffix(path, ".json") {
		return ws, nil
	}
	for i, l := range strings.Split(string(data), "\n") {
		if m := wantRE.FindStringSubmatch(l); m != nil {
			if err := addAll(i+1, m[1]); err != nil {
				return nil, err
			}
		}
	}
	return ws, nil
}

// cutQuoted reads one Go string literal, "..." or `...`, from the front.
func cutQuoted(s string) (lit, rest string, err error) {
	switch s[0] {
	case '`':
		end := strings.IndexByte(s[1:], '`')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated raw string in want")
		}
		return s[1 : end+1], s[end+2:], nil
	case '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				v, err := strconv.Unquote(s[:i+1])
				return v, s[i+1:], err
			}
		}
		return "", "", fmt.Errorf("unterminated string in want")
	}
	return "", "", fmt.Errorf("want expects quoted regexps, got %q", s)
}

// A reported item is a finding, a note or an error, as the wants see it.
type reported struct {
	line int
	text string
}

// runFixture scans one fixture and matches what is reported against its
// expectations, reporting every mismatch through errorf.
func runFixture(errorf func(format string, args ...any), path, rel string, data []byte, reg *registry.Registry) {
	ws, err := parseWants(path, data)
	if err != nil {
		errorf("%v", err)
		return
	}
	var got []reported
	f, err := Scan(path, data, Options{Registry: reg, Rel: rel})
	if err != nil {
		e, ok := err.(*Error)
		if !ok {
			errorf("%s: Scan returned %T, want *Error: %v", path, err, err)
			return
		}
		got = append(got, reported{e.Pos.Line, e.Msg + " [error]"})
	}
	for _, n := range f.Notes {
		got = append(got, reported{n.Pos.Line, n.Message + " [note]"})
	}
	for _, fd := range Check(f, &check.Checker{Reg: reg}) {
		if !fd.Ignored {
			got = append(got, reported{fd.Pos.Line, fd.Message + " [" + fd.Check + "]"})
		}
	}
	sort.SliceStable(got, func(i, j int) bool { return got[i].line < got[j].line })
	for _, g := range got {
		ok := false
		for _, w := range ws {
			if !w.matched && w.line == g.line && w.re.MatchString(g.text) {
				w.matched, ok = true, true
				break
			}
		}
		if !ok {
			errorf("%s:%d: unexpected: %s", path, g.line, g.text)
		}
	}
	for _, w := range ws {
		if !w.matched {
			errorf("%s:%d: no finding matched %q", path, w.line, w.re)
		}
	}
}

// fixtures lists the fixtures of a format directory ("" for all).
func fixtures(t testing.TB, format string) []string {
	var out []string
	root := filepath.Join(fixtureRoot, format)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Base(p) == "registry.yaml" {
			return nil
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixtureEnv returns the registry and the glob path for a fixture.
func fixtureEnv(t testing.TB, p string) (*registry.Registry, string) {
	rel, _ := filepath.Rel(fixtureRoot, p)
	parts := strings.SplitN(filepath.ToSlash(rel), "/", 2)
	format, inFormat := parts[0], parts[len(parts)-1]
	reg := flagship(t)
	if data, err := os.ReadFile(filepath.Join(fixtureRoot, format, "registry.yaml")); err == nil {
		r, err := registry.Parse(format+"/registry.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		reg = r
	}
	return reg, inFormat
}

func TestFixtures(t *testing.T) {
	all := fixtures(t, "")
	if len(all) < 6 {
		t.Fatalf("found only %d fixtures", len(all))
	}
	for _, p := range all {
		t.Run(strings.TrimPrefix(filepath.ToSlash(p), fixtureRoot+"/"), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			reg, rel := fixtureEnv(t, p)
			runFixture(t.Errorf, p, rel, data, reg)
		})
	}
}

// TestHarness checks the harness itself: a finding nobody expects and an
// expectation nothing meets are both failures.
func TestHarness(t *testing.T) {
	src := "services:\n  agent:\n    image: engine/agent\n    ports:\n      - \"8099:8099\"\n      - \"20000:20000\" # want \"port 20000\"\n"
	var errs []string
	runFixture(func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) },
		"compose.yaml", "compose.yaml", []byte(src), flagship(t))
	joined := strings.Join(errs, "\n")
	for _, w := range []string{
		`compose.yaml:5: unexpected: port 8099 is retired: agent moved to 20000 [retired]`,
		`compose.yaml:6: no finding matched "port 20000"`,
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("harness did not report %q; it reported:\n%s", w, joined)
		}
	}
	if len(errs) != 2 { // one retired finding on line 5 (both columns, one fix), one unmet want
		t.Errorf("harness reported %d problems, want 2:\n%s", len(errs), joined)
	}
}
