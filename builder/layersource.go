package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sync/atomic"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/oci"
)

// layerSource is one layer an image adds on top of its base: its entries,
// where their content comes from, and its history entry. A recipe lists
// an image's layers in order (recipe.layers); each is built, or taken
// from the layer cache, on its own.
type layerSource struct {
	// name names the layer in messages, e.g. "/app/hello".
	name string
	// createdBy is the layer's history entry.
	createdBy string
	// what and from say, in messages, what the layer's content is and
	// where it is read from: "the built executable" and its path.
	what, from string
	// entries are the layer's entries, in any order (oci sorts them).
	entries []entrySource
}

// entrySource is one entry of a layer: a directory or symbolic link as it
// is, or a regular file without its Content, which is that of the host
// file at host.
type entrySource struct {
	file oci.File
	host string
	// tree, when set, is the directory host is relative to (a tree of the
	// files setting): host is opened through an os.Root on tree, so that
	// no link is followed out of it, only when the layer writer reaches it
	// (a tree of any number of files holds one open at a time), and its
	// size must still be file.Size, what the walk saw. Without tree, host
	// is opened with the layer and file.Size is its size then.
	tree string
}

// exeMode is the executable's mode in the layer.
const exeMode = 0o755

// binaryLayer is the layer of art's executable, at /app/BIN with mode
// 0755.
func binaryLayer(art cargo.Artifact) layerSource {
	inImage := path.Join(appDir, art.Bin)
	return layerSource{
		name:      "/" + inImage,
		createdBy: "krust build: /" + inImage,
		what:      "the built executable",
		from:      art.Path,
		entries:   []entrySource{{file: oci.File{Path: inImage, Mode: exeMode}, host: art.Path}},
	}
}

// openedLayer is a layer's entries with the content of its regular files
// open, ready to be read (again after rewind); Close closes them.
type openedLayer struct {
	files []oci.File
	open  []*os.File
	roots map[string]*os.Root
	lazy  []*treeFile
	// stopped, once set (stopOn), makes the files still to be read fail:
	// a large tree stops being packed as soon as the build is cancelled.
	stopped atomic.Bool
}

// errPackingStopped is what a file of a tree reads once the build was
// cancelled.
var errPackingStopped = errors.New("packing stopped: the build was cancelled")

// stopOn stops the reading of o's tree files when ctx is done, until the
// returned func is called.
func (o *openedLayer) stopOn(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, func() { o.stopped.Store(true) })
}

// open opens the host files of s's regular files, refusing anything but a
// regular file in their place.
func (s layerSource) open() (*openedLayer, error) {
	o := &openedLayer{files: make([]oci.File, len(s.entries))}
	for i, e := range s.entries {
		o.files[i] = e.file
		if e.file.Type != oci.RegularFile {
			continue
		}
		if e.tree != "" {
			if err := o.openLazily(i, e); err != nil {
				o.Close()
				return nil, fmt.Errorf("read %s: %w", s.what, err)
			}
			continue
		}
		f, info, err := regular.Open(e.host)
		if err != nil {
			o.Close()
			return nil, fmt.Errorf("read %s: %w", s.what, err)
		}
		o.open = append(o.open, f)
		o.files[i].Size, o.files[i].Content = info.Size(), f
	}
	return o, nil
}

// openLazily makes file i's content e's host file in e's tree, opened
// when it is first read.
func (o *openedLayer) openLazily(i int, e entrySource) error {
	root := o.roots[e.tree]
	if root == nil {
		var err error
		if root, err = os.OpenRoot(e.tree); err != nil {
			return err
		}
		if o.roots == nil {
			o.roots = map[string]*os.Root{}
		}
		o.roots[e.tree] = root
	}
	t := &treeFile{root: root, name: e.host, size: e.file.Size, stopped: &o.stopped}
	o.lazy = append(o.lazy, t)
	o.files[i].Content = t
	return nil
}

// rewind makes the files readable again from their start.
func (o *openedLayer) rewind() error {
	for _, f := range o.open {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	for _, t := range o.lazy {
		t.reset()
	}
	return nil
}

// Close closes the open files.
func (o *openedLayer) Close() error {
	var errs []error
	for _, f := range o.open {
		errs = append(errs, f.Close())
	}
	for _, t := range o.lazy {
		t.reset()
	}
	for _, r := range o.roots {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}

// treeFile is the content of a file of a tree, read through root: opened
// (without blocking, and only if it is still a regular file of size
// bytes) at the first Read, closed at its end.
type treeFile struct {
	root    *os.Root
	name    string
	size    int64
	f       *os.File
	done    bool
	stopped *atomic.Bool
}

func (t *treeFile) Read(p []byte) (int, error) {
	if t.stopped.Load() {
		return 0, errPackingStopped
	}
	if t.f == nil {
		if t.done {
			return 0, io.EOF
		}
		f, info, err := regular.OpenIn(t.root, t.name)
		if err != nil {
			return 0, err
		}
		if info.Size() != t.size {
			f.Close()
			return 0, fmt.Errorf("%s changed while krust packaged it (%d bytes, now %d): build again", t.name, t.size, info.Size())
		}
		t.f = f
	}
	n, err := t.f.Read(p)
	if err == io.EOF {
		t.reset()
		t.done = true
	}
	return n, err
}

// reset closes the file, if open, so that it is read from its start.
func (t *treeFile) reset() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
	t.done = false
}
