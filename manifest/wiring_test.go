package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// The wiring fixtures live in testdata/wiring/<case>/: every YAML file of
// a case is scanned, and the wiring checks run over the case as one tree.
// "# want" comments expect the wiring findings and notes (as "[note]") of
// their line, as in the manifest fixtures; the findings of the per-use
// checks are tested there and not expected here. A registry.yaml in the
// case replaces the flagship registry.
const wiringRoot = "testdata/wiring"

func TestWiringFixtures(t *testing.T) {
	cases, err := os.ReadDir(wiringRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 3 {
		t.Fatalf("found only %d wiring cases", len(cases))
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			runWiringCase(t, filepath.Join(wiringRoot, c.Name()))
		})
	}
}

func runWiringCase(t *testing.T, dir string) {
	reg := flagship(t)
	if data, err := os.ReadFile(filepath.Join(dir, "registry.yaml")); err == nil {
		if reg, err = registry.Parse(filepath.Join(dir, "registry.yaml"), data); err != nil {
			t.Fatal(err)
		}
	}
	var files []*File
	wants := map[string][]*want{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "registry.yaml" || filepath.Ext(p) != ".yaml" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f, err := Scan(p, data, Options{Registry: reg, Rel: filepath.ToSlash(rel)})
		if err != nil {
			t.Errorf("%v", err)
		}
		files = append(files, f)
		ws, err := parseWants(p, data)
		if err != nil {
			return err
		}
		wants[p] = ws
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fs, notes := Wiring(files, nil, reg, check.DefaultSet())
	type got struct {
		file string
		line int
		text string
	}
	var all []got
	for _, f := range fs {
		if !f.Ignored {
			all = append(all, got{f.Pos.File, f.Pos.Line, f.Message + " [" + f.Check + "]"})
		}
	}
	for _, n := range notes {
		all = append(all, got{n.Pos.File, n.Pos.Line, n.Message + " [note]"})
	}
	sort.SliceStable(all, func(i, j int) bool {
		return all[i].file < all[j].file || all[i].file == all[j].file && all[i].line < all[j].line
	})
	for _, g := range all {
		ok := false
		for _, w := range wants[g.file] {
			if !w.matched && w.line == g.line && w.re.MatchString(g.text) {
				w.matched, ok = true, true
				break
			}
		}
		if !ok {
			t.Errorf("%s:%d: unexpected: %s", g.file, g.line, g.text)
		}
	}
	for p, ws := range wants {
		for _, w := range ws {
			if !w.matched {
				t.Errorf("%s:%d: no finding matched %q", p, w.line, w.re)
			}
		}
	}
	if t.Failed() {
		t.Logf("reported:\n%s", func() string {
			var b strings.Builder
			for _, g := range all {
				fmt.Fprintf(&b, "%s:%d: %s\n", g.file, g.line, g.text)
			}
			return b.String()
		}())
	}
}
