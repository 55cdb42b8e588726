//go:build unix

// Package regulartest puts what is not a regular file (a named pipe, a
// socket, a directory) where a test expects krust to read a file, and
// fails a test whose read blocks instead of refusing it.
package regulartest

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Kinds are the kinds of file Make makes, as Describe names them.
var Kinds = []string{"fifo", "socket", "dir"}

// Describe is how an error names each kind (regular.Describe).
var Describe = map[string]string{
	"fifo":   "a named pipe (FIFO)",
	"socket": "a socket",
	"dir":    "a directory",
}

// Make puts a file of kind at path, replacing a file there and creating
// its parent. A named pipe is opened for writing when the test ends, so
// that a read the bug left blocked on it ends too.
func Make(t testing.TB, path, kind string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	switch kind {
	case "fifo":
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { Unblock(path) })
	case "socket":
		makeSocket(t, path)
	case "dir":
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("regulartest: unknown kind %q", kind)
	}
}

// makeSocket binds a socket at a short path (a socket's path is limited to
// about 100 bytes) and moves it to path.
func makeSocket(t testing.TB, path string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "rt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.Listen("unix", filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	t.Cleanup(func() { l.Close() })
	if err := os.Rename(filepath.Join(dir, "s"), path); err != nil {
		t.Fatal(err)
	}
}

// Unblock opens the writing end of the named pipe at path and closes it,
// which ends a read blocked in opening it. It does nothing to other files.
func Unblock(path string) {
	if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

// Quick runs f and returns its error, failing the test if f has not
// returned within limit (a read blocked on a named pipe: the cleanup of
// Make then ends it).
func Quick(t testing.TB, limit time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("still blocked after %v instead of refusing what is not a regular file", limit)
		return nil
	}
}
