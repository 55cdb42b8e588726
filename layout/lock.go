package layout

import (
	"context"
	"fmt"
	"os"

	"github.com/docker-krust/docker-krust/internal/flock"
)

// lockDir takes an exclusive flock on the directory itself, waiting until it
// is free or ctx is done. The returned function releases the lock.
func lockDir(ctx context.Context, dir string) (func(), error) {
	d, err := lockDirFile(ctx, dir)
	if err != nil {
		return nil, err
	}
	// Closing the descriptor releases the flock.
	return func() { _ = d.Close() }, nil
}

// lockDirFile is lockDir returning the locked directory, for callers that
// must check it is still the one at dir once they hold the lock. Anything
// but a directory at dir is refused at once, never opened.
func lockDirFile(ctx context.Context, dir string) (*os.File, error) {
	d, err := os.Open(onlyDir(dir))
	if err != nil {
		return nil, fmt.Errorf("lock: %w", notDir(dir, err))
	}
	if err := flock.Wait(ctx, d.Fd(), flock.Exclusive); err != nil {
		d.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return d, nil
}
