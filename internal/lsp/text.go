package lsp

import (
	"fmt"
	"unicode/utf8"
)

// A text is a document's content with its line starts. It converts byte
// offsets, which portlint's findings carry, to the protocol's positions,
// which count UTF-16 code units, and back.
type text struct {
	data  []byte
	lines []int // byte offset of the start of each line
}

func newText(data []byte) *text {
	t := &text{data: data, lines: []int{0}}
	for i, b := range data {
		if b == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// lineEnd returns the offset of the end of line i (0-based), before its
// line terminator.
func (t *text) lineEnd(i int) int {
	end := len(t.data)
	if i+1 < len(t.lines) {
		end = t.lines[i+1] - 1
		if end > t.lines[i] && t.data[end-1] == '\r' {
			end--
		}
	}
	return end
}

// position returns the protocol position of a byte offset; offsets out of
// range are clamped, and an offset inside a character counts as its start.
func (t *text) position(off int) Position {
	off = max(0, min(off, len(t.data)))
	line := 0
	lo, hi := 0, len(t.lines)-1
	for lo <= hi { // the last line start <= off
		mid := (lo + hi) / 2
		if t.lines[mid] <= off {
			line, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	return Position{Line: line, Character: utf16Len(t.data[t.lines[line]:off])}
}

// offset returns the byte offset of a protocol position. A character past
// the end of its line means the end of the line.
func (t *text) offset(p Position) (int, error) {
	if p.Line < 0 || p.Character < 0 {
		return 0, fmt.Errorf("position %d:%d is negative", p.Line, p.Character)
	}
	if p.Line >= len(t.lines) {
		if p.Line == len(t.lines) && p.Character == 0 {
			return len(t.data), nil
		}
		return 0, fmt.Errorf("line %d is past the end of the document (%d lines)", p.Line, len(t.lines))
	}
	off, end := t.lines[p.Line], t.lineEnd(p.Line)
	for units := 0; off < end; {
		r, size := utf8.DecodeRune(t.data[off:end])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > p.Character {
			break
		}
		units += n
		off += size
	}
	return off, nil
}

// rangeOf returns the protocol range of the bytes [start, end).
func (t *text) rangeOf(start, end int) Range {
	return Range{Start: t.position(start), End: t.position(max(start, end))}
}

// lineCol returns the byte offset of a 1-based line and column. The column
// counts bytes, or runes when runes is set (the registry's positions,
// which its YAML parser counts in characters).
func (t *text) lineCol(line, col int, runes bool) int {
	if line < 1 {
		return 0
	}
	if line > len(t.lines) {
		return len(t.data)
	}
	start, end := t.lines[line-1], t.lineEnd(line-1)
	if !runes {
		return min(start+max(col-1, 0), end)
	}
	off := start
	for c := 1; c < col && off < end; c++ {
		_, size := utf8.DecodeRune(t.data[off:end])
		off += size
	}
	return off
}

// utf16Len counts the UTF-16 code units of UTF-8 text; a byte that is not
// UTF-8 counts as one unit, as its replacement character does.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

// applyChanges applies the changes of a didChange notification in order.
func applyChanges(data []byte, changes []TextDocumentContentChangeEvent) ([]byte, error) {
	for _, c := range changes {
		if c.Range == nil {
			data = []byte(c.Text)
			continue
		}
		t := newText(data)
		start, err := t.offset(c.Range.Start)
		if err != nil {
			return nil, err
		}
		end, err := t.offset(c.Range.End)
		if err != nil {
			return nil, err
		}
		if end < start {
			return nil, fmt.Errorf("change range ends before it starts")
		}
		next := make([]byte, 0, len(data)-(end-start)+len(c.Text))
		next = append(next, data[:start]...)
		next = append(next, c.Text...)
		data = append(next, data[end:]...)
	}
	return data, nil
}
