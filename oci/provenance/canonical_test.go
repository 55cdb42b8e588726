package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
)

// TestCanonicalIgnoresProtojsonWhitespace: protojson's whitespace changes
// from one build of a binary to the next (it says so, and inserts it at
// random), which one test binary cannot show. Each of its layouts, and the
// same JSON with whitespace added between every token, must give the
// bytes Encode writes.
func TestCanonicalIgnoresProtojsonWhitespace(t *testing.T) {
	st, err := statement(fullInput())
	if err != nil {
		t.Fatal(err)
	}
	want := encode(t, fullInput())
	layouts := map[string]protojson.MarshalOptions{
		"compact":     {},
		"multiline":   {Multiline: true},
		"tab indent":  {Multiline: true, Indent: "\t"},
		"wide indent": {Multiline: true, Indent: "        "},
	}
	for name, o := range layouts {
		raw, err := o.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		for _, variant := range [][]byte{raw, spaced(t, raw)} {
			got, err := reencode(variant)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: canonical bytes differ:\n%s\nwant\n%s", name, got, want)
			}
		}
	}
}

// spaced returns raw with whitespace between all its tokens.
func spaced(t *testing.T, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, raw, " \t ", "\n  \r\n"); err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(out.Bytes(), []byte(`":`), []byte(`"  :   `))
}

// TestCanonicalForm pins the form itself: sorted keys, two-space indent,
// no HTML escaping, one final newline.
func TestCanonicalForm(t *testing.T) {
	got, err := reencode([]byte(`{"b":["<&>"],"a":{"d":1.50,"c":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": {\n    \"c\": true,\n    \"d\": 1.50\n  },\n  \"b\": [\n    \"<&>\"\n  ]\n}\n"
	if string(got) != want {
		t.Errorf("reencode = %q, want %q", got, want)
	}
}

// TestEncodeSameFromEveryBinary runs one program as several binaries,
// which differ only in trailing bytes the loader ignores: protojson picks
// its whitespace from a hash of the running binary, so some of them write
// different protojson, and Encode must still write the same bytes in all.
func TestEncodeSameFromEveryBinary(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "everybinary")
	build := exec.Command("go", "build", "-o", prog, "./testdata/everybinary")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/everybinary: %v\n%s", err, out)
	}
	orig, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	rawSeen := map[string]bool{}
	var first []byte
	for n := 1; n <= 32 && len(rawSeen) < 2; n++ {
		bin := filepath.Join(dir, fmt.Sprintf("everybinary-%d", n))
		if err := os.WriteFile(bin, append(slices.Clone(orig), make([]byte, n*4099)...), 0o755); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(bin)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", bin, err, stderr.Bytes())
		}
		raw, doc, ok := bytes.Cut(out, []byte{0})
		if !ok {
			t.Fatalf("%s printed %q", bin, out)
		}
		rawSeen[string(raw)] = true
		if first == nil {
			first = doc
		} else if !bytes.Equal(doc, first) {
			t.Fatalf("Encode wrote different bytes in two binaries:\n%s\n%s", first, doc)
		}
	}
	if len(rawSeen) < 2 {
		t.Fatalf("protojson wrote the same bytes in 32 binaries: %v; this test no longer shows Encode is independent of it", rawSeen)
	}
}
