package cargo

import (
	"path/filepath"
	"testing"
)

// Home reads cargo's home from the environment it is given, never the
// process's: the same environment cargo itself runs in.
func TestHome(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"CARGO_HOME", []string{"HOME=/h", "CARGO_HOME=/c"}, "/c"},
		{"HOME", []string{"HOME=/h"}, filepath.Join("/h", ".cargo")},
		{"an empty CARGO_HOME is unset", []string{"CARGO_HOME=", "HOME=/h"}, filepath.Join("/h", ".cargo")},
		{"the last of a key counts", []string{"HOME=/a", "HOME=/b"}, filepath.Join("/b", ".cargo")},
		{"neither", []string{"PATH=/bin"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Home(getenvOf(tt.env)); got != tt.want {
				t.Errorf("Home(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}

func TestProfileOrDefault(t *testing.T) {
	for in, want := range map[string]string{"": DefaultProfile, "dev": "dev", "dist": "dist"} {
		if got := ProfileOrDefault(in); got != want {
			t.Errorf("ProfileOrDefault(%q) = %q, want %q", in, got, want)
		}
	}
}
