package registry_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portlint/portlint/registry"
)

// The fixtures of every rule live in testdata/rules/RULE: fires*.yaml make
// the rule fire, quiet*.yaml are near misses that must not. Each fixture
// states every diagnostic it expects in a comment,
//
//	# want: LINE:COL: SEVERITY: MESSAGE SUBSTRING [RULE]
//
// and the test requires exactly those: a diagnostic nobody wants fails it,
// and so does a want nothing matched.

const rulesDir = "testdata/rules"

var wantRE = regexp.MustCompile(`^#\s*want:\s*(\d+):(\d+):\s*(error|warning|info):\s*(.*?)\s*\[([a-z-]+)\]\s*$`)

type want struct {
	line, col int
	severity  string
	substr    string
	rule      string
	at        int // line of the comment, for messages
}

func (w want) String() string {
	return strconv.Itoa(w.line) + ":" + strconv.Itoa(w.col) + ": " + w.severity + ": " + w.substr + " [" + w.rule + "]"
}

func (w want) matches(d registry.Diagnostic) bool {
	return d.Pos.Line == w.line && d.Pos.Col == w.col && d.Severity.String() == w.severity &&
		d.Rule == w.rule && strings.Contains(d.Message, w.substr)
}

func readWants(t *testing.T, data []byte) []want {
	t.Helper()
	var ws []want
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.Contains(line, "want:") {
			continue
		}
		m := wantRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d: malformed want comment %q", n, line)
		}
		l, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		ws = append(ws, want{line: l, col: c, severity: m[3], substr: m[4], rule: m[5], at: n})
	}
	return ws
}

// diagnostics returns the load errors of a file, or, when it loads, its
// validation findings.
func diagnostics(t *testing.T, file string, data []byte) []registry.Diagnostic {
	t.Helper()
	reg, err := registry.Parse(file, data)
	if err != nil {
		var el registry.ErrorList
		if !errors.As(err, &el) {
			t.Fatalf("Parse returned %T, want an ErrorList: %v", err, err)
		}
		for _, d := range el {
			if d.Pos.File != file {
				t.Errorf("diagnostic %s names file %q, want %q", d, d.Pos.File, file)
			}
		}
		return el
	}
	return reg.Problems
}

// checkWants matches diagnostics to wants one to one.
func checkWants(t *testing.T, ds []registry.Diagnostic, ws []want) {
	t.Helper()
	used := make([]bool, len(ws))
	for _, d := range ds {
		found := false
		for i, w := range ws {
			if !used[i] && w.matches(d) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("unexpected diagnostic %s", d)
		}
	}
	for i, w := range ws {
		if !used[i] {
			t.Errorf("no diagnostic matched the want on line %d: %s", w.at, w)
		}
	}
}

func TestRuleFixtures(t *testing.T) {
	for _, rule := range registry.Rules {
		t.Run(rule.Name, func(t *testing.T) {
			dir := filepath.Join(rulesDir, rule.Name)
			fires, _ := filepath.Glob(filepath.Join(dir, "fires*.yaml"))
			quiet, _ := filepath.Glob(filepath.Join(dir, "quiet*.yaml"))
			if len(fires) == 0 {
				t.Errorf("rule %s has no positive fixture: add %s/fires.yaml", rule.Name, dir)
			}
			if len(quiet) == 0 {
				t.Errorf("rule %s has no negative fixture: add %s/quiet.yaml", rule.Name, dir)
			}
			for _, file := range fires {
				t.Run(filepath.Base(file), func(t *testing.T) {
					data := readFile(t, file)
					ws := readWants(t, data)
					own := 0
					for _, w := range ws {
						if w.rule == rule.Name {
							own++
							if w.severity != rule.Severity.String() {
								t.Errorf("want on line %d has severity %s; rule %s is %s", w.at, w.severity, rule.Name, rule.Severity)
							}
						}
					}
					if own == 0 {
						t.Fatalf("%s wants no %s diagnostic", file, rule.Name)
					}
					ds := diagnostics(t, filepath.ToSlash(file), data)
					checkWants(t, ds, ws)
					_, err := registry.Parse(file, data)
					if rule.Load && err == nil {
						t.Errorf("%s is a load error, but the fixture loads", rule.Name)
					}
					if !rule.Load && err != nil {
						t.Errorf("%s is a validation rule, but the fixture does not load: %v", rule.Name, err)
					}
				})
			}
			for _, file := range quiet {
				t.Run(filepath.Base(file), func(t *testing.T) {
					data := readFile(t, file)
					ws := readWants(t, data)
					for _, w := range ws {
						if w.rule == rule.Name {
							t.Fatalf("line %d: a quiet fixture must not want %s", w.at, rule.Name)
						}
					}
					checkWants(t, diagnostics(t, filepath.ToSlash(file), data), ws)
				})
			}
		})
	}
}

// TestRuleFixtureDirs keeps the fixture tree and the rule table in step: a
// directory for a rule that no longer exists is an error too.
func TestRuleFixtureDirs(t *testing.T) {
	entries, err := os.ReadDir(rulesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if registry.LookupRule(e.Name()) == nil {
			t.Errorf("%s/%s names no rule in registry.Rules", rulesDir, e.Name())
		}
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
