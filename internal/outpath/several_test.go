package outpath

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestCheckSeveralOutputs(t *testing.T) {
	refs := func(path string) Output { return Output{Setting: "--image-refs", Path: path, Kind: File} }
	tests := []struct {
		name  string
		setup func(f *fixture) []Output
		// want are the parts of the error, each wrapping wantErr; none
		// means the check passes.
		wantErr error
		want    []string
	}{
		{"different files", func(f *fixture) []Output {
			return []Output{tarball(f.path("out/img.tar")), refs(f.path("out/ref"))}
		}, nil, nil},
		{"the same new file", func(f *fixture) []Output {
			return []Output{tarball(f.path("out/x")), refs(f.path("out/x"))}
		}, ErrSameFile, []string{"--tarball", "--image-refs"}},
		{"the same file through a link", func(f *fixture) []Output {
			f.file("out/x", "")
			return []Output{tarball(f.link("x", "out/y")), refs(f.path("out/x"))}
		}, ErrSameFile, []string{"--tarball"}},
		{"the same file through a hard link", func(f *fixture) []Output {
			f.file("out/x", "")
			if err := os.Link(f.path("out/x"), f.path("out/y")); err != nil {
				f.t.Fatal(err)
			}
			return []Output{tarball(f.path("out/y")), refs(f.path("out/x"))}
		}, ErrSameFile, []string{"--tarball"}},
		{"the same named pipe", func(f *fixture) []Output {
			p := f.fifo("out/p")
			return []Output{tarball(p), refs(p)}
		}, ErrSameFile, []string{"--image-refs"}},
		{"every problem at once", func(f *fixture) []Output {
			return []Output{tarball(f.path("L/index.json")), refs("-"), {Setting: "--sbom-dir", Path: f.file("out/f", ""), Kind: Dir}}
		}, nil, []string{"--tarball", "--image-refs -", "--sbom-dir"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			outs := tt.setup(f)
			got, err := f.rules.Check(outs...)
			if len(tt.want) == 0 {
				if err != nil || len(got) != len(outs) {
					t.Fatalf("Check = %d targets, %v; want %d", len(got), err, len(outs))
				}
				return
			}
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("Check = %v, want an error wrapping %v", err, tt.wantErr)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not name %q: %v", w, err)
				}
			}
		})
	}
}

// TestCheckReadOnlyDirectory: a directory that cannot be written is found
// before anything is built, for a file and for a documents directory.
// Root may write a mode 0555 directory, so as root the directory is a
// read-only tmpfs mount instead.
func TestCheckReadOnlyDirectory(t *testing.T) {
	f := newFixture(t)
	dir := f.mkdir("ro")
	if os.Geteuid() == 0 {
		mount(t, "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir)
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	for _, out := range []Output{tarball(f.path("ro/img.tar")), {Setting: "--sbom-dir", Path: f.path("ro/docs/x"), Kind: Dir}} {
		_, err := f.rules.Check(out)
		if !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), "cannot write in "+dir) {
			t.Errorf("Check(%s) = %v, want ErrNotWritable naming %s", out.Path, err, dir)
		}
	}
}

// mount mounts with mount(8) and unmounts when the test ends.
func mount(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		t.Fatalf("mount %v: %v\n%s", args, err, out)
	}
	dir := args[len(args)-1]
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
}
