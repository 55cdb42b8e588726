package resolve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// at is a reference's REF, line and column, as the tests spell them.
type at struct {
	ref          string
	line, column int
}

func positions(refs []Reference) []at {
	out := make([]at, len(refs))
	for i, r := range refs {
		out[i] = at{r.Ref, r.Line, r.Column}
	}
	return out
}

const list = `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api}
  spec:
    template:
      spec:
        containers:
        - name: api
          image: krust://api   # the api
          env:
          - name: SIDECAR
            value: "krust://web"
        initContainers:
        - {name: init, image: 'krust://api'}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: images
  data:
    web: krust://web
    krust://db: not a reference
`

func TestFindPositions(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []at
	}{
		{"list", list, []at{{"api", 12, 18}, {"web", 15, 20}, {"api", 17, 31}, {"web", 23, 10}}},
		{"unicode before, in characters", "- {名前: 日本語, image: krust://api}\n", []at{{"api", 1, 20}}},
		{"unicode key", "\"ключ\": 'krust://api'\n", []at{{"api", 1, 9}}},
		{"anchor", "a: &img krust://api\nb: *img\n", []at{{"api", 1, 9}}},
		{"anchor on the line before", "a: &img\n  krust://api\n", []at{{"api", 2, 3}}},
		{"tag", "a: !!str krust://api\n", []at{{"api", 1, 10}}},
		{"documents", "a: 1\n...\n---\nb: krust://api\n---\n- krust://web\n", []at{{"api", 4, 4}, {"web", 6, 3}}},
		{"crlf", "a: 1\r\nb: \"krust://api\"\r\n", []at{{"api", 2, 4}}},
		{"byte order mark", "\ufeffa: krust://api\n", []at{{"api", 1, 4}}},
		{"key only", "krust://api: 1\n", nil},
		{"not a prefix", "a: see krust://api\nb: xkrust://api\n", nil},
		{"json", `{"a": ["krust://api"]}`, []at{{"api", 1, 8}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Find(one(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := positions(f.References); !slices.Equal(got, tt.want) {
				t.Errorf("Find(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFindDistinctRefsAcrossSources(t *testing.T) {
	srcs := []Source{
		{Name: "a.yaml", Data: []byte("x: krust://web\ny: krust://api\n")},
		{Name: "-", Data: []byte("nothing: here\n")},
		{Name: "b.json", Data: []byte(`{"z": "krust://api", "w": "krust://db"}`)},
	}
	f, err := Find(srcs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"web", "api", "db"}; !slices.Equal(f.Refs, want) {
		t.Errorf("Refs = %v, want %v", f.Refs, want)
	}
	var got []string
	for _, r := range f.References {
		got = append(got, r.String())
	}
	want := []string{"a.yaml:1:4: krust://web", "a.yaml:2:4: krust://api", "b.json:1:7: krust://api", "b.json:1:27: krust://db"}
	if !slices.Equal(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}
}

func TestRewriteJoinsSources(t *testing.T) {
	tests := []struct {
		name string
		data []string
		want string
	}{
		{"one", []string{"a: krust://api\n"}, "a: " + imageA + "\n"},
		{"newline ended", []string{"a: 1\n", "b: krust://api\n"}, "a: 1\n---\nb: " + imageA + "\n"},
		{"no final newline", []string{"a: 1", "b: 2"}, "a: 1\n---\nb: 2"},
		{"json then yaml", []string{`{"a": "krust://web"}`, "---\nb: 1\n"}, `{"a": "` + imageB + `"}` + "\n---\n---\nb: 1\n"},
		{"empty source", []string{"", "a: 1\n"}, "\n---\na: 1\n"},
		{"crlf source", []string{"a: 1\r\n", "b: 2\r\n"}, "a: 1\r\n---\nb: 2\r\n"},
		// Only a stream's first character may be a byte order mark.
		{"byte order marks", []string{"\ufeffa: 1\n", "\ufeffb: krust://api\n"}, "\ufeffa: 1\n---\nb: " + imageA + "\n"},
		// Only a document end may precede directives.
		{"directives", []string{"a: 1\n", "%YAML 1.1\n---\nb: krust://api\n"}, "a: 1\n...\n%YAML 1.1\n---\nb: " + imageA + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srcs []Source
			for i, d := range tt.data {
				srcs = append(srcs, Source{Name: fmt.Sprint(i), Data: []byte(d)})
			}
			got, err := Rewrite(srcs, replacements())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if joined := Join(srcs); string(joined) != strings.NewReplacer(imageA, "krust://api", imageB, "krust://web").Replace(tt.want) {
				t.Errorf("Join gives %q", joined)
			}
			dec := yaml.NewDecoder(bytes.NewReader(got))
			for {
				var doc yaml.Node
				if err := dec.Decode(&doc); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Errorf("the joined stream does not parse: %v", err)
					}
					break
				}
			}
		})
	}
}

// A UTF-16 source joined after another would not be read: refused.
func TestRewriteRefusesUTF16AfterTheFirst(t *testing.T) {
	srcs := []Source{{Name: "a", Data: []byte("a: 1\n")}, {Name: "b", Data: []byte(utf16Text("\ufeffb: 2\n"))}}
	if _, err := Rewrite(srcs, nil); !errors.Is(err, ErrUnsupportedEncoding) || !strings.Contains(err.Error(), "b: ") {
		t.Errorf("error %v, want %v naming b", err, ErrUnsupportedEncoding)
	}
}

func TestFindDoesNotChangeSources(t *testing.T) {
	in := "a: krust://api\n"
	srcs := one(in)
	if _, err := Rewrite(srcs, replacements()); err != nil {
		t.Fatal(err)
	}
	if string(srcs[0].Data) != in {
		t.Errorf("source changed to %q", srcs[0].Data)
	}
}
