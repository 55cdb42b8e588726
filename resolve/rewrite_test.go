package resolve

import (
	"testing"
)

func TestRewriteKeepsEveryOtherByte(t *testing.T) {
	a, b := imageA, imageB
	tests := []struct {
		name  string
		in    string
		edits []edit
		repl  map[string]string // replacements() if nil
	}{
		{"plain", "image: krust://api\n", []edit{{"krust://api", a}}, nil},
		{"single quoted", "image: 'krust://api'\n", []edit{{"'krust://api'", "'" + a + "'"}}, nil},
		{"double quoted", "image: \"krust://api\"\n", []edit{{`"krust://api"`, `"` + a + `"`}}, nil},
		{"json", `{"spec": {"image": "krust://api", "replicas": 1}}`, []edit{{`"krust://api"`, `"` + a + `"`}}, nil},
		{"json pretty", "{\n  \"image\": \"krust://api\",\n  \"args\": [\"krust://web\"]\n}\n",
			[]edit{{`"krust://api"`, `"` + a + `"`}, {`"krust://web"`, `"` + b + `"`}}, nil},
		{"flow sequence", "images: [krust://api, \"krust://web\", 'krust://api', x]\n",
			[]edit{{"krust://api", a}, {`"krust://web"`, `"` + b + `"`}, {"'krust://api'", "'" + a + "'"}}, nil},
		{"flow mapping", "c: {image: krust://api, name: x}\n", []edit{{"krust://api", a}}, nil},
		{"flow over lines", "a: [\n  krust://api,\n  krust://web\n]\n", []edit{{"krust://api", a}, {"krust://web", b}}, nil},
		{"anchor and alias", "a: &img krust://api\nb: *img\n", []edit{{"krust://api", a}}, nil},
		{"anchor in flow", "a: [&i krust://api, *i]\n", []edit{{"krust://api", a}}, nil},
		{"anchor on the line before", "a: &img\n  krust://api\nb: *img\n", []edit{{"krust://api", a}}, nil},
		{"anchor, comment, value", "a: &img # the api\n  krust://api\n", []edit{{"krust://api", a}}, nil},
		{"tag", "a: !!str krust://api\n", []edit{{"krust://api", a}}, nil},
		{"tag on the line before", "- !!str\n  krust://api\n", []edit{{"krust://api", a}}, nil},
		{"json compact", `{"a":"krust://api","b":["krust://web"]}`, []edit{{`"krust://api"`, `"` + a + `"`}, {`"krust://web"`, `"` + b + `"`}}, nil},
		{"anchored key, alias as key", "&k krust://api: 1\n*k : 2\n", nil, nil},
		{"anchored mapping, alias", "base: &b {image: krust://api}\nother: *b\n", []edit{{"krust://api", a}}, nil},
		{"anchor then tag", "a: &x !!str 'krust://api'\n", []edit{{"'krust://api'", "'" + a + "'"}}, nil},
		{"tag then anchor", "a: !!str &x \"krust://api\"\n", []edit{{`"krust://api"`, `"` + a + `"`}}, nil},
		{"verbatim tag", "a: !<tag:yaml.org,2002:str> krust://api\n", []edit{{"krust://api", a}}, nil},
		{"tag directive", "%TAG !e! tag:example.com,2000:\n--- !e!image krust://api\n", []edit{{"krust://api", a}}, nil},
		{"local tag", "a: !image krust://api\n", []edit{{"krust://api", a}}, nil},
		{"comment on the line", "image: krust://api # the api\n", []edit{{"krust://api", a}}, nil},
		{"hash inside plain", "image: krust://api#x # c\n", []edit{{"krust://api#x", a}}, map[string]string{"api#x": a}},
		{"trailing spaces", "image: krust://api   \nb: 1  \n", []edit{{"krust://api", a}}, nil},
		{"tab after colon", "image:\tkrust://api\n", []edit{{"krust://api", a}}, nil},
		{"crlf", "a: krust://api\r\nb: 'krust://web'\r\nc: 1\r\n", []edit{{"krust://api", a}, {"'krust://web'", "'" + b + "'"}}, nil},
		{"cr only", "a: 1\rb: krust://api\r", []edit{{"krust://api", a}}, nil},
		{"line separator", "a: 1\u2028b: krust://api\n", []edit{{"krust://api", a}}, nil},
		{"byte order mark", "\ufeffa: krust://api\n", []edit{{"krust://api", a}}, nil},
		{"key is not a reference", "krust://api: krust://web\n", []edit{{"krust://web", b}}, nil},
		{"unicode before, quoted key", "\"ключ\": krust://api\n", []edit{{"krust://api", a}}, nil},
		{"unicode before, flow", "- {名前: 日本語, image: krust://api, x: 'krust://web'}\n",
			[]edit{{"krust://api", a}, {"'krust://web'", "'" + b + "'"}}, nil},
		{"sequence of sequences", "- - krust://api\n  - krust://web\n", []edit{{"krust://api", a}, {"krust://web", b}}, nil},
		{"explicit key", "? k\n: krust://api\n", []edit{{"krust://api", a}}, nil},
		{"colon in ref", "image: krust://reg:5000/x\n", []edit{{"krust://reg:5000/x", a}}, map[string]string{"reg:5000/x": a}},
		{"document scalar", "--- krust://api\n", []edit{{"krust://api", a}}, nil},
		{"document scalar, no newline", "krust://api", []edit{{"krust://api", a}}, nil},
		{"tagged document scalar", "--- !!str krust://api\n", []edit{{"krust://api", a}}, nil},
		{"after end marker", "a: 1\n...\n---\nb: krust://api\n...\n", []edit{{"krust://api", a}}, nil},
		{"empty documents", "---\n---\nimage: krust://api\n---\n", []edit{{"krust://api", a}}, nil},
		{"only comments", "# nothing\n# here\n", nil, nil},
		{"empty", "", nil, nil},
		{"doubled quote", "a: 'krust://it''s'\n", []edit{{"'krust://it''s'", "'" + a + "'"}}, map[string]string{"it's": a}},
		{"escape", `a: "\u006brust://api"` + "\n", []edit{{`"\u006brust://api"`, `"` + a + `"`}}, nil},
		{"escaped slash via x", `a: "krust:\x2f/api"` + "\n", []edit{{`"krust:\x2f/api"`, `"` + a + `"`}}, nil},
		{"plain over lines", "a: krust://api\n  more\nb: 1\n", []edit{{"krust://api\n  more", a}}, map[string]string{"api more": a}},
		{"plain over lines, blank line", "a: krust://api\n\n  more # c\nb: 1\n", []edit{{"krust://api\n\n  more", a}}, map[string]string{"api\nmore": a}},
		{"plain over lines, flow", "a: [krust://api\n  more, x]\n", []edit{{"krust://api\n  more", a}}, map[string]string{"api more": a}},
		{"quoted over lines", "a: \"krust://api\n  more\"\nb: 1\n", []edit{{"\"krust://api\n  more\"", `"` + a + `"`}}, map[string]string{"api more": a}},
		{"single quoted over lines", "a: 'krust://api\r\n   more'\r\n", []edit{{"'krust://api\r\n   more'", "'" + a + "'"}}, map[string]string{"api more": a}},
		{"no replacement given", "a: krust://api\nb: \"krust://web\"\n", nil, map[string]string{}},
		{"replacement for another ref", "a: krust://api\nb: krust://web\n", []edit{{"krust://web", b}}, map[string]string{"web": b, "db": a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repl := tt.repl
			if repl == nil {
				repl = replacements()
			}
			got, err := Rewrite(one(tt.in), repl)
			if err != nil {
				t.Fatal(err)
			}
			if want := applyEdits(t, tt.in, tt.edits); string(got) != want {
				t.Errorf("Rewrite(%q)\n got %q\nwant %q", tt.in, got, want)
			}
		})
	}
}
