package manifest

import (
	"strings"
	"testing"
)

// TestConditionals checks which text a template condition may leave out:
// nested blocks, else branches, Jinja blocks, comments and actions that
// are no blocks.
func TestConditionals(t *testing.T) {
	text := strings.Join([]string{
		`a: {{ .Values.a }}`,
		`{{- if .Values.x }}`,
		`b: 1`,
		`{{- with .Values.y }}`,
		`c: 2`,
		`{{- end }}`,
		`{{- else }}`,
		`d: 3`,
		`{{- end }}`,
		`{{- /* {{ if .z }} in a comment */ -}}`,
		`e: 4`,
		`{% for p in ports %}`,
		`f: 5`,
		`{% endfor %}`,
		`g: 6`,
	}, "\n")
	in := func(key string) bool {
		off := strings.Index(text, key+":")
		for _, c := range conditionals([]byte(text), templateSpans([]byte(text))) {
			if c.start <= off && off < c.end {
				return true
			}
		}
		return false
	}
	for key, want := range map[string]bool{"a": false, "b": true, "c": true, "d": true, "e": false, "f": true, "g": false} {
		if got := in(key); got != want {
			t.Errorf("%s under a condition: %v, want %v", key, got, want)
		}
	}
}
