package builder

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"

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
// is, or a regular file without its Size and Content, which are those of
// the host file at host when the layer is opened.
type entrySource struct {
	file oci.File
	host string
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

// rewind makes the files readable again from their start.
func (o *openedLayer) rewind() error {
	for _, f := range o.open {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the open files.
func (o *openedLayer) Close() error {
	var errs []error
	for _, f := range o.open {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
