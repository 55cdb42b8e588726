package resolve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// FuzzRewrite checks, for every input Find accepts, that rewriting with no
// replacement gives the input back, and that replacing every REF gives
// YAML whose nodes are the input's but for those values. Find refuses
// only with the package's errors, and says malformed only where yaml.v3
// fails too.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		"image: krust://api\n", "a: 'krust://api'\nb: \"krust://web\"\n", `{"a": ["krust://api", 1]}`,
		"a: &x !!str krust://api\nb: *x\n", "- [krust://a, {b: 'krust://b'}]\n", "a: krust://api # c\r\n",
		"---\na: 1\n...\n--- krust://x\n", "a: krust://api\n  more\n\n  lines\n", "a: \"krust:\\x2f/y\n  z\"\n",
		"krust://k: krust://v\n", "a: |\n  krust://x\n", "a: krust://\n", "# only\n", "- {é: ü, i: krust://api}\n",
		"a: &x\n  # c\n  krust://api\n", "? krust://k\n: [&a krust://v, *a]\n", list,
		"\"krust://a\n  b\"\n#", "'krust://q\n\n b'\n # c", "a: &x krust://api\n*x : b\n", "\ufeff\ufeff\n#krust://api\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		found, err := Find([]Source{{Name: "fuzz.yaml", Data: data}})
		if err != nil {
			checkRefusal(t, data, err)
			return
		}
		same, err := found.Rewrite(nil)
		if err != nil || !bytes.Equal(same, data) {
			t.Fatalf("Rewrite with no replacement = %q, %v; want the input %q", same, err, data)
		}
		repl := make(map[string]string)
		for i, ref := range found.Refs {
			repl[ref] = fmt.Sprintf("x.io/y@sha256:%064x", i)
		}
		out, err := found.Rewrite(repl)
		if err != nil {
			t.Fatalf("Rewrite(%q): %v", data, err)
		}
		in, outDocs := documents(t, data), documents(t, out)
		if len(in) != len(outDocs) {
			t.Fatalf("%d documents became %d: %q -> %q", len(in), len(outDocs), data, out)
		}
		for i := range in {
			sameNodes(t, in[i], outDocs[i], false, repl)
		}
	})
}

// checkRefusal checks that err is one of the package's refusals.
func checkRefusal(t *testing.T, data []byte, err error) {
	t.Helper()
	for _, is := range []error{ErrEmptyReference, ErrUnsupportedScalar, ErrUnsupportedEncoding} {
		if errors.Is(err, is) {
			return
		}
	}
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("Find(%q): unexpected error %v", data, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			t.Fatalf("Find(%q) says malformed but yaml.v3 reads it", data)
		} else if err != nil {
			return
		}
	}
}

// documents parses data, which must be valid.
func documents(t *testing.T, data []byte) []*yaml.Node {
	t.Helper()
	var out []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, data)
		}
		out = append(out, &n)
	}
}

// sameNodes checks that b is a, but for the references, whose values are
// replaced as repl says; key says a is (in) a mapping key, where nothing
// is a reference.
func sameNodes(t *testing.T, a, b *yaml.Node, key bool, repl map[string]string) {
	t.Helper()
	want := a.Value
	if ref, ok := strings.CutPrefix(a.Value, Scheme); ok && a.Kind == yaml.ScalarNode && !key {
		want = repl[ref]
	}
	// Comments are not compared: once a value written over several lines
	// is one line, the parser may attach the comment after it to another
	// node; their bytes are checked by the tests that compare bytes.
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Anchor != b.Anchor || b.Value != want ||
		len(a.Content) != len(b.Content) {
		t.Fatalf("node %d:%d %+v became %+v", a.Line, a.Column, *a, *b)
	}
	for i := range a.Content {
		sameNodes(t, a.Content[i], b.Content[i], key || a.Kind == yaml.MappingNode && i%2 == 0, repl)
	}
}
