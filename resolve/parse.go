package resolve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// candidate is a scalar whose value starts with krust://, as the parser
// saw it: its line and column are those of its first property (anchor or
// tag) if it has one, else of its value.
type candidate struct {
	value        string
	style        yaml.Style
	line, column int
	flow         bool // inside a flow ([...] or {...}) collection
}

// candidates parses every document of src and returns its candidates in
// document order.
func candidates(src Source) ([]candidate, error) {
	c := collector{src: src}
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return c.out, nil
		}
		if err != nil {
			return nil, malformed(src, err)
		}
		if err := c.collect(&doc, false); err != nil {
			return nil, err
		}
	}
}

// collector gathers the candidates of a source.
type collector struct {
	src Source
	out []candidate
	// inKeys are the anchored nodes in mapping keys that hold a krust://
	// value, which is no reference: an alias of one elsewhere would give
	// a krust:// value that stays.
	inKeys map[*yaml.Node]bool
	// refs are the scalars found as references, which an alias in a key
	// must not stand for: the key would change with them.
	refs map[*yaml.Node]bool
}

// collect appends the candidates under n to c.out. It skips mapping keys
// and does not follow aliases, so an anchored reference is found once.
func (c *collector) collect(n *yaml.Node, flow bool) error {
	flow = flow || n.Style&yaml.FlowStyle != 0
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, child := range n.Content {
			if err := c.collect(child, flow); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if a := c.aliasOfRef(n.Content[i]); a != nil {
				return fmt.Errorf("%s:%d:%d: %w: the alias *%s in a mapping key stands for a krust:// value, which would be replaced in the key too; write the key out",
					c.src.Name, a.Line, a.Column, ErrUnsupportedScalar, a.Value)
			}
			c.markKey(n.Content[i])
			if err := c.collect(n.Content[i+1], flow); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Value, Scheme) {
			c.out = append(c.out, candidate{value: n.Value, style: n.Style, line: n.Line, column: n.Column, flow: flow})
			if c.refs == nil {
				c.refs = make(map[*yaml.Node]bool)
			}
			c.refs[n] = true
		}
	case yaml.AliasNode:
		if c.inKeys[n.Alias] {
			return fmt.Errorf("%s:%d:%d: %w: the alias *%s stands for a krust:// value in a mapping key, which is not a reference; write the value here",
				c.src.Name, n.Line, n.Column, ErrUnsupportedScalar, n.Value)
		}
	}
	return nil
}

// aliasOfRef returns an alias in the key n that stands for a reference
// or a node holding one, or nil.
func (c *collector) aliasOfRef(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil && c.holdsRef(n.Alias, 0) {
		return n
	}
	for _, child := range n.Content {
		if a := c.aliasOfRef(child); a != nil {
			return a
		}
	}
	return nil
}

// holdsRef reports whether n is or holds a scalar found as a reference,
// through aliases too, down to a bounded depth.
func (c *collector) holdsRef(n *yaml.Node, depth int) bool {
	if depth > 64 {
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return c.refs[n]
	case yaml.AliasNode:
		return n.Alias != nil && c.holdsRef(n.Alias, depth+1)
	}
	for _, child := range n.Content {
		if c.holdsRef(child, depth+1) {
			return true
		}
	}
	return false
}

// markKey records the anchored nodes of the mapping key n that hold a
// krust:// value, itself or through an alias, and reports whether n does.
func (c *collector) markKey(n *yaml.Node) bool {
	holds := n.Kind == yaml.ScalarNode && strings.HasPrefix(n.Value, Scheme) || n.Kind == yaml.AliasNode && c.inKeys[n.Alias]
	for _, child := range n.Content {
		if c.markKey(child) {
			holds = true
		}
	}
	if holds && n.Anchor != "" {
		if c.inKeys == nil {
			c.inKeys = make(map[*yaml.Node]bool)
		}
		c.inKeys[n] = true
	}
	return holds
}
