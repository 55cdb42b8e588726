package resolve

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestLineTable(t *testing.T) {
	data := []byte("\ufeffé: 1\r\nb: x\rc\u2028dé\u0085日本: z\n\nlast")
	tests := []struct {
		line, column int
		at           string // the text at that position
	}{
		{1, 1, "é: 1"}, {1, 2, ": 1"}, {2, 1, "b: x"}, {2, 4, "x\rc"}, {3, 1, "c\u2028"},
		{4, 2, "é\u0085"}, {5, 1, "日本"}, {5, 2, "本: z"}, {5, 5, "z\n"}, {6, 1, "\nlast"}, {7, 4, "t"},
	}
	lines := newLineTable(data)
	for _, tt := range tests {
		off, ok := lines.offset(tt.line, tt.column)
		if !ok || !strings.HasPrefix(string(data[off:]), tt.at) {
			t.Errorf("offset(%d, %d) = %d, %v: %q, want %q", tt.line, tt.column, off, ok, data[off:], tt.at)
			continue
		}
		if line, column := lines.position(off); line != tt.line || column != tt.column {
			t.Errorf("position(%d) = %d:%d, want %d:%d", off, line, column, tt.line, tt.column)
		}
	}
	for _, bad := range [][2]int{{0, 1}, {1, 0}, {8, 1}, {1, 6}, {6, 2}} {
		if off, ok := lines.offset(bad[0], bad[1]); ok {
			t.Errorf("offset(%d, %d) = %d, want none", bad[0], bad[1], off)
		}
	}
}

// TestManyReferencesOnOneLine checks that positions on one long line (a
// JSON file written on one line) cost one pass, not one per reference.
func TestManyReferencesOnOneLine(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"é":[`)
	for i := range 20000 {
		fmt.Fprintf(&b, `"krust://p%d",{"ü":"日本"},`, i)
	}
	b.WriteString(`"end"]}`)
	in := b.String()
	start := time.Now()
	f, err := Find(one(in))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	last := f.References[len(f.References)-1]
	column := utf8.RuneCountInString(in[:strings.LastIndex(in, `"krust://p19999"`)]) + 1
	if len(f.References) != 20000 || last.Line != 1 || last.Column != column {
		t.Errorf("found %d references, the last %v", len(f.References), last)
	}
}
