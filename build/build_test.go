package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fakeCargo stands in for cargo: it "builds" by writing a fixed file.
type fakeCargo struct {
	project  cargo.Project
	exe      []byte
	buildErr error
	noFile   bool // report an executable but write none
	// noFileFor is a triple whose executable is reported but not written.
	noFileFor string
	// hook, when set, runs as Build starts: what happens meanwhile.
	hook   func()
	builds int
	// during, when set, runs while cargo "builds": what another build
	// does meanwhile.
	during func() error
}

func (f *fakeCargo) Metadata(context.Context, string) (*cargo.Project, error) {
	return &f.project, nil
}

func (f *fakeCargo) CheckTarget(context.Context, string, string) error { return nil }

func (f *fakeCargo) Build(_ context.Context, req cargo.BuildRequest) ([]cargo.Artifact, error) {
	f.builds++
	if f.hook != nil {
		f.hook()
	}
	if f.during != nil {
		if err := f.during(); err != nil {
			return nil, err
		}
	}
	if f.buildErr != nil {
		// Like cargo, leave compiled dependencies behind when failing.
		deps := filepath.Join(f.project.TargetDir, "release", "deps")
		if err := os.MkdirAll(deps, 0o755); err != nil {
			return nil, err
		}
		return nil, errors.Join(f.buildErr, os.WriteFile(filepath.Join(deps, "libdep.rlib"), nil, 0o644))
	}
	var arts []cargo.Artifact
	for _, triple := range req.Triples {
		path := filepath.Join(f.project.TargetDir, triple, "release", req.Bin)
		arts = append(arts, cargo.Artifact{Bin: req.Bin, Path: path, Triple: triple})
		if f.noFile || triple == f.noFileFor {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, append([]byte(triple+" "), f.exe...), 0o755); err != nil {
			return nil, err
		}
	}
	return arts, nil
}

func newFake(t *testing.T) (*fakeCargo, Options) {
	t.Helper()
	dir := t.TempDir()
	f := &fakeCargo{
		project: cargo.Project{
			WorkspaceRoot: dir,
			TargetDir:     filepath.Join(dir, "target"),
			Packages: []cargo.Package{{
				Name: "svc", Version: "1.2.3", ManifestPath: filepath.Join(dir, "Cargo.toml"),
				Targets: []cargo.Target{{Name: "svc", Kind: []string{"bin"}}},
			}},
		},
		exe: []byte("\x7fELF pretend executable"),
	}
	opts := Options{
		Dir: dir, Platforms: []ocispec.Platform{{OS: "linux", Architecture: "amd64"}},
		Libc: cargo.Glibc, Base: Scratch, Tags: []string{"latest"}, Created: time.Unix(1700000000, 0),
	}
	return f, opts
}

func TestRunWritesTaggedImage(t *testing.T) {
	f, opts := newFake(t)
	res, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(opts.Dir, "target", "krust", "svc", "svc"); res.LayoutDir != want || len(res.Tags) != 1 || res.Tags[0] != "latest" {
		t.Fatalf("result %+v, want layout %s tag latest", res, want)
	}
	store := mustOpen(t, res.LayoutDir)
	desc, err := store.Resolve(context.Background(), "latest")
	if err != nil || desc.Digest != res.Manifest.Digest {
		t.Fatalf("resolve latest: %v %v, want %s", desc.Digest, err, res.Manifest.Digest)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(context.Background(), store, desc, oci.MaxManifestSize, &m); err != nil {
		t.Fatal(err)
	}
	if m.Annotations[ocispec.AnnotationTitle] != "svc" || m.Annotations[ocispec.AnnotationVersion] != "1.2.3" {
		t.Errorf("annotations %v lack title svc and version 1.2.3", m.Annotations)
	}
	if _, ok := m.Annotations[ocispec.AnnotationBaseImageDigest]; ok {
		t.Errorf("scratch image carries a base digest annotation: %v", m.Annotations)
	}
	var cfg ocispec.Image
	if err := oci.ReadJSON(context.Background(), store, m.Config, oci.MaxConfigSize, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Config.Entrypoint) != 1 || cfg.Config.Entrypoint[0] != "/app/svc" || cfg.Created.Unix() != 1700000000 {
		t.Errorf("config entrypoint %v created %v", cfg.Config.Entrypoint, cfg.Created)
	}
}

func TestRunIsReproducible(t *testing.T) {
	f, opts := newFake(t)
	a, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.LayoutDir = filepath.Join(t.TempDir(), "other")
	b, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest.Digest != b.Manifest.Digest {
		t.Errorf("same executable, different digests: %s and %s", a.Manifest.Digest, b.Manifest.Digest)
	}
}

func TestRunFailuresLeaveNoLayout(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *fakeCargo, o *Options)
		builds int
	}{
		{"cargo fails", func(f *fakeCargo, _ *Options) { f.buildErr = errors.New("boom") }, 1},
		{"executable missing after the layout was created", func(f *fakeCargo, _ *Options) { f.noFile = true }, 1},
		{"bad tag", func(_ *fakeCargo, o *Options) { o.Tags = []string{"ok", ".hidden"} }, 0},
		{"bad base", func(_ *fakeCargo, o *Options) { o.Base = "oci:" + filepath.Join(o.Dir, "missing") }, 0},
		{"unsupported platform", func(_ *fakeCargo, o *Options) { o.Platforms[0].Architecture = "s390x" }, 0},
		{"two binaries", func(f *fakeCargo, _ *Options) {
			f.project.Packages[0].Targets = append(f.project.Packages[0].Targets, cargo.Target{Name: "tool", Kind: []string{"bin"}})
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			tt.change(f, &opts)
			if _, err := Run(context.Background(), f, opts); err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			if f.builds != tt.builds {
				t.Errorf("cargo ran %d times, want %d (checks belong before the build)", f.builds, tt.builds)
			}
			if _, err := os.Stat(filepath.Join(opts.Dir, "target", "krust")); !os.IsNotExist(err) {
				t.Errorf("a failed build left a layout behind: %v", err)
			}
		})
	}
}

func mustOpen(t *testing.T, dir string) *layout.Layout {
	t.Helper()
	store, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

func TestFailedFirstBuildKeepsCargosTargetDir(t *testing.T) {
	f, opts := newFake(t)
	f.buildErr = errors.New("compile error")
	if _, err := Run(context.Background(), f, opts); err == nil {
		t.Fatal("Run succeeded")
	}
	if _, err := os.Stat(filepath.Join(f.project.TargetDir, "release", "deps", "libdep.rlib")); err != nil {
		t.Errorf("cargo's compiled dependencies were removed by the cleanup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.project.TargetDir, "krust")); !os.IsNotExist(err) {
		t.Errorf("the layout directory was left behind: %v", err)
	}
}
