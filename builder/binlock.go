package builder

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
)

// binLocks let builds of one Builder take turns at cargo's executables.
// Cargo puts a binary at TARGET_DIR/TRIPLE/PROFILE/BIN, whatever package
// it belongs to, and holds its own lock only while it runs: when two
// packages of a workspace each have a binary of the same name, the second
// build's cargo could replace the first one's executable after the first
// cargo ended and before its layer was written. So a build holds the lock
// of its target directory and binary name from running cargo until its
// layers are written. Builds of other binaries do not wait.
type binLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{}
}

// lock takes the lock of bin in targetDir, waiting for the build holding
// it; the wait ends with ctx's error when ctx is done. Call unlock once.
func (l *binLocks) lock(ctx context.Context, targetDir, bin string) (unlock func(), err error) {
	key := filepath.Clean(targetDir) + "\x00" + bin
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]chan struct{}{}
	}
	slot := l.held[key]
	if slot == nil {
		slot = make(chan struct{}, 1)
		l.held[key] = slot
	}
	l.mu.Unlock()
	select { // a free lock is taken, whatever ctx says
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	default:
	}
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for another build of binary %s in %s: %w", bin, targetDir, ctx.Err())
	}
}

// lockAll takes the locks of every one of bins in targetDir, in one
// order whatever the order of bins, so that two builds sharing binaries
// never wait for each other both ways. Call unlock once.
func (l *binLocks) lockAll(ctx context.Context, targetDir string, bins []string) (unlock func(), err error) {
	sorted := slices.Sorted(slices.Values(bins))
	sorted = slices.Compact(sorted)
	var unlocks []func()
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for _, bin := range sorted {
		u, err := l.lock(ctx, targetDir, bin)
		if err != nil {
			release()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return release, nil
}
