package oci

import (
	"archive/tar"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Layer describes a layer blob written by WriteLayer.
type Layer struct {
	// Descriptor is the compressed blob's descriptor (OCI gzip or zstd
	// layer media type).
	Descriptor ocispec.Descriptor
	// DiffID is the digest of the uncompressed tar stream.
	DiffID digest.Digest
}

// AddedLayer is a layer an image adds on top of its base, with what its
// history entry says made it. An image is its base plus an ordered list
// of them: NewConfig gives each its diffID and history entry, in order,
// and NewImageManifest its descriptor.
type AddedLayer struct {
	Layer
	// CreatedBy is the history entry's created_by, e.g. "krust build:
	// /app/hello". The entry's created is the image's, its comment
	// "docker-krust".
	CreatedBy string
}

// WriteLayer writes a reproducible gzip-compressed tar layer holding files
// (and the directories above them) to w; see WriteLayerCompressed.
func WriteLayer(w io.Writer, files []File, modTime time.Time) (Layer, error) {
	return WriteLayerCompressed(w, files, modTime, Gzip)
}

// WriteLayerCompressed writes a reproducible tar layer holding files
// (regular files, directories and symbolic links, and the directories
// above them), compressed with c, to w in one pass, hashing the
// compressed and uncompressed streams as it goes. Entries are sorted by
// path, each after the directories above it, owned by 0:0 without user
// or group names, stamped with modTime, with fixed modes (see File); a
// gzip header carries no name and no timestamp. An invalid entry is an
// ErrInvalidEntry, refused before anything is written. The same files,
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
