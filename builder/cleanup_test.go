package builder

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestFailedBuildKeepsWhatIsNotItsOwn: a build whose layout lies under a
// directory that did not exist when it started fails; what others put
// under that directory meanwhile stays, and so does the directory.
func TestFailedBuildKeepsWhatIsNotItsOwn(t *testing.T) {
	tests := []struct {
		name string
		// before sets the project up; during runs while cargo builds.
		before func(f *fakeCargo, parent string)
		during func(t *testing.T, parent string)
		check  func(t *testing.T, parent string)
	}{
		{name: "cargo's target directory beside the layout (CARGO_TARGET_DIR)",
			before: func(f *fakeCargo, parent string) { f.project.TargetDir = filepath.Join(parent, "target") },
			check:  exists("target/release/deps/libdep.rlib")},
		{name: "a file the user put there",
			during: func(t *testing.T, parent string) {
				if err := os.WriteFile(filepath.Join(parent, "notes.txt"), []byte("mine"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			check: exists("notes.txt")},
		{name: "another build's finished layout",
			during: func(t *testing.T, parent string) {
				other, opts := newFake(t)
				opts.LayoutDir = filepath.Join(parent, "other")
				if _, err := Run(context.Background(), other, opts); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, parent string) {
				if _, err := mustOpen(t, filepath.Join(parent, "other")).Resolve(context.Background(), "latest"); err != nil {
					t.Errorf("the other build's image is gone: %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			parent := filepath.Join(t.TempDir(), "new")
			opts.LayoutDir = filepath.Join(parent, "oci")
			f.buildErr = errCompile
			if tt.before != nil {
				tt.before(f, parent)
			}
			if tt.during != nil {
				f.hook = func() { tt.during(t, parent) }
			}
			if _, err := Run(context.Background(), f, opts); !errors.Is(err, errCompile) {
				t.Fatalf("Run = %v, want cargo's error", err)
			}
			tt.check(t, parent)
			if _, err := os.Stat(opts.LayoutDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the failed build's own layout was left behind: %v", err)
			}
		})
	}
}

// exists checks that rel, under the parent directory, is still there.
func exists(rel string) func(t *testing.T, parent string) {
	return func(t *testing.T, parent string) {
		if _, err := os.Stat(filepath.Join(parent, rel)); err != nil {
			t.Errorf("a failed build removed %s, which it did not write: %v", rel, err)
		}
	}
}

func TestFailedBuildRemovesTheEmptyDirectoriesItCreated(t *testing.T) {
	f, opts := newFake(t)
	top := filepath.Join(t.TempDir(), "x")
	opts.LayoutDir = filepath.Join(top, "y", "z", "oci")
	f.buildErr = errCompile
	if _, err := Run(context.Background(), f, opts); !errors.Is(err, errCompile) {
		t.Fatalf("Run = %v, want cargo's error", err)
	}
	if _, err := os.Stat(top); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the directories the failed build created are left behind: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(top)); err != nil {
		t.Errorf("a directory that existed before the build was removed: %v", err)
	}
}

// TestFailedBuildSparesASiblingStillRunning: build A, whose layout's parent
// is new, fails while build B writes a layout under that parent; B must
// finish as if A had never run.
func TestFailedBuildSparesASiblingStillRunning(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "new")
	a, aOpts := newFake(t)
	aOpts.LayoutDir = filepath.Join(parent, "a")
	a.buildErr = errCompile
	b, bOpts := newFake(t)
	bOpts.LayoutDir = filepath.Join(parent, "b")
	aIn, aGo, bIn, bGo := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	a.hook = func() { close(aIn); <-aGo }
	b.hook = func() { close(bIn); <-bGo }
	aErr, bErr := make(chan error), make(chan error)
	go func() { _, err := Run(context.Background(), a, aOpts); aErr <- err }()
	<-aIn // A made parent/a and is in cargo
	go func() { _, err := Run(context.Background(), b, bOpts); bErr <- err }()
	<-bIn // B made parent/b and is in cargo
	close(aGo)
	if err := <-aErr; !errors.Is(err, errCompile) {
		t.Fatalf("build A: %v, want cargo's error", err)
	}
	close(bGo)
	if err := <-bErr; err != nil {
		t.Fatalf("build B failed after build A's cleanup: %v", err)
	}
	if _, err := mustOpen(t, bOpts.LayoutDir).Resolve(context.Background(), "latest"); err != nil {
		t.Errorf("build B's image: %v", err)
	}
	if _, err := os.Stat(aOpts.LayoutDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build A's own layout was left behind: %v", err)
	}
}

// TestFailedBuildInAnExistingLayoutLeavesNoUnreferencedBlobs: a build that
// fails after writing a layer, config and manifest into an existing layout
// takes them away again, and nothing else.
func TestFailedBuildInAnExistingLayoutLeavesNoUnreferencedBlobs(t *testing.T) {
	f, opts := newFake(t)
	res, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := res.LayoutDir
	before := blobNames(t, dir)
	// Another executable and label, so its layer, config and manifest are
	// new; the arm64 executable is missing, so the build fails after
	// writing the amd64 image.
	f.exe = []byte("\x7fELF another executable")
	opts.ImageConfig.Labels = map[string]string{"v": "2"}
	opts.Platforms = append(opts.Platforms, ocispec.Platform{OS: "linux", Architecture: "arm64"})
	f.noFileFor = "aarch64-unknown-linux-gnu"
	if _, err := Run(context.Background(), f, opts); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Run = %v, want the arm64 executable missing", err)
	}
	if after := blobNames(t, dir); !slices.Equal(after, before) {
		t.Errorf("blobs before the failed build %v, after %v", before, after)
	}
	if _, err := mustOpen(t, dir).Resolve(context.Background(), "latest"); err != nil {
		t.Errorf("the earlier image: %v", err)
	}
}

func blobNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestBuildsUnderANewParentWhileOthersFail: builds that succeed and builds
// that fail, at once, into layouts under one new parent (some sharing a
// layout): every good build's image is there afterwards, whatever order
// the failures' cleanups ran in.
func TestBuildsUnderANewParentWhileOthersFail(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "new")
	const n = 12
	errs := make([]error, n)
	opts := make([]testBuild, n)
	done := make(chan int)
	for i := range n {
		f, o := newFake(t)
		o.LayoutDir = filepath.Join(parent, "l"+strconv.Itoa(i%3), "oci")
		o.Tags = []string{"t" + strconv.Itoa(i)}
		o.ImageConfig.Labels = map[string]string{"n": strconv.Itoa(i)}
		if i%2 == 1 {
			f.buildErr = errCompile
		}
		opts[i] = o
		go func() { _, errs[i] = Run(context.Background(), f, o); done <- i }()
	}
	for range n {
		<-done
	}
	for i := range n {
		if i%2 == 1 {
			if !errors.Is(errs[i], errCompile) {
				t.Errorf("build %d: %v, want its cargo error", i, errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("build %d failed beside failing builds: %v", i, errs[i])
			continue
		}
		if _, err := mustOpen(t, opts[i].LayoutDir).Resolve(context.Background(), opts[i].Tags[0]); err != nil {
			t.Errorf("build %d's image: %v", i, err)
		}
	}
}
