package config

import (
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps each key of the TOML document data (its path joined by
// NUL) to the line it is written on, for messages: a key-value's key, a
// table's header, the keys of inline tables. A document that does not
// parse gives what was read before the error. It takes one pass over the
// document and a binary search per key.
func keyLines(data []byte) map[string]int {
	l := lineIndex{lines: map[string]int{}}
	for i, b := range data {
		if b == '\n' {
			l.newlines = append(l.newlines, i)
		}
	}
	p := &unstable.Parser{}
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			if first := e.Key(); first.Next() {
				l.lines[strings.Join(table, "\x00")] = l.lineOf(first.Node().Raw)
			}
		case unstable.KeyValue:
			l.add(e, table)
		}
	}
	return l.lines
}

// lineIndex finds the lines of a document's keys.
type lineIndex struct {
	newlines []int // the offsets of the document's newlines
	lines    map[string]int
}

// lineOf returns the line of the bytes r.
func (l *lineIndex) lineOf(r unstable.Range) int {
	return sort.SearchInts(l.newlines, int(r.Offset)) + 1
}

// add records the line of the key-value kv, in table, and of the keys of
// the inline tables it holds.
func (l *lineIndex) add(kv *unstable.Node, table []string) {
	key := kv.Key()
	if !key.Next() {
		return
	}
	path := append(slices.Clone(table), keyParts(kv.Key())...)
	l.lines[strings.Join(path, "\x00")] = l.lineOf(key.Node().Raw)
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				l.add(n, path)
			}
		}
	}
}

// keyParts returns the parts of a (dotted) key.
func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}
