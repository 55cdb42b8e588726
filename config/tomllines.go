package config

import (
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps each key of the TOML document data (its path joined by
// NUL) to the line it is written on, for messages: a key-value's key, a
// table's header, the keys of inline tables. A document that does not
// parse gives what was read before the error.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	p := &unstable.Parser{}
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			if first := e.Key(); first.Next() {
				lines[strings.Join(table, "\x00")] = p.Shape(first.Node().Raw).Start.Line
			}
		case unstable.KeyValue:
			addKeyLines(p, e, table, lines)
		}
	}
	return lines
}

// addKeyLines records the line of the key-value kv, in table, and of the
// keys of the inline tables it holds.
func addKeyLines(p *unstable.Parser, kv *unstable.Node, table []string, lines map[string]int) {
	key := kv.Key()
	if !key.Next() {
		return
	}
	line := p.Shape(key.Node().Raw).Start.Line
	path := append(slices.Clone(table), keyParts(kv.Key())...)
	lines[strings.Join(path, "\x00")] = line
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				addKeyLines(p, n, path, lines)
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
