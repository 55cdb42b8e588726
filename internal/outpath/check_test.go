package outpath

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/docker-krust/docker-krust/internal/regular"
)

// fixture is a temp directory holding an OCI layout (L), krust's layer
// cache (cache) and a plain directory (out), with the rules a build there
// would check against.
type fixture struct {
	t     *testing.T
	dir   string
	rules Rules
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir}
	f.file("L/oci-layout", `{"imageLayoutVersion":"1.0.0"}`)
	f.file("L/index.json", `{}`)
	f.file("L/blobs/sha256/abc", "blob")
	f.mkdir("out")
	f.rules = Rules{Kept: []Kept{
		{Dir: f.path("L"), What: "the OCI layout this build writes", Layout: true},
		{Dir: f.path("target/krust/.cache/layers"), What: "krust's layer cache"},
		{Dir: f.path("new-layout"), What: "the OCI layout this build creates", Layout: true},
	}}
	return f
}

func (f *fixture) path(rel string) string { return filepath.Join(f.dir, rel) }

func (f *fixture) file(rel, content string) string {
	f.t.Helper()
	p := f.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) mkdir(rel string) string {
	f.t.Helper()
	if err := os.MkdirAll(f.path(rel), 0o755); err != nil {
		f.t.Fatal(err)
	}
	return f.path(rel)
}

func (f *fixture) link(target, rel string) string {
	f.t.Helper()
	if err := os.Symlink(target, f.path(rel)); err != nil {
		f.t.Fatal(err)
	}
	return f.path(rel)
}

func (f *fixture) fifo(rel string) string {
	f.t.Helper()
	if err := syscall.Mkfifo(f.path(rel), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return f.path(rel)
}

func tarball(path string) Output { return Output{Setting: "--tarball", Path: path, Kind: File} }

func TestCheckOneOutput(t *testing.T) {
	tests := []struct {
		name string
		// setup returns the output to check; it may change f.rules.
		setup func(f *fixture) Output
		// wantErr is what the error wraps; want is in its message. With
		// neither, the check passes.
		wantErr error
		want    string
		// wantReal is the resolved path, relative to the fixture ("" for
		// a pipe without a path); wantStream says it is written in place.
		wantReal   string
		wantStream bool
	}{
		{name: "a new file", setup: func(f *fixture) Output { return tarball(f.path("out/img.tar")) }, wantReal: "out/img.tar"},
		{name: "a regular file", setup: func(f *fixture) Output { return tarball(f.file("out/img.tar", "old")) }, wantReal: "out/img.tar"},
		{name: "a relative path with ..", setup: func(f *fixture) Output {
			f.t.Chdir(f.path("out"))
			return tarball("../out/./img.tar")
		}, wantReal: "out/img.tar"},
		{name: "a space, a colon, unicode", setup: func(f *fixture) Output { return tarball(f.path("out/my image:1 ✓.tar")) }, wantReal: "out/my image:1 ✓.tar"},
		{name: "a newline", setup: func(f *fixture) Output { return tarball(f.path("out/a\nb.tar")) }, wantReal: "out/a\nb.tar"},
		{name: "a leading dash", setup: func(f *fixture) Output {
			f.t.Chdir(f.path("out"))
			return tarball("-img.tar")
		}, wantReal: "out/-img.tar"},
		{name: "stdout as -", setup: func(f *fixture) Output { return tarball("-") }, wantErr: ErrStandardStream, want: ">(docker load)"},
		{name: "an empty path", setup: func(f *fixture) Output { return tarball("") }, want: "empty path"},
		{name: "a directory", setup: func(f *fixture) Output { return tarball(f.path("out")) }, wantErr: regular.ErrNotRegular, want: "is a directory"},
		{name: "a device", setup: func(f *fixture) Output { return tarball("/dev/null") }, wantErr: regular.ErrNotRegular, want: "it is a character device"},
		{name: "a socket", setup: func(f *fixture) Output {
			l, err := net.Listen("unix", f.path("out/sock"))
			if err != nil {
				f.t.Fatal(err)
			}
			f.t.Cleanup(func() { l.Close() })
			return tarball(f.path("out/sock"))
		}, wantErr: regular.ErrNotRegular, want: "is a socket"},
		{name: "a named pipe", setup: func(f *fixture) Output { return tarball(f.fifo("out/pipe")) }, wantReal: "out/pipe", wantStream: true},
		{name: "a link to a file is followed", setup: func(f *fixture) Output {
			f.file("out/real.tar", "old")
			return tarball(f.link("real.tar", "out/link.tar"))
		}, wantReal: "out/real.tar"},
		{name: "a dangling link chain is followed", setup: func(f *fixture) Output {
			f.mkdir("elsewhere")
			f.link("../elsewhere/new.tar", "out/a")
			return tarball(f.link("a", "out/b"))
		}, wantReal: "elsewhere/new.tar"},
		{name: "a link loop", setup: func(f *fixture) Output {
			f.link("loop2", "out/loop1")
			return tarball(f.link("loop1", "out/loop2"))
		}, wantErr: syscall.ELOOP},
		{name: "a link into a missing directory", setup: func(f *fixture) Output {
			return tarball(f.link("../nowhere/img.tar", "out/link"))
		}, wantErr: fs.ErrNotExist, want: "directory " + "NOWHERE" + " does not exist"},
		{name: "a missing directory", setup: func(f *fixture) Output { return tarball(f.path("out/no/img.tar")) }, wantErr: fs.ErrNotExist, want: "create it first"},
		{name: "a file as directory", setup: func(f *fixture) Output {
			return tarball(filepath.Join(f.file("out/file", "x"), "img.tar"))
		}, wantErr: syscall.ENOTDIR},
		{name: "the layout's index.json", setup: func(f *fixture) Output { return tarball(f.path("L/index.json")) }, wantErr: ErrInside, want: "the OCI layout this build writes"},
		{name: "a blob of the layout", setup: func(f *fixture) Output { return tarball(f.path("L/blobs/sha256/abc")) }, wantErr: ErrInside},
		{name: "a new file in the layout", setup: func(f *fixture) Output { return tarball(f.path("L/img.tar")) }, wantErr: ErrInside},
		{name: "the layout itself", setup: func(f *fixture) Output { return tarball(f.path("L")) }, wantErr: ErrInside},
		{name: "a layout that does not exist yet", setup: func(f *fixture) Output { return tarball(f.path("new-layout/index.json")) }, wantErr: ErrInside},
		{name: "the layer cache", setup: func(f *fixture) Output {
			return tarball(f.path("target/krust/.cache/layers/x.json"))
		}, wantErr: ErrInside, want: "krust's layer cache"},
		{name: "a link into the layout", setup: func(f *fixture) Output {
			f.link("../L/blobs", "out/blobs")
			return tarball(f.path("out/blobs/sha256/abc"))
		}, wantErr: ErrInside},
		{name: "a link to the layout's index", setup: func(f *fixture) Output {
			return tarball(f.link("../L/index.json", "out/index.json"))
		}, wantErr: ErrInside},
		{name: ".. after a link goes up from its target", setup: func(f *fixture) Output {
			f.link("../L/blobs", "out/b")
			// Lexically out/index.json; the kernel writes L/index.json.
			return tarball(f.path("out/b") + "/../index.json")
		}, wantErr: ErrInside},
		{name: "someone else's layout", setup: func(f *fixture) Output {
			f.file("other/oci-layout", `{"imageLayoutVersion":"1.0.0"}`)
			return tarball(f.path("other/blobs/sha256/x"))
		}, wantErr: ErrInside, want: "the OCI layout " + "OTHER"},
		{name: "a directory named oci-layout is no layout", setup: func(f *fixture) Output {
			f.mkdir("out/oci-layout")
			return tarball(f.path("out/img.tar"))
		}, wantReal: "out/img.tar"},
		{name: "a standard stream", setup: func(f *fixture) Output {
			p := f.file("out/log", "")
			info, _ := os.Stat(p)
			f.rules.Streams = []Stream{{Name: "standard output", Info: info}}
			return tarball(f.link("log", "out/link"))
		}, wantErr: ErrStandardStream, want: "krust's standard output"},
		{name: "a pipe through /dev/fd", setup: func(f *fixture) Output {
			r, w, err := os.Pipe()
			if err != nil {
				f.t.Fatal(err)
			}
			f.t.Cleanup(func() { r.Close(); w.Close() })
			return tarball("/dev/fd/" + itoa(w.Fd()))
		}, wantReal: "", wantStream: true},
		{name: "a file through /dev/fd", setup: func(f *fixture) Output {
			file, err := os.Create(f.path("out/img.tar"))
			if err != nil {
				f.t.Fatal(err)
			}
			f.t.Cleanup(func() { file.Close() })
			return tarball("/dev/fd/" + itoa(file.Fd()))
		}, wantReal: "out/img.tar"},
		{name: "a deleted file through /dev/fd", setup: func(f *fixture) Output {
			file, err := os.Create(f.path("out/gone.tar"))
			if err != nil {
				f.t.Fatal(err)
			}
			f.t.Cleanup(func() { file.Close() })
			os.Remove(file.Name())
			return tarball("/dev/fd/" + itoa(file.Fd()))
		}, wantErr: regular.ErrNotRegular, want: "no path of its own"},
		{name: "a directory for documents", setup: func(f *fixture) Output {
			return Output{Setting: "--sbom-dir", Path: f.path("out/docs/deep"), Kind: Dir}
		}, wantReal: "out/docs/deep"},
		{name: "a file for documents", setup: func(f *fixture) Output {
			return Output{Setting: "--sbom-dir", Path: f.file("out/docs", "x"), Kind: Dir}
		}, want: "not a directory"},
		{name: "documents in the layout", setup: func(f *fixture) Output {
			return Output{Setting: "--sbom-dir", Path: f.path("L/docs"), Kind: Dir}
		}, wantErr: ErrInside},
		{name: "documents in a layout's root", setup: func(f *fixture) Output {
			f.file("other/oci-layout", "{}")
			return Output{Setting: "--sbom-dir", Path: f.path("other"), Kind: Dir}
		}, wantErr: ErrInside},
		{name: "the layout krust writes", setup: func(f *fixture) Output {
			return Output{Setting: "--oci-layout", Path: f.path("L"), Kind: Layout}
		}, wantReal: "L"},
		{name: "a layout inside the layout", setup: func(f *fixture) Output {
			return Output{Setting: "--oci-layout", Path: f.path("L/blobs/sha256/new"), Kind: Layout}
		}, wantErr: ErrInside},
		{name: "a layout inside another's", setup: func(f *fixture) Output {
			f.file("other/oci-layout", "{}")
			return Output{Setting: "--oci-layout", Path: f.path("other/sub"), Kind: Layout}
		}, wantErr: ErrInside},
		{name: "a layout in the cache", setup: func(f *fixture) Output {
			return Output{Setting: "--oci-layout", Path: f.path("target/krust/.cache/layers"), Kind: Layout}
		}, wantErr: ErrInside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			out := tt.setup(f)
			got, err := f.rules.Check(out)
			want := strings.NewReplacer("NOWHERE", f.path("nowhere"), "OTHER", f.path("other")).Replace(tt.want)
			if tt.wantErr != nil || tt.want != "" {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), want) {
					t.Fatalf("Check = %v, want an error wrapping %v, saying %q", err, tt.wantErr, want)
				}
				if !strings.HasPrefix(err.Error(), out.Setting+" ") {
					t.Errorf("the error does not start with the setting: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			wantReal := ""
			if tt.wantReal != "" {
				wantReal = f.path(tt.wantReal)
			}
			if got[0].Real != wantReal || got[0].Stream != tt.wantStream {
				t.Errorf("Check = %q (stream %v), want %q (stream %v)", got[0].Real, got[0].Stream, wantReal, tt.wantStream)
			}
		})
	}
}

func itoa(fd uintptr) string { return strconv.FormatUint(uint64(fd), 10) }
