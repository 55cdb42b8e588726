//go:build unix

package regular

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// OpenIn and ReadFileIn refuse at once what Open refuses, and besides any
// link that leads out of the root, while a link inside it is followed.
func TestReadFileInStaysInTheRoot(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"in": "f", "in-fifo": "fifo", "out": outside, "up": "../" + filepath.Base(filepath.Dir(outside)) + "/secret"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"socket", "dir", "link-to-fifo"} { // the last makes "fifo" too
		special(t, dir, kind)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tests := []struct {
		name, want string
		limit      int64
		err        error // nil: any error will do when want is ""
	}{
		{name: "f", limit: 5, want: "hello"},
		{name: "in", limit: 5, want: "hello"},
		{name: "f", limit: 4, err: ErrTooLarge},
		{name: "none", limit: 5, err: fs.ErrNotExist},
		{name: "out", limit: 100},
		{name: "up", limit: 100},
		{name: "fifo", limit: 5, err: ErrNotRegular},
		{name: "socket", limit: 5, err: ErrNotRegular},
		{name: "dir", limit: 5, err: ErrNotRegular},
		{name: "in-fifo", limit: 5, err: ErrNotRegular},
		// special's link is absolute: out of the root, whatever it names.
		{name: "link-to-fifo", limit: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				data []byte
				err  error
			}
			done := make(chan result, 1)
			go func() {
				data, err := ReadFileIn(root, tt.name, tt.limit)
				done <- result{data, err}
			}()
			var got result
			select {
			case got = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("blocked")
			}
			switch {
			case tt.want != "":
				if got.err != nil || string(got.data) != tt.want {
					t.Errorf("got %q, %v; want %q", got.data, got.err, tt.want)
				}
			case got.err == nil || (tt.err != nil && !errors.Is(got.err, tt.err)):
				t.Errorf("got %q, %v; want an error wrapping %v", got.data, got.err, tt.err)
			case string(got.data) != "":
				t.Errorf("read %q through a refused entry", got.data)
			}
		})
	}
}
