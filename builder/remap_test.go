package builder

import (
	"slices"
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
)

func TestPathHelpers(t *testing.T) {
	tests := []struct {
		a, b, ancestor string
		bWithinA       bool
	}{
		{"/src/app", "/src/app/sub", "/src/app", true},
		{"/src/app", "/src/shared", "/src", false},
		{"/src/app", "/src/application", "/src", false},
		{"/a/b/c", "/x/y", "/", false},
		{"/src/app", "/src/app", "/src/app", true},
	}
	for _, tt := range tests {
		if got := within(tt.b, tt.a); got != tt.bWithinA {
			t.Errorf("within(%s, %s) = %v", tt.b, tt.a, got)
		}
		if got := commonAncestor(tt.a, tt.b); got != tt.ancestor {
			t.Errorf("commonAncestor(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.ancestor)
		}
	}
	s := &stablePaths{real: "/home/me/src", stable: "/tmp/krust-build/app"}
	if got := s.toStable("/home/me/src/app"); got != "/tmp/krust-build/app/app" {
		t.Errorf("toStable = %s", got)
	}
	if got := s.toReal("/tmp/krust-build/app/app/target/x/release/app"); got != "/home/me/src/app/target/x/release/app" {
		t.Errorf("toReal = %s", got)
	}
	if got := s.toReal("/elsewhere/target/app"); got != "/elsewhere/target/app" {
		t.Errorf("toReal of an outside path = %s", got)
	}
}

func TestRemapFlags(t *testing.T) {
	proj := &cargo.Project{WorkspaceRoot: "/home/me/src/app", Packages: []cargo.Package{{
		Name: "app", Dependencies: []cargo.Dependency{{Name: "shared", Path: "/home/me/src/shared"}, {Name: "inner", Path: "/home/me/src/app/inner"}, {Name: "serde"}},
	}}}
	if got := outsideDeps(proj); !slices.Equal(got, []string{"/home/me/src/shared"}) {
		t.Errorf("outsideDeps = %v", got)
	}
	got := remapFlags(proj, nil, "/home/me/.cargo")
	want := []string{"--remap-path-prefix=/home/me/.cargo=/krust/cargo", "--remap-path-prefix=/home/me/src/app=/krust/workspace"}
	if !slices.Equal(got, want) {
		t.Errorf("remapFlags = %q, want %q", got, want)
	}
	got = remapFlags(proj, &stablePaths{real: "/home/me/src", stable: "/tmp/krust-build/app"}, "")
	if want := []string{"--remap-path-prefix=/tmp/krust-build/app=/krust/src"}; !slices.Equal(got, want) {
		t.Errorf("remapFlags with a stable view = %q, want %q", got, want)
	}
}
