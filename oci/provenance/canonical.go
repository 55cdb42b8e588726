package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// canonicalJSON returns m as protojson maps it to JSON (the field names
// and value forms of the in-toto and SLSA specs), in bytes that depend on
// nothing but m: protojson inserts spaces at random on purpose (they vary
// with the binary that runs it), so its output is decoded and written
// again by encoding/json, which sorts object keys and adds no randomness;
// two-space indented, HTML characters not escaped, one final newline.
// Numbers are kept as protojson wrote them.
func canonicalJSON(m proto.Message) ([]byte, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("protojson: %w", err)
	}
	return reencode(raw)
}

// reencode writes the JSON document raw in the canonical form above.
func reencode(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode protojson output: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}
