package manifest

import (
	"bytes"
	"fmt"
	"strings"
)

// A span is a template action's bytes, "{{ ... }}", "{% ... %}" or "{# ... #}".
type span struct{ start, end int }

// templateSpans finds the Helm and Jinja template actions of the text.
func templateSpans(text []byte) []span {
	var out []span
	for i := 0; i+1 < len(text); {
		j := indexAny2(text[i:])
		if j < 0 {
			break
		}
		start := i + j
		closer := []byte("}}")
		switch text[start+1] {
		case '%':
			closer = []byte("%}")
		case '#':
			closer = []byte("#}") // a Jinja comment
		}
		from := start + 2
		if c := commentStart(text[from:]); c >= 0 {
			// {{- /* a comment may hold "{{ if }}" */ -}}: it ends at "*/"
			if k := bytes.Index(text[from+c:], []byte("*/")); k >= 0 {
				from += c + k + 2
			}
		}
		end := bytes.Index(text[from:], closer)
		if end < 0 {
			end = len(text)
		} else {
			end += from + len(closer)
		}
		out = append(out, span{start, end})
		i = end
	}
	return out
}

// indexAny2 finds "{{", "{%" or "{#".
func indexAny2(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '{' && (b[i+1] == '{' || b[i+1] == '%' || b[i+1] == '#') {
			return i
		}
	}
	return -1
}

// conditionals returns the byte ranges of the text inside template
// blocks that may leave it out: {{ if }}, {{ with }}, {{ range }} and
// Jinja's {% if %} and {% for %}, each up to its end.
func conditionals(text []byte, spans []span) []span {
	var open []int
	var out []span
	for _, sp := range spans {
		a := strings.TrimLeft(string(text[sp.start+2:sp.end]), "-+ \t\r\n")
		word, _, _ := strings.Cut(a, " ")
		word = strings.TrimRight(word, "-}% \t\r\n")
		switch word {
		case "if", "with", "range", "for":
			open = append(open, sp.end)
		case "end", "endif", "endfor", "endwith":
			if n := len(open); n > 0 {
				out = append(out, span{open[n-1], sp.start})
				open = open[:n-1]
			}
		}
	}
	return out
}

// commentStart returns where "/*" begins in the text after "{{" when the
// action is a Go template comment ("{{/*", "{{- /*"), else -1.
func commentStart(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if bytes.HasPrefix(b[i:], []byte("/*")) {
		return i
	}
	return -1
}

// stripSpans replaces the template actions, keeping every byte offset and
// line break. An action alone on its lines ("{{- if .x }}", "{{ toYaml .v |
// nindent 4 }}") becomes blank; an action sharing its line with YAML becomes
// a placeholder word of its length (x...), so that "{{ $k }}: {{ $v }}" still
// reads as a key and a value, "image: {{ .r }}:{{ .t }}" as a string and
// "containerPort: {{ .Values.port }}" as a value that is no port.
func stripSpans(text []byte, spans []span) []byte {
	out := bytes.Clone(text)
	in := make([]bool, len(text))
	for _, sp := range spans {
		for i := sp.start; i < sp.end; i++ {
			in[i] = true
		}
	}
	// mixed reports whether the line around offset i holds YAML besides
	// template actions.
	mixed := func(i int) bool {
		st := bytes.LastIndexAny(text[:i], "\r\n") + 1
		en := bytes.IndexAny(text[i:], "\r\n")
		if en < 0 {
			en = len(text)
		} else {
			en += i
		}
		for k := st; k < en; k++ {
			if !in[k] && text[k] != ' ' && text[k] != '\t' {
				return true
			}
		}
		return false
	}
	for _, sp := range spans {
		fill := byte(' ')
		if !bytes.ContainsAny(text[sp.start:sp.end], "\r\n") && mixed(sp.start) {
			fill = 'x'
		}
		for i := sp.start; i < sp.end; i++ {
			if c := out[i]; c != '\n' && c != '\r' {
				out[i] = fill
			}
		}
	}
	return out
}

// noteTemplates records what was skipped: one note for the file, and one
// for each port key whose value a template sets.
func (s *scanner) noteTemplates(text []byte, spans []span) {
	var lines []int
	for _, sp := range spans {
		for l := s.src.lineOf(sp.start); l <= s.src.lineOf(max(sp.start, sp.end-1)); l++ {
			if len(lines) == 0 || lines[len(lines)-1] < l {
				lines = append(lines, l)
			}
		}
	}
	s.notef(s.src.pos(spans[0].start), "skipped %d template %s (Helm or Jinja) on %s %s",
		len(spans), plural(len(spans), "action", "actions"), plural(len(lines), "line", "lines"), lineList(lines, 12))
	for _, sp := range spans {
		st := s.src.lineStart(s.src.lineOf(sp.start))
		before := strings.TrimSpace(string(text[st:sp.start]))
		if !strings.HasSuffix(before, ":") {
			continue
		}
		key := strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(before, ":"), "- "))
		key = strings.Trim(key, `"'`)
		if c := classifyKey(key); key != "" && c.kind != keyNone {
			expr := string(text[sp.start:sp.end])
			if len(expr) > 60 {
				expr = expr[:57] + "..."
			}
			s.notef(s.src.pos(sp.start), "%s is set by a template (%s); not checked", key, expr)
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// lineList writes sorted line numbers compactly: "3, 5-7, 12".
func lineList(lines []int, max int) string {
	var parts []string
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(lines[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", lines[i], lines[j]))
		}
		i = j + 1
	}
	if len(parts) > max {
		return strings.Join(parts[:max], ", ") + fmt.Sprintf(" and %d more", len(parts)-max)
	}
	return strings.Join(parts, ", ")
}
