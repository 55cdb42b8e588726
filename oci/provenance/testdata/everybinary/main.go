// Command everybinary prints, for TestEncodeSameFromEveryBinary, what
// protojson writes for a provenance predicate, a NUL byte, then what
// Encode writes: protojson's whitespace depends on the running binary's
// bytes, Encode's output must not.
package main

import (
	"fmt"
	"os"

	"github.com/docker-krust/docker-krust/oci/provenance"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

func main() {
	in := provenance.Input{
		Subject: provenance.Subject{Name: "app", Digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		Params:  provenance.Params{Package: "app", Bin: "app", Features: []string{"a", "b"}},
	}
	doc, err := provenance.Encode(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s, err := structpb.NewStruct(map[string]any{"package": "app", "features": []any{"a", "b"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	raw, err := protojson.Marshal(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(raw)
	os.Stdout.Write([]byte{0})
	os.Stdout.Write(doc)
}
