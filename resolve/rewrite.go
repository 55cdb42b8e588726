package resolve

import (
	"bytes"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Join returns the sources joined into one stream as Rewrite joins them,
// without reading them: for kubectl delete, which needs no reference
// replaced.
func Join(sources []Source) []byte {
	var out []byte
	for i, src := range sources {
		skip := 0
		if i > 0 {
			out, skip = appendSeparator(out, sources[i-1].Data, src.Data)
		}
		out = append(out, src.Data[skip:]...)
	}
	return out
}

// Rewrite is Find, then Found.Rewrite.
func Rewrite(sources []Source, replacements map[string]string) ([]byte, error) {
	f, err := Find(sources)
	if err != nil {
		return nil, err
	}
	return f.Rewrite(replacements)
}

// Rewrite returns the sources joined into one stream, each reference's
// value replaced by replacements[REF] written in the same style, and
// every other byte as it was. A REF the map lacks is left as it is. The
// sources are joined with "---\n" ("...\n" before one that starts with
// directives), after a "\n" where a source does not end with one;
// nothing comes before the first or after the last. A byte order mark
// starting a source after the first is left out, and a UTF-16 source
// there is refused: neither would read as the source did.
func (f *Found) Rewrite(replacements map[string]string) ([]byte, error) {
	out := make([]byte, 0, f.size())
	refs := f.References
	for i, src := range f.sources {
		skip := 0
		if i > 0 {
			if isUTF16(src.Data) {
				return nil, fmt.Errorf("%s: %w: it is UTF-16, and joined after another input it would not be read", src.Name, ErrUnsupportedEncoding)
			}
			out, skip = appendSeparator(out, f.sources[i-1].Data, src.Data)
		}
		n := 0
		for n < len(refs) && refs[n].index == i {
			n++
		}
		var err error
		if out, err = splice(out, src.Data, skip, refs[:n], replacements); err != nil {
			return nil, err
		}
		refs = refs[n:]
	}
	return out, nil
}

// size is about the length of the output, for one allocation.
func (f *Found) size() int {
	n := 0
	for _, src := range f.sources {
		n += len(src.Data) + len("\n---\n")
	}
	return n + 100*len(f.References)
}

// appendSeparator ends prev's last document in out before next's: "---"
// on a line of its own, or "..." where next starts with directives
// (%YAML, %TAG), which only a document end may precede. It returns how
// many bytes of next to leave out: a byte order mark, which only a
// stream's first character may be.
func appendSeparator(out, prev, next []byte) ([]byte, int) {
	if len(prev) == 0 || prev[len(prev)-1] != '\n' {
		out = append(out, '\n')
	}
	skip := 0
	if bytes.HasPrefix(next, utf8BOM) {
		skip = len(utf8BOM)
	}
	if bytes.HasPrefix(next[skip:], []byte("%")) {
		return append(out, "...\n"...), skip
	}
	return append(out, "---\n"...), skip
}

// splice appends data to out with the values of refs, which are data's
// references in order, replaced.
func splice(out, data []byte, from int, refs []Reference, replacements map[string]string) ([]byte, error) {
	last := from
	for _, r := range refs {
		value, ok := replacements[r.Ref]
		if !ok {
			continue
		}
		text, err := render(r.style, value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		out = append(out, data[last:r.start]...)
		out = append(out, text...)
		last = r.end
	}
	return append(out, data[last:]...), nil
}

// render writes value as a scalar of style q. It accepts only values that
// need no escaping in any style and, if plain, read back as that string:
// letters, digits and . _ : / @ + - (every image reference qualifies).
func render(q quoting, value string) (string, error) {
	if !safeText(value) {
		return "", fmt.Errorf("%w: %q has a character outside A-Z a-z 0-9 . _ : / @ + -", ErrInvalidReplacement, value)
	}
	switch q {
	case singleQuoted:
		return "'" + value + "'", nil
	case doubleQuoted:
		return `"` + value + `"`, nil
	}
	if !plainString(value) {
		return "", fmt.Errorf("%w: %q would not read back as that string if written plain", ErrInvalidReplacement, value)
	}
	return value, nil
}

func safeText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !ok && strings.IndexByte("._:/@+-", c) < 0 {
			return false
		}
	}
	return s != ""
}

// plainString reports whether s, written plain, is read as the string s
// (not a number, a boolean, null, a mapping...).
func plainString(s string) bool {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(s), &doc) != nil || len(doc.Content) != 1 {
		return false
	}
	n := doc.Content[0]
	return n.Kind == yaml.ScalarNode && n.Style == 0 && n.Tag == "!!str" && n.Value == s
}
