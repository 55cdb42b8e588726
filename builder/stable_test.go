//go:build unix

package builder

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/regular/regulartest"
)

// nobody is the user id a directory planted by another user belongs to.
const nobody = 65534

func TestStableRootIsPerUserAndFixed(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	for _, uid := range []int{0, 1000, 1001} {
		// The path is hashed into binaries: it must not depend on where
		// this machine keeps temporary files.
		want := "/tmp/krust-build-" + strconv.Itoa(uid)
		if got := stableRootFor(uid); got != want {
			t.Errorf("stableRootFor(%d) = %s, want %s", uid, got, want)
		}
	}
}

func TestPrepareStableRoot(t *testing.T) {
	uid := os.Getuid()
	tests := []struct {
		name    string
		setup   func(t *testing.T, root string)
		wantErr []string // substrings of the error; none means success
	}{
		{"missing is created", func(*testing.T, string) {}, nil},
		{"own private directory", func(t *testing.T, root string) { mkdir(t, root, 0o700) }, nil},
		{"own directory others may read", func(t *testing.T, root string) { mkdir(t, root, 0o755) }, nil},
		{"symbolic link to a directory", func(t *testing.T, root string) {
			target := filepath.Join(t.TempDir(), "theirs")
			mkdir(t, target, 0o700)
			if err := os.Symlink(target, root); err != nil {
				t.Fatal(err)
			}
		}, []string{"symbolic link", "rm "}},
		{"dangling symbolic link", func(t *testing.T, root string) {
			if err := os.Symlink(filepath.Join(t.TempDir(), "gone"), root); err != nil {
				t.Fatal(err)
			}
		}, []string{"symbolic link"}},
		{"a file", func(t *testing.T, root string) {
			if err := os.WriteFile(root, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"not a directory"}},
		{"group writable", func(t *testing.T, root string) { mkdir(t, root, 0o770) }, []string{"written by other users", "chmod 700"}},
		{"world writable and sticky like /tmp", func(t *testing.T, root string) {
			mkdir(t, root, 0o777|os.ModeSticky)
		}, []string{"written by other users"}},
		{"owned by another user", func(t *testing.T, root string) {
			if uid != 0 {
				t.Skip("only root can give a directory to another user")
			}
			mkdir(t, root, 0o700)
			if err := os.Chown(root, nobody, nobody); err != nil {
				t.Fatal(err)
			}
		}, []string{"belongs to user 65534", "not to you"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "krust-build")
			tt.setup(t, root)
			err := prepareStableRoot(root, uid)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("prepareStableRoot: %v", err)
				}
				info, err := os.Lstat(root)
				if err != nil || !info.IsDir() || info.Mode().Perm()&0o022 != 0 {
					t.Errorf("after prepareStableRoot: %v, %v", info, err)
				}
				return
			}
			if err == nil {
				t.Fatal("prepareStableRoot accepted it")
			}
			for _, w := range append(tt.wantErr, root) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestStableRootIsCreatedPrivate(t *testing.T) {
	root := filepath.Join(t.TempDir(), "krust-build")
	if err := prepareStableRoot(root, os.Getuid()); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(root); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("stable root created as %v (%v), want drwx------", info.Mode(), err)
	}
}

// outsideProject is a workspace at DIR/app with a path dependency at
// DIR/shared, outside it.
func outsideProject(dir string) *cargo.Project {
	return &cargo.Project{
		WorkspaceRoot: filepath.Join(dir, "app"),
		Packages: []cargo.Package{{Name: "app", Dependencies: []cargo.Dependency{
			{Name: "shared", Path: filepath.Join(dir, "shared")},
		}}},
	}
}

func TestPlantedLockIsNotFollowed(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, lock, outside string)
		want  string
	}{
		{"symbolic link to a file elsewhere", func(t *testing.T, lock, outside string) {
			if err := os.WriteFile(outside, []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, lock); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"symbolic link to a file that does not exist yet", func(t *testing.T, lock, outside string) {
			if err := os.Symlink(outside, lock); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		// Each refused at once, by what it is (a FIFO must not block).
		{"a directory", func(t *testing.T, lock, _ string) { regulartest.Make(t, lock, "dir") }, "is a directory"},
		{"a named pipe", func(t *testing.T, lock, _ string) { regulartest.Make(t, lock, "fifo") }, "is a named pipe (FIFO)"},
		{"a socket", func(t *testing.T, lock, _ string) { regulartest.Make(t, lock, "socket") }, "is a socket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			root := filepath.Join(dir, "krust-build")
			mkdir(t, root, 0o700)
			outside := filepath.Join(dir, "victim")
			lock := filepath.Join(root, "app.lock")
			tt.plant(t, lock, outside)
			before, beforeErr := os.ReadFile(outside)
			var s *stablePaths
			err := regulartest.Quick(t, time.Minute, func() error {
				var err error
				s, err = exposeStableIn(context.Background(), root, os.Getuid(), outsideProject(dir), "app")
				return err
			})
			if err == nil {
				s.release()
				t.Fatal("exposeStableIn used a planted lock")
			}
			if !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s and %q", err, lock, tt.want)
			}
			after, afterErr := os.ReadFile(outside)
			if string(after) != string(before) || (beforeErr == nil) != (afterErr == nil) {
				t.Errorf("the file behind the planted lock changed: %q (%v) -> %q (%v)", before, beforeErr, after, afterErr)
			}
			if _, err := os.Lstat(filepath.Join(root, "app")); err == nil {
				t.Errorf("a link was made although the lock was refused")
			}
		})
	}
}

func TestReleaseRemovesTheLink(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "krust-build")
	for round := 0; round < 2; round++ {
		s, err := exposeStableIn(context.Background(), root, os.Getuid(), outsideProject(dir), "app")
		if err != nil {
			t.Fatal(err)
		}
		if target, err := os.Readlink(s.stable); err != nil || target != dir {
			t.Fatalf("round %d: link %s -> %q (%v), want %s", round, s.stable, target, err, dir)
		}
		s.release()
		if _, err := os.Lstat(s.stable); !os.IsNotExist(err) {
			t.Errorf("round %d: link %s still there after release (%v)", round, s.stable, err)
		}
		entries, _ := os.ReadDir(root)
		if len(entries) != 1 || entries[0].Name() != "app.lock" {
			t.Errorf("round %d: %s holds %v after release, want only app.lock", round, root, entries)
		}
	}
}

func mkdir(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
