package oci

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// FileType says what kind of entry a File is.
type FileType int

// The kinds of entry a layer holds.
const (
	// RegularFile is the zero value: a file whose bytes come from Content.
	RegularFile FileType = iota
	// Directory is a directory, written before everything under it.
	Directory
	// Symlink is a symbolic link to Link.
	Symlink
)

// Default modes, for a File whose Mode is zero.
const (
	regularMode = 0o644
	dirMode     = 0o755
	// symlinkMode is every symbolic link's: a link has no permissions of
	// its own, and tar writes them so.
	symlinkMode = 0o777
)

// ErrInvalidEntry is returned, wrapped with the entry's path and what is
// wrong with it, for a File that cannot go into a layer.
var ErrInvalidEntry = errors.New("invalid layer entry")

// File is one entry to put into a layer: a regular file, a directory or a
// symbolic link. Its owner (0:0, without names) and modification time
// are the layer's, never the host's.
type File struct {
	// Path is the entry's path inside the image, relative to /, e.g.
	// "app/hello".
	Path string
	// Type is the kind of entry; the zero value is a regular file.
	Type FileType
	// Mode holds the permission bits (at most 0o7777); the zero value
	// means 0644 for a regular file and 0755 for a directory. A symbolic
	// link's must be zero: it is written as 0777.
	Mode int64
	// Size is the exact number of bytes Content yields; zero for a
	// directory or a link.
	Size int64
	// Content is read once, from start to end; nil for a directory or a
	// link, and reads as empty for a regular file.
	Content io.Reader
	// Link is a symbolic link's target, as it is written (absolute, or
	// relative to the link's directory); empty for anything else.
	Link string
}

// entryError is an ErrInvalidEntry with its own wording.
type entryError struct{ text string }

func (e entryError) Error() string        { return e.text }
func (e entryError) Is(target error) bool { return target == ErrInvalidEntry }

// invalid returns an ErrInvalidEntry for the entry at name.
func invalid(name, format string, args ...any) error {
	return entryError{text: fmt.Sprintf("layer entry %s: ", name) + fmt.Sprintf(format, args...)}
}

// check refuses what f cannot be; name is its clean path.
func (f File) check(name string) error {
	if f.Mode < 0 || f.Mode > 0o7777 {
		return invalid(name, "mode %#o has more than permission bits", f.Mode)
	}
	switch f.Type {
	case RegularFile:
		if f.Link != "" {
			return invalid(name, "a regular file has no link target (%q)", f.Link)
		}
		return nil
	case Directory, Symlink:
	default:
		return invalid(name, "unknown type %d", f.Type)
	}
	if f.Size != 0 || f.Content != nil {
		return invalid(name, "a directory or a link has no content")
	}
	if f.Type == Directory {
		if f.Link != "" {
			return invalid(name, "a directory has no link target (%q)", f.Link)
		}
		return nil
	}
	if f.Mode != 0 {
		return invalid(name, "a symbolic link has no mode of its own (got %#o)", f.Mode)
	}
	if f.Link == "" || strings.ContainsRune(f.Link, 0) {
		return invalid(name, "invalid link target %q", f.Link)
	}
	return nil
}

// header is f's tar header at name, stamped with modTime.
func (f File) header(name string, modTime time.Time) *tar.Header {
	mode := f.Mode
	switch f.Type {
	case Directory:
		if mode == 0 {
			mode = dirMode
		}
		return header(name+"/", tar.TypeDir, mode, 0, modTime)
	case Symlink:
		h := header(name, tar.TypeSymlink, symlinkMode, 0, modTime)
		h.Linkname = f.Link
		return h
	}
	if mode == 0 {
		mode = regularMode
	}
	return header(name, tar.TypeReg, mode, f.Size, modTime)
}

func header(name string, typ byte, mode, size int64, modTime time.Time) *tar.Header {
	return &tar.Header{
		Typeflag: typ,
		Name:     name,
		Mode:     mode,
		Size:     size,
		ModTime:  modTime,
		Format:   tar.FormatPAX,
	}
}

// cleanPath makes p a relative, slash-separated path without "." or ".."
// elements, or refuses it.
func cleanPath(p string) (string, error) {
	clean := strings.TrimPrefix(path.Clean("/"+p), "/")
	if clean == "" || clean != strings.TrimPrefix(p, "/") {
		return "", entryError{text: fmt.Sprintf("invalid path %q for a layer entry", p)}
	}
	return clean, nil
}

// parentDirs lists the directories above name, outermost first.
func parentDirs(name string) []string {
	var dirs []string
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		dirs = append([]string{dir}, dirs...)
	}
	return dirs
}
