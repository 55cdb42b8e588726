package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/docker-krust/docker-krust/internal/flock"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrLayoutGone means the layout was removed while it was being opened for
// use: open or create it again.
var ErrLayoutGone = errors.New("layout was removed while being opened")

// ErrInUse means a running build or push holds a lease on the layout, so
// the blobs it is writing, reading or about to reference cannot be told
// from garbage.
var ErrInUse = errors.New("layout is in use by a running build or push")

// cleanupTimeout bounds the wait for the layout lock when a failed build
// cleans up. The cleanup runs after the build's context has ended (Ctrl-C,
// --timeout), so it cannot use that context; the lock is only ever held for
// short index.json updates, so this is never reached in practice.
const cleanupTimeout = 10 * time.Second

// Lease marks a layout as in use by this process, through a shared flock
// on its oci-layout file. Every process that writes blobs holds one for as
// long as it writes or may still reference what it wrote (until it has
// tagged its image), and a push holds one while it reads (the tag it pushes
// may move meanwhile). A failed build cleaning up, and gc, remove blobs
// only while holding the flock exclusively, that is while no other process
// holds a lease, so neither ever removes a blob a live build wrote or is
// about to reference, without having to know which blobs those are.
type Lease struct {
	file    *os.File
	dir     string
	written *blobSet
}

// Lease takes a lease on l, waiting while gc or a failed build's cleanup
// holds the layout exclusively; the wait ends with ctx's error when ctx is
// done. If l was removed in the meantime, the error wraps ErrLayoutGone.
func (l *Layout) Lease(ctx context.Context) (*Lease, error) {
	f, err := l.openLeaseFile(ctx, flock.Shared, true)
	if err != nil {
		return nil, err
	}
	return &Lease{file: f, dir: l.dir, written: &blobSet{}}, nil
}

// openLeaseFile opens oci-layout and flocks it with how, waiting for the
// flock or failing with ErrInUse at once. A layout removed meanwhile gives
// ErrLayoutGone.
func (l *Layout) openLeaseFile(ctx context.Context, how int, wait bool) (*os.File, error) {
	path := filepath.Join(l.dir, layoutFile)
	f, _, err := openRegular(l.dir, layoutFile)
	if errors.Is(err, ErrNotRegular) || errors.Is(err, ErrOutsideLayout) {
		return nil, fmt.Errorf("lease %s: %w", l.dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w: %w", l.dir, ErrLayoutGone, err)
	}
	switch {
	case wait:
		err = flock.Wait(ctx, f.Fd(), how)
	case !flock.Try(f.Fd(), how):
		err = ErrInUse
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lease %s: %w", l.dir, err)
	}
	if !sameFile(f, path) {
		f.Close()
		return nil, fmt.Errorf("lease %s: %w", l.dir, ErrLayoutGone)
	}
	return f, nil
}

// Layout returns the leased layout for writing: the blobs created through
// it are recorded, so that Abandon can remove them again.
func (le *Lease) Layout() *Layout {
	return &Layout{dir: le.dir, written: le.written}
}

// Release gives the lease back.
func (le *Lease) Release() {
	_ = le.file.Close()
}

// Abandon ends the lease of a build that failed, removing what the build
// wrote that nothing can use, and releases the lease. It removes nothing
// while another process holds a lease (that build may be about to
// reference the same blobs; a later gc collects them), nor if the layout
// cannot be read. Otherwise it removes the blobs written through
// le.Layout() that index.json does not reach. If created is not empty, it
// is the outermost directory the build created on the way to (or as) the
// layout: the layout is then removed too if it holds nothing but an empty
// index and the files a build writes, and so are the directories from its
// parent up to created while they are empty. Nothing is ever removed
// recursively, so a file or layout someone else put there stays, with
// every directory above it.
func (le *Lease) Abandon(ctx context.Context, created string) {
	defer le.Release()
	// The build's context has often ended (a signal, --timeout): clean up
	// anyway, bounded.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if !flock.Try(le.file.Fd(), flock.Exclusive) {
		return
	}
	unlock, err := lockDir(ctx, le.dir)
	if err != nil {
		return
	}
	defer unlock()
	l := &Layout{dir: le.dir}
	keep, err := l.reachable(ctx)
	if err != nil {
		return
	}
	for _, d := range le.written.list() {
		if !keep.has(d) {
			_ = removeBlobFile(l, d)
		}
	}
	if created != "" && removeEmptyLayout(le.dir) {
		removeEmptyParents(filepath.Dir(le.dir), created)
	}
}

// removeBlobFile removes the blob of digest d if it is a regular file.
func removeBlobFile(l *Layout, d digest.Digest) error {
	name, err := blobName(ocispec.Descriptor{Digest: d})
	if err != nil {
		return err
	}
	return removeRegularIn(l.dir, name)
}

// removeEmptyLayout removes the layout in dir if it holds no tag and
// nothing but oci-layout, index.json, empty blob directories and this
// package's temp files, and reports whether it did. The marker goes first,
// so that what an interruption leaves is never taken for a complete layout
// and is finished again by Create.
func removeEmptyLayout(dir string) bool {
	idx, err := readIndexFile(filepath.Join(dir, indexFile))
	if err != nil || len(idx.Manifests) > 0 {
		return false
	}
	temps, ok := ownEntries(dir)
	if !ok {
		return false
	}
	for _, p := range append([]string{filepath.Join(dir, layoutFile), filepath.Join(dir, indexFile)}, temps...) {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false
		}
	}
	blobs := filepath.Join(dir, blobsDir)
	algs, _ := os.ReadDir(blobs)
	for _, a := range algs {
		_ = os.Remove(filepath.Join(blobs, a.Name()))
	}
	_ = os.Remove(blobs)
	return os.Remove(dir) == nil
}

// ownEntries checks that every entry of the layout in dir is something a
// build writes (oci-layout, index.json, blobs/ALG directories holding only
// temp files, temp files) and returns the temp files.
func ownEntries(dir string) ([]string, bool) {
	var temps []string
	temp := func(path string, e os.DirEntry) error {
		if err := checkTempFile(path, e); err != nil {
			return err
		}
		temps = append(temps, path)
		return nil
	}
	err := forEachEntry(dir, func(path string, e os.DirEntry) error {
		switch name := e.Name(); {
		case name == layoutFile || name == indexFile:
			if !e.Type().IsRegular() {
				return fmt.Errorf("unexpected entry %s", path)
			}
			return nil
		case name == blobsDir && e.IsDir():
			return forEachEntry(path, func(alg string, a os.DirEntry) error {
				if !a.IsDir() {
					return fmt.Errorf("unexpected entry %s", alg)
				}
				return forEachEntry(alg, temp)
			})
		default:
			return temp(path, e)
		}
	})
	return temps, err == nil
}

// removeEmptyParents removes dir and its parents up to and including top,
// bottom up, stopping at the first that is not empty (rmdir never removes
// anything else). It does nothing if dir is not top or below it.
func removeEmptyParents(dir, top string) {
	for d := dir; within(d, top); d = filepath.Dir(d) {
		if os.Remove(d) != nil || d == top {
			return
		}
	}
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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

// blobSet is a set of digests safe for concurrent use (base blobs are
// pulled several at a time). A nil *blobSet records nothing.
type blobSet struct {
	mu sync.Mutex
	m  map[digest.Digest]struct{}
}

func (s *blobSet) add(d digest.Digest) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[digest.Digest]struct{}{}
	}
	s.m[d] = struct{}{}
}

func (s *blobSet) list() []digest.Digest {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]digest.Digest, 0, len(s.m))
	for d := range s.m {
		out = append(out, d)
	}
	return out
}
