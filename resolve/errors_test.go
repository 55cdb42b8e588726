package resolve

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestFindRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		is   error
		want string // in the message
	}{
		{"empty plain", "a: 1\nb: krust://\n", ErrEmptyReference, testSrc + ":2:4:"},
		{"empty quoted", "a: [\"krust://\"]\n", ErrEmptyReference, testSrc + ":1:5:"},
		{"literal block", "a: |\n  krust://api\n", ErrUnsupportedScalar, testSrc + ":1:4: cannot replace this krust:// value in place: it is a block scalar"},
		{"alias of a key", "&k krust://api: 1\nv: *k\n", ErrUnsupportedScalar, testSrc + ":2:4: cannot replace this krust:// value in place: the alias *k"},
		{"alias of a key's part", "? &k [krust://api]\n: 1\n? &j {x: *k}\n: 2\nv: [*j]\n", ErrUnsupportedScalar, testSrc + ":5:5:"},
		{"folded block", "a: 1\nb: >-\n  krust://api\n", ErrUnsupportedScalar, testSrc + ":2:4:"},
		{"plain over lines after a line separator", "a: krust://api\u2028  more\n", ErrUnsupportedScalar, "write the value on one line"},
		{"unclosed double quote", "a: 1\nb: \"krust://api\n", ErrMalformed, testSrc + ": malformed YAML or JSON: yaml: line 2: found unexpected end of stream"},
		{"unclosed single quote", "a: 1\n\nb: 'krust://api\nc: 2\n", ErrMalformed, "yaml: line 3:"},
		{"bad indentation", "a: 1\n---\nb: 2\n  c: 3\n", ErrMalformed, "yaml: line 4: mapping values are not allowed"},
		{"tab indentation", "a:\n\tb: 1\n", ErrMalformed, "yaml: line 2: found character that cannot start any token"},
		// yaml.v3 names the line before the mapping it was reading here.
		{"missing key", "a:\n  b: 1\n c: 2\n", ErrMalformed, "yaml: line 2: did not find expected key"},
		{"unclosed json", `{"a": "krust://api"`, ErrMalformed, testSrc + ": malformed YAML or JSON: yaml: line 1:"},
		{"json escaped slash", `{"a": "krust:\/\/api"}`, ErrMalformed, testSrc + ": malformed YAML or JSON: line 1: yaml: found unknown escape character"},
		{"invalid utf-8 on line 3", "a: 1\nb: 2\nc: \xff\n", ErrMalformed, "malformed YAML or JSON: line 3: yaml: invalid leading UTF-8 octet"},
		{"control character on line 2", "a: 1\nb: \x01\n", ErrMalformed, "line 2: yaml: control characters are not allowed"},
		{"utf-16", utf16Text("\ufeffa: krust://api\n"), ErrUnsupportedEncoding, testSrc + ":1:4:"},
		// The parser misreads what follows a byte order mark that does not
		// start the file: here it sees a value in a comment.
		{"byte order mark after the start", "\ufeff\ufeff\n#krust://api\n", ErrUnsupportedEncoding, testSrc + ":1:1: krust:// references need UTF-8 input: a byte order mark"},
		{"byte order mark at the parser's read boundary", "kind: Pod\na: [x" + strings.Repeat("a", 494) + "\ufeffy,\n#krust://evil\n ]\n", ErrUnsupportedEncoding, testSrc + ":2:"},
		{"alias of a reference as a key", "a: &x krust://api\n*x : b\n", ErrUnsupportedScalar, testSrc + ":2:1: cannot replace this krust:// value in place: the alias *x in a mapping key"},
		{"alias of a sequence holding a reference as a key", "a: &x [krust://api]\n? *x\n: b\n", ErrUnsupportedScalar, testSrc + ":2:3:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Find(one(tt.in))
			if !errors.Is(err, tt.is) {
				t.Fatalf("Find(%q) error = %v, want %v", tt.in, err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// utf16Text is s in UTF-16, little-endian.
func utf16Text(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func TestMalformedWrapsTheParsersError(t *testing.T) {
	_, err := Find([]Source{{Name: "ok.yaml", Data: []byte("a: 1\n")}, {Name: "k8s/bad.yaml", Data: []byte("a: [\n")}})
	if !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), "k8s/bad.yaml: ") {
		t.Fatalf("error = %v", err)
	}
	var wrapped interface{ Unwrap() []error }
	if !errors.As(err, &wrapped) || len(wrapped.Unwrap()) != 2 || wrapped.Unwrap()[1].Error() != "yaml: line 1: did not find expected node content" {
		t.Errorf("error %v does not wrap the parser's", err)
	}
}

func TestRewriteRefusesReplacements(t *testing.T) {
	tests := []struct {
		name, in, value string
	}{
		{"space", "a: krust://api\n", "a b"},
		{"empty", "a: 'krust://api'\n", ""},
		{"quote in double", "a: \"krust://api\"\n", `x"y`},
		{"quote in single", "a: 'krust://api'\n", "x'y"},
		{"comment in plain", "a: krust://api\n", "x#y"},
		{"flow indicator", "a: [krust://api]\n", "x,y"},
		{"number in plain", "a: krust://api\n", "123"},
		{"boolean in plain", "a: krust://api\n", "true"},
		{"mapping in plain", "a: krust://api\n", "x:"},
		{"newline", "a: \"krust://api\"\n", "x\ny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Rewrite(one(tt.in), map[string]string{"api": tt.value})
			if !errors.Is(err, ErrInvalidReplacement) {
				t.Fatalf("error = %v, want %v", err, ErrInvalidReplacement)
			}
			if !strings.HasPrefix(err.Error(), testSrc+":1:") {
				t.Errorf("error %q does not name the reference", err)
			}
		})
	}
}

func TestRewriteQuotesWhatPlainCannotHold(t *testing.T) {
	got, err := Rewrite(one("a: 'krust://api'\nb: \"krust://api\"\n"), map[string]string{"api": "123"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: '123'\nb: \"123\"\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
