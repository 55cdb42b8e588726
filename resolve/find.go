package resolve

import (
	"bytes"
	"fmt"
	"slices"
)

// Scheme is the prefix that makes a value a reference.
const Scheme = "krust://"

// Source is one input: its name ("-" for standard input, or a path), used
// only in messages, and its bytes, a stream of YAML documents or one JSON
// document. Find and Rewrite do not change Data.
type Source struct {
	Name string
	Data []byte
}

// Reference is one krust:// value of a source.
type Reference struct {
	// Ref is the text after krust://, never empty.
	Ref string
	// Source is the name of the source that holds the reference.
	Source string
	// Line and Column (both from 1, Column in characters) are where the
	// value itself starts: its quote if quoted, after any anchor or tag.
	Line, Column int

	index      int     // the source's index in Found.sources
	start, end int     // the value's bytes in that source's Data
	style      quoting // how the value is written
}

// String is SOURCE:LINE:COLUMN: krust://REF.
func (r Reference) String() string {
	return fmt.Sprintf("%s:%d:%d: %s%s", r.Source, r.Line, r.Column, Scheme, r.Ref)
}

// Found is what Find saw in a list of sources.
type Found struct {
	// References are all references, in document order, source by source.
	References []Reference
	// Refs are the distinct REFs, in the order first seen.
	Refs []string

	sources []Source
}

// Find parses every source, which validates it, and returns its
// references. The first source that is malformed, or holds a reference
// that cannot be replaced in place, ends it with an error naming that
// source and line.
func Find(sources []Source) (*Found, error) {
	f := &Found{sources: sources}
	seen := make(map[string]bool)
	for i, src := range sources {
		refs, err := findIn(i, src)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			if !seen[r.Ref] {
				seen[r.Ref] = true
				f.Refs = append(f.Refs, r.Ref)
			}
		}
		f.References = append(f.References, refs...)
	}
	return f, nil
}

// findIn returns the references of src, the index-th source.
func findIn(index int, src Source) ([]Reference, error) {
	cands, err := candidates(src)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	if isUTF16(src.Data) {
		c := cands[0]
		return nil, fmt.Errorf("%s:%d:%d: %w (the file is UTF-16)", src.Name, c.line, c.column, ErrUnsupportedEncoding)
	}
	lines := newLineTable(src.Data)
	// The parser misplaces what follows a byte order mark that is not the
	// file's first character: its positions could not be trusted.
	if i := bytes.Index(src.Data[min(1, len(src.Data)):], utf8BOM); i >= 0 {
		line, column := lines.position(i + 1)
		return nil, fmt.Errorf("%s:%d:%d: %w: a byte order mark (U+FEFF) after the start of the file; remove it", src.Name, line, column, ErrUnsupportedEncoding)
	}
	refs := make([]Reference, 0, len(cands))
	for _, c := range cands {
		r, err := locate(src, lines, c)
		if err != nil {
			return nil, err
		}
		r.index = index
		refs = append(refs, r)
	}
	// The parser gives its nodes in the order of their text; splice needs
	// that order, so make sure of it.
	slices.SortStableFunc(refs, func(a, b Reference) int { return a.start - b.start })
	return refs, nil
}

// utf8BOM is U+FEFF in UTF-8.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// isUTF16 reports whether data starts with a UTF-16 byte order mark, which
// the parser decodes but whose text byte offsets here cannot address.
func isUTF16(data []byte) bool {
	return len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE)
}
