package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/flock"
)

// ErrLayoutGone means the layout was removed while it was being opened for
// use: open or create it again.
var ErrLayoutGone = errors.New("layout was removed while being opened")

// Lease marks a layout as in use by this process, through a shared flock
// on its oci-layout file, so that a process cleaning up after a failure
// does not remove a layout another process is writing to.
type Lease struct {
	file *os.File
	dir  string
}

// Lease takes a lease on l. If l was removed in the meantime, the error
// wraps ErrLayoutGone.
func (l *Layout) Lease() (*Lease, error) {
	path := filepath.Join(l.dir, layoutFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w: %w", l.dir, ErrLayoutGone, err)
	}
	if err := flock.Wait(context.Background(), f.Fd(), flock.Shared); err != nil {
		f.Close()
		return nil, fmt.Errorf("lease %s: %w", l.dir, err)
	}
	if !sameFile(f, path) {
		f.Close()
		return nil, fmt.Errorf("lease %s: %w", l.dir, ErrLayoutGone)
	}
	return &Lease{file: f, dir: l.dir}, nil
}

// Release gives the lease back.
func (le *Lease) Release() {
	_ = le.file.Close()
}

// RemoveIfUnused removes root (the directory holding the layout, or the
// layout itself) and releases the lease, but only when no other process
// holds a lease and nothing is tagged in the layout. It reports whether it
// removed anything. Either way the lease is released.
func (le *Lease) RemoveIfUnused(ctx context.Context, root string) bool {
	defer le.Release()
	if !flock.Try(le.file.Fd(), flock.Exclusive) {
		return false
	}
	unlock, err := lockDir(ctx, le.dir)
	if err != nil {
		return false
	}
	defer unlock()
	idx, err := readIndexFile(filepath.Join(le.dir, indexFile))
	if err != nil || len(idx.Manifests) > 0 {
		return false
	}
	return os.RemoveAll(root) == nil
}

// sameFile reports whether the open file f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
