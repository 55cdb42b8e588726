package builder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
)

func TestDefaultLayoutDir(t *testing.T) {
	ws := &cargo.Project{WorkspaceRoot: "/src/ws", TargetDir: "/src/ws/target"}
	shared := &cargo.Project{WorkspaceRoot: "/src/ws", TargetDir: "/cache/target"}
	other := &cargo.Project{WorkspaceRoot: "/src/other", TargetDir: "/cache/target"}
	tests := []struct {
		name      string
		proj      *cargo.Project
		pkg, bin  string
		want      string
		wantUnder string // when the name is hashed: the directory it is in
	}{
		{name: "package and binary", proj: ws, pkg: "api", bin: "api", want: "/src/ws/target/krust/api/api"},
		{name: "another member", proj: ws, pkg: "worker", bin: "worker", want: "/src/ws/target/krust/worker/worker"},
		{name: "another binary of the package", proj: ws, pkg: "api", bin: "api-admin", want: "/src/ws/target/krust/api/api-admin"},
		{name: "binary with a dot", proj: ws, pkg: "api", bin: "api.v2", want: "/src/ws/target/krust/api/api.v2"},
		{name: "target directory outside the workspace", proj: shared, pkg: "api", bin: "api",
			want: "/cache/target/krust/api-" + shortHash("/src/ws") + "/api"},
		{name: "same package in another workspace", proj: other, pkg: "api", bin: "api",
			want: "/cache/target/krust/api-" + shortHash("/src/other") + "/api"},
		{name: "binary with a colon", proj: ws, pkg: "api", bin: "a:b", want: "/src/ws/target/krust/api/a_b-" + shortHash("a:b")},
		{name: "binary with a slash", proj: ws, pkg: "api", bin: "a/b", want: "/src/ws/target/krust/api/a_b-" + shortHash("a/b")},
		{name: "binary named ..", proj: ws, pkg: "api", bin: "..", want: "/src/ws/target/krust/api/-" + shortHash("..")},
		{name: "two binaries, one image", proj: ws, pkg: "api", bin: "api migrate", want: "/src/ws/target/krust/api/api+migrate"},
		{name: "one binary named with a +", proj: ws, pkg: "api", bin: "api+migrate", want: "/src/ws/target/krust/api/api_migrate-" + shortHash("api+migrate")},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultLayoutDir(tt.proj, tt.pkg, strings.Split(tt.bin, " "))
			if got != tt.want {
				t.Errorf("defaultLayoutDir(%s, %s, %s) = %s, want %s", tt.proj.WorkspaceRoot, tt.pkg, tt.bin, got, tt.want)
			}
			if prev, ok := seen[got]; ok {
				t.Errorf("%s shares its layout with %s", tt.name, prev)
			}
			seen[got] = tt.name
		})
	}
}

// TestRunKeepsEveryPackagesImage: two members built one after the other
// with default settings each keep their image under their own reference.
func TestRunKeepsEveryPackagesImage(t *testing.T) {
	f, opts := newFake(t)
	svc := f.project.Packages[0]
	worker := cargo.Package{
		Name: "worker", Version: "0.1.0", ManifestPath: filepath.Join(opts.Dir, "worker", "Cargo.toml"),
		Targets: []cargo.Target{{Name: "worker", Kind: []string{"bin"}}},
	}
	f.project.Packages = append(f.project.Packages, worker)
	results := map[string]Result{}
	for _, pkg := range []cargo.Package{svc, worker} {
		opts.pkg = pkg.Name
		res, err := Run(context.Background(), f, opts)
		if err != nil {
			t.Fatal(err)
		}
		results[pkg.Name] = res
	}
	if results["svc"].LayoutDir == results["worker"].LayoutDir {
		t.Fatalf("svc and worker share the layout %s", results["svc"].LayoutDir)
	}
	for name, res := range results {
		desc, err := mustOpen(t, res.LayoutDir).Resolve(context.Background(), res.Tags[0])
		if err != nil || desc.Digest != res.Root.Digest {
			t.Errorf("%s: %s:%s resolves to %s (%v), want its own image %s", name, res.LayoutDir, res.Tags[0], desc.Digest, err, res.Root.Digest)
		}
	}
}

// TestFailedBuildKeepsALayoutMadeBesideIt: a failed build removes its own
// new layout and the directories it made for it, but not a layout another
// build made beside it meanwhile.
func TestFailedBuildKeepsALayoutMadeBesideIt(t *testing.T) {
	for _, defaults := range []bool{true, false} {
		name := map[bool]string{true: "default layouts", false: "--oci-layout in a new directory"}[defaults]
		t.Run(name, func(t *testing.T) {
			f, opts := newFake(t)
			mine := filepath.Join(opts.Dir, "target", "krust", "svc", "svc")
			theirs := filepath.Join(opts.Dir, "target", "krust", "worker", "worker")
			if !defaults {
				shared := filepath.Join(t.TempDir(), "shared")
				mine, theirs = filepath.Join(shared, "mine"), filepath.Join(shared, "theirs")
				opts.LayoutDir = mine
			}
			f.buildErr = errCompile
			f.during = func() error {
				_, err := layout.Create(context.Background(), theirs)
				return err
			}
			if _, err := Run(context.Background(), f, opts); !errors.Is(err, errCompile) {
				t.Fatalf("Run = %v, want cargo's error", err)
			}
			if _, err := layout.Open(theirs); err != nil {
				t.Errorf("the failed build removed the layout made beside its own: %v", err)
			}
			if _, err := os.Stat(mine); !os.IsNotExist(err) {
				t.Errorf("the failed build left its layout %s behind: %v", mine, err)
			}
		})
	}
}
