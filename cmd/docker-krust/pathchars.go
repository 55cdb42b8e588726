package main

import (
	"fmt"
	"unicode"
)

// checkPathChars refuses a path holding a control character (a newline, a
// carriage return, a tab, an escape...) or a Unicode line separator: krust
// prints paths on the one line of stdout (oci:DIR:TAG), which a newline
// would split, and in its messages, which an escape would garble. what
// names the path, fix says what to do.
func checkPathChars(what, path, fix string) error {
	for _, r := range path {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%s %q holds %s, which would break the one line krust prints (oci:DIR:TAG) and its messages: %s",
				what, path, charName(r), fix)
		}
	}
	return nil
}

// charName names a character for messages.
func charName(r rune) string {
	switch r {
	case '\n':
		return "a newline"
	case '\r':
		return "a carriage return"
	case '\t':
		return "a tab"
	case 0x1b:
		return "an escape character"
	}
	return fmt.Sprintf("the control character U+%04X", r)
}
