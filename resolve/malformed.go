package resolve

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// malformed is the error for the parser's err on src. The parser's message
// names the line ("yaml: line 3: ..."), except on line 1 and for what its
// reader refuses (invalid UTF-8, a control character), where it names
// none; malformed then names the line: 1, or that of the first character
// the reader refuses (in UTF-8 input, where it can be found).
func malformed(src Source, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "yaml: line ") {
		return fmt.Errorf("%s: %w: %w", src.Name, ErrMalformed, err)
	}
	if !isReaderError(msg) {
		return fmt.Errorf("%s: %w: line 1: %w", src.Name, ErrMalformed, err)
	}
	if at, ok := firstUnreadable(src.Data); ok && !isUTF16(src.Data) {
		line, _ := newLineTable(src.Data).position(at)
		return fmt.Errorf("%s: %w: line %d: %w", src.Name, ErrMalformed, line, err)
	}
	return fmt.Errorf("%s: %w: %w", src.Name, ErrMalformed, err)
}

// isReaderError reports whether msg is one of the errors yaml.v3's reader
// gives for characters it cannot read.
func isReaderError(msg string) bool {
	for _, s := range []string{"UTF-8", "UTF-16", "Unicode character", "control characters", "surrogate"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// firstUnreadable returns the offset of the first character of data that
// is not valid UTF-8 or not one YAML allows: tab, LF, CR, and printable
// characters from U+0020 except DEL, the C1 controls but NEL, surrogates,
// U+FFFE and U+FFFF.
func firstUnreadable(data []byte) (int, bool) {
	for i := bomLen(data); i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && w <= 1 || !readable(r) {
			return i, true
		}
		i += w
	}
	return 0, false
}

func readable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
