//go:build unix

package flock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWaitAndTry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b, c := open(), open(), open()
	if err := Wait(context.Background(), a.Fd(), Shared); err != nil {
		t.Fatal(err)
	}
	if !Try(b.Fd(), Shared) {
		t.Error("a second shared lock was refused")
	}
	if Try(c.Fd(), Exclusive) {
		t.Error("an exclusive lock was granted beside shared ones")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Wait(ctx, c.Fd(), Exclusive); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a held lock ended with %v, want the context's deadline", err)
	}
	a.Close()
	b.Close()
	if err := Wait(context.Background(), c.Fd(), Exclusive); err != nil {
		t.Errorf("exclusive lock after release: %v", err)
	}
}
