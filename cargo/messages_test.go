package cargo

import (
	"bufio"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestExecutables(t *testing.T) {
	captured, err := os.ReadFile("testdata/cargo-messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	const release = "/home/dev/src/multibin/target/x86_64-unknown-linux-gnu/release/"
	longLine := `{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"big"},"executable":"/big","filenames":["` +
		strings.Repeat("x", 200*1024) + `"]}`
	tests := []struct {
		name  string
		input string
		want  map[string]string
	}{
		{
			name:  "captured cargo build",
			input: string(captured),
			want: map[string]string{
				"admin-cli": release + "admin-cli",
				"server":    release + "server",
			},
		},
		{
			name:  "empty stream",
			input: "",
			want:  map[string]string{},
		},
		{
			name:  "only text",
			input: "   Compiling x v0.1.0\nwarning: unused\n\n",
			want:  map[string]string{},
		},
		{
			name: "example, test and lib targets are not binaries",
			input: `{"reason":"compiler-artifact","target":{"kind":["example"],"name":"demo"},"executable":"/t/demo"}
{"reason":"compiler-artifact","target":{"kind":["test"],"name":"it"},"executable":"/t/it-123"}
{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"lib"},"executable":null}
{"reason":"compiler-artifact","target":{"kind":["custom-build"],"name":"build-script-build"},"executable":null}
`,
			want: map[string]string{},
		},
		{
			name: "bin without executable is skipped",
			input: `{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"app"},"executable":null}
`,
			want: map[string]string{},
		},
		{
			name: "other reasons are skipped",
			input: `{"reason":"compiler-message","target":{"kind":["bin"],"name":"app"},"executable":"/wrong"}
{"reason":"build-finished","success":true}
`,
			want: map[string]string{},
		},
		{
			name: "later artifact wins",
			input: `{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"app"},"executable":"/old"}
{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"app"},"executable":"/new"}
`,
			want: map[string]string{"app": "/new"},
		},
		{
			name:  "CRLF and no final newline",
			input: "{\"reason\":\"compiler-artifact\",\"target\":{\"kind\":[\"bin\"],\"name\":\"app\"},\"executable\":\"/app\"}\r\nnot json\r\n{\"reason\":\"build-finished\",\"success\":true}",
			want:  map[string]string{"app": "/app"},
		},
		{
			name:  "long line",
			input: longLine + "\n",
			want:  map[string]string{"big": "/big"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exes, err := Executables(strings.NewReader(tc.input))
			if err != nil {
				t.Fatalf("Executables: %v", err)
			}
			got := map[string]string{}
			for _, e := range exes {
				got[e.Name] = e.Path
			}
			if exes == nil {
				t.Fatal("Executables returned nil")
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("Executables = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExecutablesMalformed(t *testing.T) {
	tests := []struct {
		name  string
		input string
		cause func(error) bool // the error it wraps
	}{
		{"truncated object", `{"reason":"compiler-artifact","target":{"kind":["bin"]` + "\n", isSyntaxError},
		{"after good lines", `{"reason":"build-script-executed"}` + "\n" + `{"reason": }` + "\n", isSyntaxError},
		{"wrong type", `{"reason":"compiler-artifact","target":{"kind":"bin","name":"app"},"executable":"/app"}` + "\n", isTypeError},
		{"line too long", `{"reason":"` + strings.Repeat("x", 17*1024*1024) + `"}` + "\n", func(err error) bool { return errors.Is(err, bufio.ErrTooLong) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Executables(strings.NewReader(tc.input))
			if err == nil {
				t.Fatalf("Executables = %v, want an error", got)
			}
			if got != nil {
				t.Errorf("Executables returned %v with its error", got)
			}
			if !strings.Contains(err.Error(), "cargo's JSON messages") {
				t.Errorf("error %q does not say what was being read", err)
			}
			if !tc.cause(err) {
				t.Errorf("error %q does not wrap the reader's error (%T)", err, errors.Unwrap(err))
			}
		})
	}
}

func TestFindPicksTheTriple(t *testing.T) {
	exes := []Executable{
		{"app", "/p/target/x86_64-unknown-linux-gnu/release/app"},
		{"app", "/p/target/aarch64-unknown-linux-gnu/release/app"},
		{"tool", "/p/target/aarch64-unknown-linux-gnu/release/tool"},
		{"app", "/p/target/x86_64-unknown-linux-gnu/debug/app"},
		{"app", "/p/target/x86_64-unknown-linux-gnu/dist/app"},
	}
	tests := []struct {
		bin, triple, profile, want string
		ok                         bool
	}{
		{"app", "x86_64-unknown-linux-gnu", "release", "/p/target/x86_64-unknown-linux-gnu/release/app", true},
		{"app", "aarch64-unknown-linux-gnu", "release", "/p/target/aarch64-unknown-linux-gnu/release/app", true},
		{"tool", "x86_64-unknown-linux-gnu", "release", "", false},
		{"app", "armv7-unknown-linux-gnueabihf", "release", "", false},
		{"app", "x86_64-unknown-linux-gnu", "dev", "/p/target/x86_64-unknown-linux-gnu/debug/app", true},
		{"app", "x86_64-unknown-linux-gnu", "dist", "/p/target/x86_64-unknown-linux-gnu/dist/app", true},
		{"app", "aarch64-unknown-linux-gnu", "dist", "", false},
	}
	for _, tt := range tests {
		got, ok := find(exes, tt.bin, tt.triple, tt.profile)
		if got != tt.want || ok != tt.ok {
			t.Errorf("find(%s, %s, %s) = %q, %v; want %q, %v", tt.bin, tt.triple, tt.profile, got, ok, tt.want, tt.ok)
		}
	}
}

// isSyntaxError reports whether err wraps encoding/json's report of
// malformed JSON.
func isSyntaxError(err error) bool {
	var syntax *json.SyntaxError
	return errors.As(err, &syntax)
}

// isTypeError reports whether err wraps encoding/json's report of a value
// of the wrong type.
func isTypeError(err error) bool {
	var typ *json.UnmarshalTypeError
	return errors.As(err, &typ)
}

// TestBuildMessagesPackages: each package the build compiled, or found
// fresh, is listed once with its Cargo.toml, whatever the kind of its
// targets; other messages name none.
func TestBuildMessagesPackages(t *testing.T) {
	captured, err := os.ReadFile("testdata/cargo-messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	const (
		serde  = `registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152`
		derive = `serde_derive 1.0.152 (registry+https://github.com/rust-lang/crates.io-index)`
	)
	stream := string(captured) +
		`{"reason":"compiler-artifact","package_id":"` + serde + `","manifest_path":"/c/serde-1.0.152/Cargo.toml","target":{"kind":["custom-build"],"name":"build-script-build"},"fresh":true}
{"reason":"build-script-executed","package_id":"` + serde + `","out_dir":"/t/out"}
{"reason":"compiler-artifact","package_id":"` + serde + `","manifest_path":"/c/serde-1.0.152/Cargo.toml","target":{"kind":["lib"],"name":"serde"},"fresh":true}
{"reason":"compiler-artifact","package_id":"` + derive + `","manifest_path":"/c/serde_derive-1.0.152/Cargo.toml","target":{"kind":["proc-macro"],"name":"serde_derive"}}
{"reason":"compiler-message","package_id":"other 1.0.0 (registry+https://x)","manifest_path":"/c/other/Cargo.toml","target":{"kind":["lib"],"name":"other"}}
`
	m, err := readMessages(strings.NewReader(stream), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []BuiltPackage{
		{"path+file:///home/dev/src/multibin#0.3.1", "/home/dev/src/multibin/Cargo.toml"},
		{serde, "/c/serde-1.0.152/Cargo.toml"},
		{derive, "/c/serde_derive-1.0.152/Cargo.toml"},
	}
	if !slices.Equal(m.packages, want) {
		t.Errorf("packages %v, want %v", m.packages, want)
	}
	if len(m.executables) != 2 {
		t.Errorf("executables %v, want the two of the captured build", m.executables)
	}
}
