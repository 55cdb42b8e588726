package resolve

import (
	"bytes"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// quoting is how a scalar is written.
type quoting int

const (
	plain quoting = iota
	singleQuoted
	doubleQuoted
	block // literal (|) or folded (>)
)

func quotingOf(s yaml.Style) quoting {
	switch {
	case s&yaml.DoubleQuotedStyle != 0:
		return doubleQuoted
	case s&yaml.SingleQuotedStyle != 0:
		return singleQuoted
	case s&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return block
	}
	return plain
}

func (q quoting) String() string {
	return [...]string{"plain", "single-quoted", "double-quoted", "block"}[q]
}

// locate finds the bytes of candidate c in src and checks them.
func locate(src Source, lines *lineTable, c candidate) (Reference, error) {
	at := fmt.Sprintf("%s:%d:%d", src.Name, c.line, c.column)
	ref := strings.TrimPrefix(c.value, Scheme)
	if ref == "" {
		return Reference{}, fmt.Errorf("%s: %w", at, ErrEmptyReference)
	}
	q := quotingOf(c.style)
	if q == block {
		return Reference{}, fmt.Errorf("%s: %w: it is a block scalar (| or >); write the value on one line, plain or quoted", at, ErrUnsupportedScalar)
	}
	start, end, ok := span(src.Data, lines, c, q)
	if !ok {
		return Reference{}, fmt.Errorf("%s: %w: its bytes do not read back as %q; write the value on one line, plain or quoted", at, ErrUnsupportedScalar, c.value)
	}
	line, column := lines.position(start)
	return Reference{Ref: ref, Source: src.Name, Line: line, Column: column, start: start, end: end, style: q}, nil
}

// span returns the bytes of c, written as q, and false if they cannot be
// found or do not decode back to c's value.
func span(data []byte, lines *lineTable, c candidate, q quoting) (start, end int, ok bool) {
	at, ok := lines.offset(c.line, c.column)
	if !ok {
		return 0, 0, false
	}
	start = skipProperties(data, at)
	if start > 0 && !startsValue(data, start) {
		return 0, 0, false
	}
	switch q {
	case doubleQuoted:
		end, ok = scanQuoted(data, start, '"')
	case singleQuoted:
		end, ok = scanQuoted(data, start, '\'')
	default:
		if !bytes.HasPrefix(data[start:], []byte(Scheme)) {
			return 0, 0, false
		}
		end, ok = scanPlain(data, start, c.flow, c.value)
	}
	if !ok || q != plain && !quotedMatches(data[start:end], q, c.value) {
		return 0, 0, false
	}
	return start, end, true
}

// skipProperties returns the offset of the value after the anchor (&a) and
// tag (!!str, !<...>) that may start at i, and the spaces, line breaks and
// comments after them.
func skipProperties(data []byte, i int) int {
	for i < len(data) && (data[i] == '&' || data[i] == '!') {
		if i+1 < len(data) && data[i] == '!' && data[i+1] == '<' {
			for i < len(data) && data[i] != '>' {
				i++
			}
		}
		for i < len(data) && !isBlank(data[i]) && breakLen(data, i) == 0 {
			i++
		}
		i = skipSpace(data, i)
	}
	return i
}

// skipSpace skips blanks, line breaks and comments from i.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch {
		case isBlank(data[i]):
			i++
		case breakLen(data, i) > 0:
			i += breakLen(data, i)
		case data[i] == '#':
			for i < len(data) && breakLen(data, i) == 0 {
				i++
			}
		default:
			return i
		}
	}
	return i
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// startsValue reports whether a value can start at i > 0: after a blank,
// a line break or an indicator that ends what comes before a value (a
// sequence entry, a key, a flow collection's start or separator), never
// inside a comment or another scalar.
func startsValue(data []byte, i int) bool {
	switch c := data[i-1]; c {
	case ' ', '\t', '\n', '\r', '-', '?', ':', ',', '[', '{':
		return true
	}
	// NEL, LS and PS, which the parser counts as line breaks too.
	return i >= 2 && data[i-2] == 0xC2 && data[i-1] == 0x85 ||
		i >= 3 && data[i-3] == 0xE2 && data[i-2] == 0x80 && (data[i-1] == 0xA8 || data[i-1] == 0xA9)
}
