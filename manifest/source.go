package manifest

import (
	"sort"

	"github.com/portlint/portlint/check"
)

// A source maps between yaml.v3's positions (1-based lines, columns that
// count characters) and portlint's (byte columns and byte offsets).
//
// yaml.v3 breaks lines at LF, CR, CRLF and, as YAML 1.1 does, at NEL, LS and
// PS; the line table follows it so that node lines and table lines agree.
type source struct {
	path  string
	data  []byte
	lines []int // byte offset of the start of each line; lines[0] == 0
	bom   int   // length of a leading UTF-8 byte order mark, which yaml.v3 skips

	ascii map[int]bool    // per line: holds only ASCII bytes
	runes map[int][]int32 // per long non-ASCII line: byte offset of each character
}

func newSource(path string, data []byte) *source {
	s := &source{path: path, data: data, lines: []int{0}}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		s.bom = 3
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '\n':
			s.lines = append(s.lines, i+1)
		case c == '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			s.lines = append(s.lines, i+1)
		case c == 0xC2 && i+1 < len(data) && data[i+1] == 0x85: // NEL
			i++
			s.lines = append(s.lines, i+1)
		case c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9): // LS, PS
			i += 2
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// lineStart returns the byte offset where the 1-based line begins, clamped
// to the file.
func (s *source) lineStart(line int) int {
	switch {
	case line < 1:
		return s.bom
	case line > len(s.lines):
		return len(s.data)
	case line == 1:
		return s.bom
	}
	return s.lines[line-1]
}

// lineEnd returns the offset of the line break ending the line (or the end
// of the data).
func (s *source) lineEnd(line int) int {
	if line < 1 || line >= len(s.lines) {
		return len(s.data)
	}
	end := s.lines[line] // start of the next line
	d := s.data
	switch {
	case end >= 2 && d[end-2] == '\r' && d[end-1] == '\n':
		end -= 2
	case d[end-1] == '\n' || d[end-1] == '\r':
		end--
	case end >= 2 && d[end-2] == 0xC2 && d[end-1] == 0x85:
		end -= 2
	default: // LS or PS
		end -= 3
	}
	return max(end, s.lineStart(line))
}

// charWidth is yaml.v3's width of a UTF-8 sequence from its leading byte.
func charWidth(b byte) int {
	switch {
	case b&0x80 == 0x00:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 1
}

const longLine = 512

// offset converts a yaml.v3 line and character column to a byte offset.
func (s *source) offset(line, col int) int {
	start := s.lineStart(line)
	if col <= 1 {
		return start
	}
	end := s.lineEnd(line)
	if s.isASCII(line, start, end) {
		return min(start+col-1, end)
	}
	if end-start >= longLine {
		idx := s.runes[line]
		if idx == nil {
			for i := start; i < end; i += charWidth(s.data[i]) {
				idx = append(idx, int32(i))
			}
			if s.runes == nil {
				s.runes = map[int][]int32{}
			}
			s.runes[line] = idx
		}
		if col-1 < len(idx) {
			return int(idx[col-1])
		}
		return end
	}
	i := start
	for n := 1; n < col && i < end; n++ {
		i += charWidth(s.data[i])
	}
	return min(i, end)
}

func (s *source) isASCII(line, start, end int) bool {
	if ok, seen := s.ascii[line]; seen {
		return ok
	}
	ok := true
	for i := start; i < end; i++ {
		if s.data[i] >= 0x80 {
			ok = false
			break
		}
	}
	if s.ascii == nil {
		s.ascii = map[int]bool{}
	}
	s.ascii[line] = ok
	return ok
}

// pos returns the position of a byte offset.
func (s *source) pos(off int) check.Position {
	off = max(0, min(off, len(s.data)))
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	return check.Position{File: s.path, Line: i + 1, Column: off - s.lines[i] + 1, Offset: off}
}

// lineOf returns the 1-based line holding the offset.
func (s *source) lineOf(off int) int { return s.pos(off).Line }
