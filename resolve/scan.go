package resolve

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// scanQuoted returns the offset just after the quoted scalar that starts
// with the quote q at data[start]: at the first " not escaped by a
// backslash, or the first ' that is not half of a doubled pair.
func scanQuoted(data []byte, start int, q byte) (int, bool) {
	if start >= len(data) || data[start] != q {
		return 0, false
	}
	for i := start + 1; i < len(data); i++ {
		switch {
		case q == '"' && data[i] == '\\':
			i++
		case data[i] == q && q == '\'' && i+1 < len(data) && data[i+1] == '\'':
			i++
		case data[i] == q:
			return i + 1, true
		}
	}
	return 0, false
}

// quotedMatches reports whether the quoted scalar text, written as q,
// decodes to value. Text between the quotes equal to the value is the
// common case: an escape, a doubled quote or a folded line break would
// each make it differ. Otherwise the parser decodes the text on its own.
func quotedMatches(text []byte, q quoting, value string) bool {
	if string(text[1:len(text)-1]) == value {
		return true
	}
	return decodesTo(text, q, value)
}

// decodesTo reports whether text, parsed on its own, is one scalar written
// as q whose value is value.
func decodesTo(text []byte, q quoting, value string) bool {
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) != 1 {
		return false
	}
	n := doc.Content[0]
	return n.Kind == yaml.ScalarNode && quotingOf(n.Style) == q && n.Value == value
}

// scanPlain returns the offset just after the plain scalar that starts at
// data[start] and whose value is value. A plain scalar may go on over the
// next lines, folded into its value (one line break reads as a space, n
// breaks as n-1 newlines); scanPlain follows the lines while what it has
// read is a prefix of value, ends where it is all of value, and then has
// the parser check the text.
func scanPlain(data []byte, start int, flow bool, value string) (int, bool) {
	end, open := plainLine(data, start, flow)
	rest, ok := strings.CutPrefix(value, string(data[start:end]))
	if !ok {
		return 0, false
	}
	if rest == "" {
		return end, true
	}
	for rest != "" {
		next, breaks, lineStart := skipBreaks(data, end)
		if !open || breaks == 0 || next == len(data) || data[next] == '#' || lineStart && isDocumentMarker(data[next:]) {
			return 0, false
		}
		var lineEnd int
		lineEnd, open = plainLine(data, next, flow)
		if lineEnd == next {
			return 0, false
		}
		if rest, ok = strings.CutPrefix(rest, fold(breaks)+string(data[next:lineEnd])); !ok {
			return 0, false
		}
		end = lineEnd
	}
	return end, decodesTo(data[start:end], plain, value)
}

// fold is what breaks line breaks between two lines of a plain scalar
// read as.
func fold(breaks int) string {
	if breaks == 1 {
		return " "
	}
	return strings.Repeat("\n", breaks-1)
}

// plainLine returns the end of the plain text that starts at data[i] on
// its line, without trailing blanks, and whether nothing but blanks
// follows it there, so that the scalar may go on on the next line. As in
// yaml.v3's scanner, plain text ends before a blank and #, before : and a
// blank or line break, and in a flow collection before , ? [ ] { or }.
func plainLine(data []byte, i int, flow bool) (end int, open bool) {
	end = i
	for {
		word := i
		for i < len(data) && !isBlank(data[i]) && breakLen(data, i) == 0 {
			if endsPlain(data, i, flow) {
				if i > word {
					end = i
				}
				return end, false
			}
			i++
		}
		end = i
		for i < len(data) && isBlank(data[i]) {
			i++
		}
		if i == len(data) || breakLen(data, i) > 0 {
			return end, true
		}
		if data[i] == '#' {
			return end, false
		}
	}
}

// endsPlain reports whether the character at data[i] ends plain text.
func endsPlain(data []byte, i int, flow bool) bool {
	if data[i] == ':' {
		return i+1 == len(data) || isBlank(data[i+1]) || breakLen(data, i+1) > 0
	}
	return flow && strings.IndexByte(",?[]{}", data[i]) >= 0
}

// skipBreaks skips blanks and line breaks from i and returns where the
// next line's text starts, how many breaks it skipped, and whether that
// text starts its line (column 1).
func skipBreaks(data []byte, i int) (next, breaks int, lineStart bool) {
	for i < len(data) {
		if n := breakLen(data, i); n > 0 {
			i += n
			breaks++
			lineStart = true
			continue
		}
		if !isBlank(data[i]) {
			break
		}
		i++
		lineStart = false
	}
	return i, breaks, lineStart
}

// isDocumentMarker reports whether b starts with --- or ... and a blank,
// a line break or the end.
func isDocumentMarker(b []byte) bool {
	if len(b) < 3 || string(b[:3]) != "---" && string(b[:3]) != "..." {
		return false
	}
	return len(b) == 3 || isBlank(b[3]) || breakLen(b, 3) > 0
}
