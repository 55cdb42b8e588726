package cargo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindManifest(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"ws/Cargo.toml", "ws/member/Cargo.toml", "ws/member/src/main.rs", "ws/other.toml", "plain/readme"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A directory named Cargo.toml is no manifest: the walk goes past it.
	if err := os.MkdirAll(filepath.Join(root, "ws/docs/Cargo.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "ws", "member"))
	tests := []struct {
		name, arg, want string
		wantInErr       []string
	}{
		{name: "the project directory", arg: filepath.Join(root, "ws/member"), want: "ws/member/Cargo.toml"},
		{name: "a subdirectory finds the nearest manifest upward", arg: filepath.Join(root, "ws/member/src"), want: "ws/member/Cargo.toml"},
		{name: "relative", arg: "src", want: "ws/member/Cargo.toml"},
		{name: "the current directory", arg: ".", want: "ws/member/Cargo.toml"},
		{name: "the workspace root from below", arg: "..", want: "ws/Cargo.toml"},
		{name: "past a directory named Cargo.toml", arg: filepath.Join(root, "ws/docs"), want: "ws/Cargo.toml"},
		{name: "the manifest itself", arg: "Cargo.toml", want: "ws/member/Cargo.toml"},
		{name: "a source file", arg: "src/main.rs", wantInErr: []string{"src/main.rs is not a directory or a Cargo.toml"}},
		{name: "another toml", arg: "../other.toml", wantInErr: []string{"../other.toml is not a directory or a Cargo.toml"}},
		{name: "missing", arg: "nope", wantInErr: []string{"project directory nope does not exist"}},
		{name: "missing manifest", arg: "nope/Cargo.toml", wantInErr: []string{"nope/Cargo.toml does not exist"}},
		{name: "no manifest anywhere", arg: filepath.Join(root, "plain"), wantInErr: []string{"no Cargo.toml in", "or any parent directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindManifest(tt.arg)
			if tt.wantInErr != nil {
				if err == nil {
					t.Fatalf("FindManifest(%q) = %q, want an error", tt.arg, got)
				}
				for _, s := range tt.wantInErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("FindManifest(%q): %v", tt.arg, err)
			}
			if want := filepath.Join(root, tt.want); got != want {
				t.Errorf("FindManifest(%q) = %q, want %q", tt.arg, got, want)
			}
		})
	}
}
