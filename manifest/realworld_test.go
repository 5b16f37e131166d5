package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// TestRealManifests scans manifests nobody here wrote: set
// PORTLINT_REAL_MANIFESTS to a directory whose entries (directories or
// links to them, such as modules from the Go module cache) hold Helm
// charts, example manifests and configs. Every file Discover picks must
// scan without an error; notes are allowed (templates). With
// PORTLINT_REAL_REPORT set to a file name, every use and finding is
// written there for review.
func TestRealManifests(t *testing.T) {
	dir := os.Getenv("PORTLINT_REAL_MANIFESTS")
	if dir == "" {
		t.Skip("set PORTLINT_REAL_MANIFESTS to a directory of third-party source trees to scan them")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	reg := flagship(t)
	c := &check.Checker{Reg: reg}
	var report strings.Builder
	for _, e := range entries {
		root, err := filepath.EvalSymlinks(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(root); err != nil || !st.IsDir() {
			continue
		}
		files, _, err := Discover([]string{root}, nil)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		uses, notes, findings, bytes := 0, 0, 0, 0
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			bytes += len(data)
			rel, _ := filepath.Rel(root, p)
			f, err := Scan(rel, data, Options{Registry: reg, Rel: filepath.ToSlash(rel)})
			if err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
			if err := checkInvariants(rel, data, reg); err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
			kinds[f.Kind]++
			uses += len(f.Uses)
			notes += len(f.Notes)
			for _, u := range f.Uses {
				r := finding.RecordOf(u)
				fmt.Fprintf(&report, "use %s/%s:%d:%d %d %s %s bind=%s comp=%s/%s %q\n", e.Name(), r.File, r.Line, r.Column, r.Port, r.Role, r.Proto, r.Bind, r.Component, r.Via, r.Source)
			}
			for _, n := range f.Notes {
				fmt.Fprintf(&report, "note %s/%s: %s\n", e.Name(), n.Pos, n.Message)
			}
			for _, fd := range Check(f, c) {
				findings++
				fmt.Fprintf(&report, "finding %s/%s: %s [%s]\n", e.Name(), fd.Pos, fd.Message, fd.Check)
			}
		}
		var ks []string
		for k, n := range kinds {
			if k == "" {
				k = "unrecognised"
			}
			ks = append(ks, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(ks)
		t.Logf("%s: %d files (%d bytes; %s), %d uses, %d findings, %d notes", e.Name(), len(files), bytes, strings.Join(ks, ", "), uses, findings, notes)
	}
	if out := os.Getenv("PORTLINT_REAL_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
