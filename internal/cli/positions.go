package cli

import (
	"bytes"
	"strings"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/safefile"
)

// offsets completes positions that carry a line and column but no byte
// offset (registry entries, whole-tree findings at a registry entry), so
// that every position of the JSON output has all three.
type offsets struct {
	lines   map[string][]int // file -> offset of each line's start
	content map[string][]byte
}

func (o *offsets) fill(p *check.Position) {
	if p.File == "" || p.Line < 1 || p.Offset > 0 || (p.Line == 1 && p.Column <= 1) {
		return // no position, already complete, or at offset 0
	}
	starts := o.starts(p.File)
	if p.Line <= len(starts) && p.Column >= 1 {
		p.Offset = starts[p.Line-1] + p.Column - 1
	}
}

// starts returns the offsets of the starts of file's lines.
func (o *offsets) starts(file string) []int {
	starts, ok := o.lines[file]
	if !ok {
		data := o.data(file)
		if data != nil {
			starts = []int{0}
			for i := 0; ; {
				j := bytes.IndexByte(data[i:], '\n')
				if j < 0 {
					break
				}
				i += j + 1
				starts = append(starts, i)
			}
		}
		if o.lines == nil {
			o.lines = map[string][]int{}
		}
		o.lines[file] = starts
	}
	return starts
}

func (o *offsets) data(file string) []byte {
	if file == portlint.DefaultRegistryName {
		return portlint.DefaultRegistryYAML
	}
	if d, ok := o.content[file]; ok {
		return d
	}
	d, _ := safefile.Read(file, safefile.MaxSource)
	if o.content == nil {
		o.content = map[string][]byte{}
	}
	o.content[file] = d
	return d
}

// extend gives an empty range (a whole-tree finding at a registry entry)
// the extent of the value it starts at, so that it covers the port.
func (o *offsets) extend(f *finding.Finding) {
	if f.End.Offset != f.Pos.Offset || f.End.File != f.Pos.File {
		return
	}
	data := o.data(f.Pos.File)
	i := f.Pos.Offset
	if data == nil || i >= len(data) {
		return
	}
	j := i
	for j < len(data) && !strings.ContainsRune(",}] \t\r\n#", rune(data[j])) {
		j++
	}
	f.End = f.Pos
	f.End.Offset, f.End.Column = j, f.Pos.Column+j-i
}

// complete fills the missing offsets of a finding's positions and gives
// an empty range the extent of its value.
func (o *offsets) complete(f *finding.Finding) {
	o.fill(&f.Pos)
	o.fill(&f.End)
	o.extend(f)
	for i := range f.Related {
		o.fill(&f.Related[i].Pos)
	}
}
