package outpath

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checked checks one output that must pass.
func (f *fixture) checked(o Output) Target {
	f.t.Helper()
	got, err := f.rules.Check(o)
	if err != nil {
		f.t.Fatal(err)
	}
	return got[0]
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteRegular(t *testing.T) {
	errWrite := errors.New("the archive failed half way")
	tests := []struct {
		name string
		// setup returns the path to write.
		setup   func(f *fixture) string
		fail    bool
		want    string      // what the file written holds
		mode    fs.FileMode // its mode
		written string      // the file written, relative to the fixture
	}{
		{"a new file", func(f *fixture) string { return f.path("out/img.tar") }, false, "new", 0o644, "out/img.tar"},
		{"a file replaced keeps its mode", func(f *fixture) string {
			p := f.file("out/img.tar", "old")
			os.Chmod(p, 0o600)
			return p
		}, false, "new", 0o600, "out/img.tar"},
		{"a link's target is written, the link stays", func(f *fixture) string {
			f.mkdir("elsewhere")
			f.file("elsewhere/img.tar", "old")
			return f.link("../elsewhere/img.tar", "out/link.tar")
		}, false, "new", 0o644, "elsewhere/img.tar"},
		{"a dangling link's target is created", func(f *fixture) string {
			f.mkdir("elsewhere")
			return f.link("../elsewhere/img.tar", "out/link.tar")
		}, false, "new", 0o644, "elsewhere/img.tar"},
		{"a failure leaves the old file", func(f *fixture) string { return f.file("out/img.tar", "old") }, true, "old", 0o644, "out/img.tar"},
		{"a failure leaves no new file", func(f *fixture) string { return f.path("out/img.tar") }, true, "", 0, "out/img.tar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			path := tt.setup(f)
			before := map[string][]string{"out": entries(t, f.path("out"))}
			if _, err := os.Stat(f.path("elsewhere")); err == nil {
				before["elsewhere"] = entries(t, f.path("elsewhere"))
			}
			linkBefore, _ := os.Lstat(path)
			target := f.checked(tarball(path))
			err := target.Write(context.Background(), WriteOptions{}, func(w io.Writer) error {
				io.WriteString(w, "new")
				if tt.fail {
					return errWrite
				}
				return nil
			})
			if tt.fail != errors.Is(err, errWrite) || (!tt.fail && err != nil) {
				t.Fatalf("Write = %v, want failure %v", err, tt.fail)
			}
			got, err := os.ReadFile(f.path(tt.written))
			if string(got) != tt.want || (tt.want == "" && !errors.Is(err, fs.ErrNotExist)) {
				t.Errorf("%s holds %q (%v), want %q", tt.written, got, err, tt.want)
			}
			if info, err := os.Stat(f.path(tt.written)); err == nil && info.Mode().Perm() != tt.mode {
				t.Errorf("%s has mode %v, want %v", tt.written, info.Mode().Perm(), tt.mode)
			}
			if linkBefore != nil && linkBefore.Mode()&fs.ModeSymlink != 0 {
				if after, err := os.Lstat(path); err != nil || after.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("the link %s was replaced: %v, %v", path, after.Mode(), err)
				}
			}
			if tt.fail {
				for dir, names := range before {
					if after := entries(t, f.path(dir)); !slices.Equal(after, names) {
						t.Errorf("a failed write changed %s from %q to %q", dir, names, after)
					}
				}
			}
		})
	}
}

// TestWriteRefusesWhatChanged: a path that became a directory while the
// build ran is not replaced.
func TestWriteRefusesWhatChanged(t *testing.T) {
	f := newFixture(t)
	target := f.checked(tarball(f.path("out/img.tar")))
	f.file("out/img.tar/inside", "kept")
	err := target.WriteFile(context.Background(), WriteOptions{}, []byte("new"))
	if err == nil || !strings.Contains(err.Error(), "it was not when the build started") {
		t.Fatalf("Write = %v, want a refusal", err)
	}
	if got, _ := os.ReadFile(f.path("out/img.tar/inside")); string(got) != "kept" {
		t.Errorf("the directory's file holds %q", got)
	}
}

func TestMakeDir(t *testing.T) {
	f := newFixture(t)
	f.mkdir("out/exists")
	docs := f.checked(Output{Setting: "--sbom-dir", Path: f.path("out/exists/a/b"), Kind: Dir})
	undo, err := docs.MakeDir()
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(f.path("out/exists/a/b")); err != nil || !info.IsDir() {
		t.Fatalf("MakeDir made no directory: %v", err)
	}
	undo()
	if got := entries(t, f.path("out/exists")); len(got) != 0 {
		t.Errorf("undo left %q in a directory that existed", got)
	}
	if _, err := os.Stat(f.path("out/exists")); err != nil {
		t.Errorf("undo removed a directory that existed: %v", err)
	}
	join := docs.Join("app.spdx.json")
	if join.Path != filepath.Join(f.path("out/exists/a/b"), "app.spdx.json") || join.Kind != File || join.Setting != "--sbom-dir" {
		t.Errorf("Join = %+v", join)
	}
}

// TestWriteFullFileSystem: a file system that fills up while the archive
// is written leaves the old file and no temp file.
func TestWriteFullFileSystem(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root (the e2e test TestOutputOnFullFileSystem covers this too)")
	}
	f := newFixture(t)
	dir := f.mkdir("small")
	mount(t, "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir)
	old := f.file("small/img.tar", "old")
	target := f.checked(tarball(old))
	err := target.Write(context.Background(), WriteOptions{}, func(w io.Writer) error {
		_, err := io.Copy(w, io.LimitReader(zeros{}, 4<<20))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("Write = %v, want ENOSPC", err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"img.tar"}) {
		t.Errorf("the file system holds %q after the failure", got)
	}
	if got, _ := os.ReadFile(old); !bytes.Equal(got, []byte("old")) {
		t.Errorf("the old file holds %q", got)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
