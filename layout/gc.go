package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/flock"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// GCOptions says how GC runs. The zero value removes garbage now, or fails
// with ErrInUse while a build holds the layout.
type GCOptions struct {
	// DryRun finds what would be removed and removes nothing.
	DryRun bool
	// Wait waits until no build holds the layout (or ctx ends) instead of
	// failing with ErrInUse.
	Wait bool
	// Removed, when not nil, is called with each blob removed (or, with
	// DryRun, that would be); MediaType is empty, as blobs do not say it.
	Removed func(ocispec.Descriptor)
}

// GCResult counts what GC found.
type GCResult struct {
	// Removed and RemovedBytes count the unreachable blobs removed (or, with
	// DryRun, that would be); Kept and KeptBytes the others.
	Removed, Kept           int
	RemovedBytes, KeptBytes int64
	// Temps and TempBytes count the temp files of interrupted writers
	// removed (or, with DryRun, that would be) from the blob directories,
	// and those older than an hour beside index.json.
	Temps     int
	TempBytes int64
}

// GC removes the blobs index.json no longer reaches (see reachable for
// what counts), and the temp files interrupted writers left among them
// and, older than leftoverAge, beside index.json. With opts.DryRun it
// removes nothing at all.
//
// It runs only while it holds the layout's lease exclusively, that is
// while no build is running on the layout: every build holds a shared
// lease from before it writes its first blob until it has tagged its
// image, so a blob that is not reachable then is written by no one and
// about to be referenced by no one. This needs no record of which build
// wrote what, costs a build nothing, and survives a build that is killed
// (its flock goes with it). The price is that GC cannot run during a
// build: it fails with ErrInUse, or waits with opts.Wait. The layout
// directory lock is held too, so index.json does not change meanwhile.
//
// A manifest index.json names that cannot be read stops GC with an error
// before anything is removed. Files that are not blobs are left alone.
func (l *Layout) GC(ctx context.Context, opts GCOptions) (GCResult, error) {
	f, err := l.openLeaseFile(ctx, flock.Exclusive, opts.Wait)
	if err != nil {
		return GCResult{}, fmt.Errorf("gc %s: %w", l.dir, err)
	}
	defer f.Close()
	unlock, err := lockDir(ctx, l.dir)
	if err != nil {
		return GCResult{}, fmt.Errorf("gc %s: %w", l.dir, err)
	}
	defer unlock()
	blobs, temps, err := l.listBlobs()
	if err != nil {
		return GCResult{}, fmt.Errorf("gc %s: %w", l.dir, err)
	}
	keep, err := l.reachable(ctx)
	if err != nil {
		return GCResult{}, fmt.Errorf("gc %s: nothing removed: %w", l.dir, err)
	}
	var res GCResult
	for _, b := range blobs {
		if keep.has(b.digest) {
			res.Kept++
			res.KeptBytes += b.size
			continue
		}
		if err := l.collect(b, opts.DryRun); err != nil {
			return res, fmt.Errorf("gc %s: %w", l.dir, err)
		}
		res.Removed++
		res.RemovedBytes += b.size
		if opts.Removed != nil {
			opts.Removed(ocispec.Descriptor{Digest: b.digest, Size: b.size})
		}
	}
	for _, t := range temps {
		if err := l.collect(t, opts.DryRun); err != nil {
			return res, fmt.Errorf("gc %s: %w", l.dir, err)
		}
		res.Temps++
		res.TempBytes += t.size
	}
	return res, nil
}

// collect removes one file unless this is a dry run. A file already gone
// is not an error.
func (l *Layout) collect(b blobFile, dryRun bool) error {
	if dryRun {
		return nil
	}
	if err := removeRegularIn(l.dir, b.name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", filepath.Join(l.dir, b.name), err)
	}
	return nil
}
