package resolve

import (
	"sort"
	"unicode/utf8"
)

// lineTable maps the parser's positions (line from 1, column from 1 in
// characters) to byte offsets and back. It counts line breaks as yaml.v3
// does: LF, CR LF, a lone CR, NEL, LS and PS; a UTF-8 byte order mark at
// the start is not part of line 1's columns. It goes on from the mark it
// last gave where it can, so that many positions on one long line (JSON
// on one line) cost one pass over it.
type lineTable struct {
	data       []byte
	starts     []int // starts[k] is the offset of line k+1
	toOffset   mark  // the mark offset last returned
	toPosition mark  // the mark position last returned
}

// mark is a position and its offset.
type mark struct{ line, column, offset int }

func newLineTable(data []byte) *lineTable {
	starts := []int{bomLen(data)}
	for i := starts[0]; i < len(data); {
		n := breakLen(data, i)
		if n == 0 {
			i++
			continue
		}
		i += n
		starts = append(starts, i)
	}
	return &lineTable{data: data, starts: starts}
}

// offset returns the byte offset of line and column, and false for a
// position not in the data.
func (t *lineTable) offset(line, column int) (int, bool) {
	if line < 1 || line > len(t.starts) || column < 1 {
		return 0, false
	}
	m := mark{line, 1, t.starts[line-1]}
	if t.toOffset.line == line && t.toOffset.column <= column {
		m = t.toOffset
	}
	for ; m.column < column; m.column++ {
		if m.offset >= len(t.data) || breakLen(t.data, m.offset) > 0 {
			return 0, false
		}
		_, w := utf8.DecodeRune(t.data[m.offset:])
		m.offset += w
	}
	t.toOffset = m
	return m.offset, true
}

// position returns the line and column of a byte offset.
func (t *lineTable) position(offset int) (line, column int) {
	line = sort.Search(len(t.starts), func(k int) bool { return t.starts[k] > offset })
	m := mark{line, 1, t.starts[line-1]}
	if t.toPosition.line == line && t.toPosition.offset <= offset {
		m = t.toPosition
	}
	m.column += utf8.RuneCount(t.data[m.offset:offset])
	m.offset = offset
	t.toPosition = m
	return line, m.column
}

// breakLen is the length of the line break at data[i], or 0.
func breakLen(data []byte, i int) int {
	switch {
	case data[i] == '\n':
		return 1
	case data[i] == '\r':
		if i+1 < len(data) && data[i+1] == '\n' {
			return 2
		}
		return 1
	case data[i] == 0xC2 && i+1 < len(data) && data[i+1] == 0x85:
		return 2 // NEL
	case data[i] == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
		return 3 // LS, PS
	}
	return 0
}

// bomLen is the length of a UTF-8 byte order mark at the start of data.
func bomLen(data []byte) int {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return 3
	}
	return 0
}
