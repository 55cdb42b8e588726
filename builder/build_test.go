package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
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
	// checks counts the Rust target checks.
	checks int
	// during, when set, runs while cargo "builds": what another build
	// does meanwhile.
	during func() error
	// graphErr, when set, is what Graph returns; graphs counts its calls.
	graphErr error
	graphs   atomic.Int64
	// reportEarly makes Build report each executable as it is written
	// (BuildRequest.Built), then call awaitEarly before it returns.
	reportEarly bool
	awaitEarly  func() error
}

// Graph describes a binary that links only its own package. It must be
// given the packages of the build for its triple.
func (f *fakeCargo) Graph(_ context.Context, req cargo.DepsRequest) (*cargo.Graph, error) {
	f.graphs.Add(1)
	if f.graphErr != nil {
		return nil, f.graphErr
	}
	if len(req.Built) != 1 || req.Built[0].ID != "built for "+req.Triple {
		return nil, fmt.Errorf("graph for %s given the packages %v", req.Triple, req.Built)
	}
	id := "path+file:///" + req.Package + "#1.2.3"
	return &cargo.Graph{
		Root:     id,
		Crates:   []cargo.Crate{{ID: id, Name: req.Package, Version: "1.2.3", License: "MIT", Source: cargo.Source{Kind: cargo.SourcePath, Path: "."}}},
		Lockfile: cargo.Lockfile{Digest: digest.FromString("Cargo.lock of " + req.Triple)},
	}, nil
}

func (f *fakeCargo) Toolchain(context.Context, string) (cargo.Toolchain, error) {
	return cargo.Toolchain{Rustc: "rustc 1.95.0 (fake)", Cargo: "cargo 1.95.0 (fake)", Host: "x86_64-unknown-linux-gnu"}, nil
}

func (f *fakeCargo) Metadata(context.Context, string) (*cargo.Project, error) {
	return &f.project, nil
}

func (f *fakeCargo) CheckTarget(context.Context, string, string) error {
	f.checks++
	return nil
}

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
		for _, bin := range req.Bins {
			path := filepath.Join(f.project.TargetDir, triple, "release", bin)
			arts = append(arts, cargo.Artifact{Bin: bin, Path: path, Triple: triple,
				Packages: []cargo.BuiltPackage{{ID: "built for " + triple}}})
			if f.noFile || triple == f.noFileFor {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
			// Like cargo, replace the executable rather than rewrite it in
			// place, so that builds running at once never read a torn one.
			if err := replaceFile(path, append([]byte(triple+" "+bin+" "), f.exe...)); err != nil {
				return nil, err
			}
			if f.reportEarly && req.Built != nil {
				req.Built(cargo.Artifact{Bin: bin, Path: path, Triple: triple})
			}
		}
	}
	if f.awaitEarly != nil {
		if err := f.awaitEarly(); err != nil {
			return nil, err
		}
	}
	return arts, nil
}

// testBuild is one build as the tests describe it: the request, the
// package named as the user names it (-p; "" for the one in Dir), and the
// Builder's log and push check.
type testBuild struct {
	Request
	pkg       string
	Log       io.Writer
	PushCheck PushChecker
	// compressed, when set, is called each time a layer is compressed
	// rather than taken from the layer cache.
	compressed func()
}

// metadataCargo is a test's cargo, which can also describe the project.
type metadataCargo interface {
	Cargo
	Metadata(ctx context.Context, dir string) (*cargo.Project, error)
}

// Run builds as the command does: it asks cargo about the project and
// selects the package once, then prepares and runs the build. The result
// is released: it holds no lease.
func Run(ctx context.Context, c metadataCargo, tb testBuild) (Result, error) {
	proj, err := c.Metadata(ctx, tb.Dir)
	if err != nil {
		return Result{}, err
	}
	req := tb.Request
	if req.Package, err = proj.SelectPackage(tb.Dir, tb.pkg); err != nil {
		return Result{}, err
	}
	req.Project = proj
	b := &Builder{Cargo: c, Log: tb.Log, PushCheck: tb.PushCheck, layerCompressed: tb.compressed}
	plan, err := b.Prepare(ctx, req)
	if err != nil {
		return Result{}, err
	}
	res, err := plan.Run(ctx)
	res.Release()
	return res, err
}

func newFake(t *testing.T) (*fakeCargo, testBuild) {
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
	// As cargo leaves it: the provenance of a build without SBOM reads it.
	if err := os.WriteFile(filepath.Join(dir, "Cargo.lock"), []byte("version = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := testBuild{Request: Request{Dir: dir, Settled: config.Settled{
		Platforms: []ocispec.Platform{{OS: "linux", Architecture: "amd64"}},
		Libc:      cargo.Glibc, Base: Scratch, Tags: []string{"latest"}, Created: time.Unix(1700000000, 0),
	}}}
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
	if err != nil || desc.Digest != res.Root.Digest {
		t.Fatalf("resolve latest: %v %v, want %s", desc.Digest, err, res.Root.Digest)
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
	if a.Root.Digest != b.Root.Digest {
		t.Errorf("same executable, different digests: %s and %s", a.Root.Digest, b.Root.Digest)
	}
}

// errCompile is cargo's failure in tests: the builder passes it on wrapped,
// so a test of what a failed build leaves can check it failed in cargo.
var errCompile = errors.New("compile error")

func TestRunFailuresLeaveNoLayout(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *fakeCargo, o *testBuild)
		builds int
		// wantIs is the error the failure wraps, so that the command can
		// tell it apart; nil where there is no sentinel (cargo's SelectBin
		// errors are usage messages only).
		wantIs error
	}{
		{"cargo fails", func(f *fakeCargo, _ *testBuild) { f.buildErr = errCompile }, 1, errCompile},
		{"executable missing after the layout was created", func(f *fakeCargo, _ *testBuild) { f.noFile = true }, 1, fs.ErrNotExist},
		{"bad tag", func(_ *fakeCargo, o *testBuild) { o.Tags = []string{"ok", ".hidden"} }, 0, imageref.ErrInvalidTag},
		{"bad base", func(_ *fakeCargo, o *testBuild) { o.Base = "oci:" + filepath.Join(o.Dir, "missing") }, 0, layout.ErrNotLayout},
		{"unsupported platform", func(_ *fakeCargo, o *testBuild) { o.Platforms[0].Architecture = "s390x" }, 0, cargo.ErrUnsupportedPlatform},
		{"two binaries", func(f *fakeCargo, _ *testBuild) {
			f.project.Packages[0].Targets = append(f.project.Packages[0].Targets, cargo.Target{Name: "tool", Kind: []string{"bin"}})
		}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			tt.change(f, &opts)
			_, err := Run(context.Background(), f, opts)
			if err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q does not wrap %q", err, tt.wantIs)
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
	f.buildErr = errCompile
	if _, err := Run(context.Background(), f, opts); !errors.Is(err, errCompile) {
		t.Fatalf("Run = %v, want cargo's error", err)
	}
	if _, err := os.Stat(filepath.Join(f.project.TargetDir, "release", "deps", "libdep.rlib")); err != nil {
		t.Errorf("cargo's compiled dependencies were removed by the cleanup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.project.TargetDir, "krust")); !os.IsNotExist(err) {
		t.Errorf("the layout directory was left behind: %v", err)
	}
}

// TestFailureBeforeCargoLeavesNoTargetDir: a build refused before cargo
// ran (here: its base layout does not exist) removes the empty target
// directory it made for cargo, and nothing of a target directory that was
// there already.
func TestFailureBeforeCargoLeavesNoTargetDir(t *testing.T) {
	for _, existed := range []bool{false, true} {
		t.Run(fmt.Sprintf("target dir existed %v", existed), func(t *testing.T) {
			f, opts := newFake(t)
			if existed {
				if err := os.MkdirAll(f.project.TargetDir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			opts.Base = "oci:" + filepath.Join(t.TempDir(), "missing")
			if _, err := Run(context.Background(), f, opts); err == nil {
				t.Fatal("Run succeeded on a missing base layout")
			}
			if f.builds != 0 {
				t.Fatalf("cargo ran %d times", f.builds)
			}
			_, err := os.Stat(f.project.TargetDir)
			if existed && err != nil {
				t.Errorf("the target directory that was there is gone: %v", err)
			}
			if !existed && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the failed build left the target directory it made: %v", err)
			}
		})
	}
}

func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".exe-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	err = errors.Join(err, tmp.Chmod(0o755), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// TestLayersAreWrittenWhileCargoBuilds: an executable cargo reports is
// packed into its layer at once, while cargo goes on; the image's write
// then takes that layer, compressed once, and the image is the one a
// build without early reports makes.
func TestLayersAreWrittenWhileCargoBuilds(t *testing.T) {
	ctx := context.Background()
	f, opts := newFake(t)
	plain, err := Run(ctx, f, opts)
	if err != nil {
		t.Fatal(err)
	}

	f, opts = newFake(t)
	compressed := make(chan struct{}, 8)
	opts.compressed = func() { compressed <- struct{}{} }
	f.reportEarly = true
	f.awaitEarly = func() error {
		select {
		case <-compressed:
			return nil
		case <-time.After(time.Minute):
			return errors.New("cargo ended with no layer written: the executable's layer waits for the whole build")
		}
	}
	early, err := Run(ctx, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if early.Root.Digest != plain.Root.Digest {
		t.Errorf("the image of a build with early layers is %s, without %s", early.Root.Digest, plain.Root.Digest)
	}
	if n := len(compressed); n != 0 {
		t.Errorf("the layer was compressed %d more times after cargo ended", n)
	}
}
