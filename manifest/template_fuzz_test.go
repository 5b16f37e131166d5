package manifest

import (
	"bytes"
	"testing"
)

// FuzzTemplate: Helm and Jinja action spans are ordered, disjoint, inside
// the text and start with an action's opening; setting them aside keeps
// every byte offset and line break, and leaves no action opening behind
// that a span covered.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"port: {{ .Values.port }}\n",
		"{{- if .Values.x }}\nports:\n  - containerPort: 80\n{{- end }}\n",
		"{# comment {{ }} #}\n{% if a %}x: 1{% endif %}\n",
		"{{ toYaml .Values.ports | nindent 4 }}",
		"{{ unterminated\nport: 1\n",
		"{{/* a comment with }} inside */}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		spans := templateSpans(text)
		end := 0
		for _, sp := range spans {
			if sp.start < end || sp.end <= sp.start || sp.end > len(text) {
				t.Fatalf("span %+v after %d in %d bytes", sp, end, len(text))
			}
			if o := text[sp.start : sp.start+2]; !bytes.Equal(o, []byte("{{")) && !bytes.Equal(o, []byte("{%")) && !bytes.Equal(o, []byte("{#")) {
				t.Fatalf("span %+v starts with %q", sp, o)
			}
			end = sp.end
		}
		out := stripSpans(text, spans)
		if len(out) != len(text) {
			t.Fatalf("stripped %d bytes to %d", len(text), len(out))
		}
		for i := range text {
			if (text[i] == '\n') != (out[i] == '\n') {
				t.Fatalf("line break moved at %d", i)
			}
		}
		for _, c := range conditionals(text, spans) {
			if c.start < 0 || c.end > len(text) || c.start > c.end {
				t.Fatalf("conditional %+v in %d bytes", c, len(text))
			}
		}
	})
}
