package oci

import (
	"archive/tar"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// File is one regular file to put into a layer.
type File struct {
	// Path is the file's path inside the image, relative to /, e.g. "app/hello".
	Path string
	// Mode holds the permission bits; the zero value means 0644.
	Mode int64
	// Size is the exact number of bytes Content yields.
	Size int64
	// Content is read once, from start to end.
	Content io.Reader
}

// Layer describes a layer blob written by WriteLayer.
type Layer struct {
	// Descriptor is the compressed blob's descriptor (OCI gzip or zstd
	// layer media type).
	Descriptor ocispec.Descriptor
	// DiffID is the digest of the uncompressed tar stream.
	DiffID digest.Digest
}

// WriteLayer writes a reproducible gzip-compressed tar layer holding files
// (and their parent directories) to w; see WriteLayerCompressed.
func WriteLayer(w io.Writer, files []File, modTime time.Time) (Layer, error) {
	return WriteLayerCompressed(w, files, modTime, Gzip)
}

// WriteLayerCompressed writes a reproducible tar layer holding files (and
// their parent directories), compressed with c, to w in one pass, hashing
// the compressed and uncompressed streams as it goes. Entries are sorted
// by path, owned by 0:0 without user or group names, and stamped with
// modTime; a gzip header carries no name and no timestamp. The same files,
// modTime and c give the same bytes, whatever the number of cores: the
// compression runs in parallel, but its output does not depend on it.
func WriteLayerCompressed(w io.Writer, files []File, modTime time.Time, c Compression) (Layer, error) {
	if c == "" {
		c = Gzip
	}
	compressed := &countingHash{h: sha256.New()}
	zw, err := c.newCompressor(io.MultiWriter(w, compressed))
	if err != nil {
		return Layer{}, fmt.Errorf("start %s stream: %w", c, err)
	}
	uncompressed := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(zw, uncompressed))
	if err := writeEntries(tw, files, modTime.UTC()); err != nil {
		zw.Close()
		return Layer{}, err
	}
	if err := tw.Close(); err != nil {
		zw.Close()
		return Layer{}, fmt.Errorf("finish tar stream: %w", err)
	}
	if err := zw.Close(); err != nil {
		return Layer{}, fmt.Errorf("finish %s stream: %w", c, err)
	}
	return Layer{
		Descriptor: ocispec.Descriptor{
			MediaType: c.MediaType(),
			Digest:    digest.NewDigest(digest.SHA256, compressed.h),
			Size:      compressed.n,
		},
		DiffID: digest.NewDigest(digest.SHA256, uncompressed),
	}, nil
}

func writeEntries(tw *tar.Writer, files []File, modTime time.Time) error {
	sorted := make([]File, len(files))
	for i, f := range files {
		name, err := cleanPath(f.Path)
		if err != nil {
			return err
		}
		f.Path = name
		sorted[i] = f
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	written := map[string]bool{}
	for _, f := range sorted {
		name := f.Path
		for _, dir := range parentDirs(name) {
			if written[dir] {
				continue
			}
			written[dir] = true
			if err := tw.WriteHeader(header(dir+"/", tar.TypeDir, 0o755, 0, modTime)); err != nil {
				return fmt.Errorf("write directory %s to layer: %w", dir, err)
			}
		}
		if err := writeFile(tw, name, f, modTime); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(tw *tar.Writer, name string, f File, modTime time.Time) error {
	mode := f.Mode
	if mode == 0 {
		mode = 0o644
	}
	if err := tw.WriteHeader(header(name, tar.TypeReg, mode, f.Size, modTime)); err != nil {
		return fmt.Errorf("write %s to layer: %w", name, err)
	}
	n, err := io.Copy(tw, f.Content)
	if err != nil {
		return fmt.Errorf("write %s to layer: %w", name, err)
	}
	if n != f.Size {
		return fmt.Errorf("write %s to layer: read %d bytes, expected %d (file changed while packaging?)", name, n, f.Size)
	}
	return nil
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
		return "", fmt.Errorf("invalid path %q for a layer entry", p)
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

// countingHash is an io.Writer that hashes and counts what passes through.
type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.h.Write(p)
	c.n += int64(n)
	return n, err
}
