//go:build unix

package regular

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// special makes each kind of non-regular file in dir and returns its path.
func special(t *testing.T, dir, kind string) string {
	t.Helper()
	p := filepath.Join(dir, kind)
	switch kind {
	case "fifo":
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	case "socket":
		l, err := net.Listen("unix", p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
	case "dir":
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
	case "device":
		return "/dev/null"
	case "link-to-fifo":
		target := special(t, dir, "fifo")
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestSpecialFilesAreRefusedAtOnce(t *testing.T) {
	for _, kind := range []string{"fifo", "socket", "dir", "device", "link-to-fifo"} {
		t.Run(kind, func(t *testing.T) {
			p := special(t, t.TempDir(), kind)
			done := make(chan error, 3)
			go func() {
				f, _, err := Open(p)
				if f != nil {
					f.Close()
				}
				done <- err
				_, err = ReadFile(p, 1<<20)
				done <- err
				done <- Check(p)
			}()
			for i := 0; i < 3; i++ {
				select {
				case err := <-done:
					if !errors.Is(err, ErrNotRegular) {
						t.Fatalf("call %d: got %v, want ErrNotRegular", i, err)
					}
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q does not name %s", err, p)
					}
				case <-time.After(30 * time.Second):
					t.Fatal("blocked on a special file")
				}
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		limit      int64
		want       string
		err        error
	}{
		{"regular", p, 5, "hello", nil},
		{"through a link", link, 5, "hello", nil},
		{"over the limit", p, 4, "", ErrTooLarge},
		{"missing", filepath.Join(dir, "none"), 5, "", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(tt.path, tt.limit)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if err := Check(p); err != nil {
		t.Errorf("Check(regular) = %v", err)
	}
}

// The descriptor Open returns blocks as usual: O_NONBLOCK is cleared.
func TestOpenReturnsABlockingDescriptor(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags uintptr
	rc.Control(func(fd uintptr) {
		flags, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	})
	if flags&syscall.O_NONBLOCK != 0 {
		t.Error("O_NONBLOCK still set")
	}
}
