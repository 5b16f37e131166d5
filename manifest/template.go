package manifest

import (
	"bytes"
	"fmt"
	"strings"
)

// templateLines returns the lines holding a Helm or Jinja template action
// ("{{ ... }}", "{% ... %}"), an action spanning lines marking each of them.
func templateLines(src *source, text []byte) []int {
	var lines []int
	mark := func(a, b int) {
		for l := a; l <= b; l++ {
			if len(lines) == 0 || lines[len(lines)-1] < l {
				lines = append(lines, l)
			}
		}
	}
	for i := 0; i+1 < len(text); {
		j := indexAny2(text[i:])
		if j < 0 {
			break
		}
		start := i + j
		closer := []byte("}}")
		if text[start+1] == '%' {
			closer = []byte("%}")
		}
		end := bytes.Index(text[start+2:], closer)
		if end < 0 {
			end = start + 2
		} else {
			end += start + 2
		}
		mark(src.lineOf(start), src.lineOf(end))
		i = end + 2
	}
	return lines
}

// indexAny2 finds "{{" or "{%".
func indexAny2(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '{' && (b[i+1] == '{' || b[i+1] == '%') {
			return i
		}
	}
	return -1
}

// stripLines blanks the given lines, keeping every byte offset and line
// number: a blank line is nothing to YAML.
func stripLines(src *source, text []byte, lines []int) []byte {
	out := bytes.Clone(text)
	for _, l := range lines {
		for i := src.lineStart(l); i < src.lineEnd(l); i++ {
			out[i] = ' '
		}
	}
	return out
}

// noteTemplates records the skipped lines: one note for the file, and one
// for each skipped line that sets a port from a template.
func (s *scanner) noteTemplates(text []byte, lines []int) {
	s.notef(s.src.pos(s.src.lineStart(lines[0])), "skipped %d template %s (Helm or Jinja): %s",
		len(lines), plural(len(lines), "line", "lines"), lineList(lines, 12))
	for _, l := range lines {
		st, en := s.src.lineStart(l), s.src.lineEnd(l)
		line := text[st:en]
		i := indexAny2(line)
		if i < 0 {
			continue
		}
		key := strings.TrimSpace(string(line[:i]))
		key = strings.Trim(strings.TrimSpace(strings.TrimSuffix(key, ":")), `"'`)
		key = strings.TrimSpace(strings.TrimPrefix(key, "- "))
		if key == "" || !strings.HasSuffix(strings.TrimSpace(string(line[:i])), ":") {
			continue
		}
		if c := classifyKey(key); c.kind != keyNone {
			expr := strings.TrimSpace(string(line[i:]))
			if len(expr) > 60 {
				expr = expr[:57] + "..."
			}
			s.notef(s.src.pos(st+i), "%s is set by a template (%s); not checked", key, expr)
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
