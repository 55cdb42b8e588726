package oci

import (
	"archive/tar"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// writeEntries writes files to tw in a fixed order: sorted by path, each
// after the directories above it. A directory the files name is written
// with its own mode; one they do not is written as 0755 the first time an
// entry below it needs it.
func writeEntries(tw *tar.Writer, files []File, modTime time.Time) error {
	sorted, err := sortEntries(files)
	if err != nil {
		return err
	}
	written := map[string]bool{}
	// One copy buffer for every entry: a tree of many small files would
	// otherwise allocate (and clear) io.Copy's 32 KiB for each.
	buf := make([]byte, 32<<10)
	for _, f := range sorted {
		for _, dir := range parentDirs(f.Path) {
			if written[dir] {
				continue
			}
			written[dir] = true
			if err := tw.WriteHeader(header(dir+"/", tar.TypeDir, dirMode, 0, modTime)); err != nil {
				return fmt.Errorf("write directory %s to layer: %w", dir, err)
			}
		}
		if f.Type == Directory {
			// A path sorts before every path below it, so no entry below
			// has written this directory yet.
			written[f.Path] = true
		}
		if err := writeEntry(tw, f, modTime, buf); err != nil {
			return err
		}
	}
	return nil
}

// sortEntries returns files with clean paths, sorted by them, refusing an
// invalid entry, a path listed twice and an entry below one that is not
// a directory.
func sortEntries(files []File) ([]File, error) {
	sorted := make([]File, len(files))
	types := make(map[string]FileType, len(files))
	for i, f := range files {
		name, err := cleanPath(f.Path)
		if err != nil {
			return nil, err
		}
		if err := f.check(name); err != nil {
			return nil, err
		}
		if _, ok := types[name]; ok {
			return nil, invalid(name, "listed twice")
		}
		types[name] = f.Type
		f.Path = name
		sorted[i] = f
	}
	for _, f := range sorted {
		for _, dir := range parentDirs(f.Path) {
			if t, ok := types[dir]; ok && t != Directory {
				return nil, invalid(f.Path, "%s above it is not a directory", dir)
			}
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	return sorted, nil
}

// writeEntry writes f's header and, for a regular file, its content,
// copied through buf.
func writeEntry(tw *tar.Writer, f File, modTime time.Time, buf []byte) error {
	name := f.Path
	if err := tw.WriteHeader(f.header(name, modTime)); err != nil {
		return fmt.Errorf("write %s to layer: %w", name, err)
	}
	if f.Type != RegularFile {
		return nil
	}
	content := f.Content
	if content == nil {
		content = strings.NewReader("")
	}
	n, err := io.CopyBuffer(tw, content, buf)
	if err != nil {
		return fmt.Errorf("write %s to layer: %w", name, err)
	}
	if n != f.Size {
		return fmt.Errorf("write %s to layer: read %d bytes, expected %d (file changed while packaging?)", name, n, f.Size)
	}
	return nil
}
