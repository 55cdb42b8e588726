// Package dockerarchive writes one image of an OCI layout as the tar that
// `docker load` and `podman load` read: an OCI image layout (oci-layout,
// index.json, blobs/sha256/...) plus the docker-archive manifest.json that
// the classic image store's loader (Engine 20.10 and older) needs, as
// `docker save` writes it on newer engines. It never talks to an engine.
package dockerarchive

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
)

// ErrZstdLayer means the image has a zstd layer, which Docker Engine 20.10
// and older (the classic image store) cannot load.
var ErrZstdLayer = errors.New("zstd layers cannot be loaded by docker load on Docker Engine 20.10 and older")

// Image is what to write: one image manifest in a layout, and its names.
type Image struct {
	// Manifest is the image manifest's descriptor (not an index: pick the
	// platform first, e.g. with oci.SelectManifest).
	Manifest ocispec.Descriptor
	// Index, when set, is the image index Manifest was chosen from: the
	// archive then holds the whole index (every platform's image), which
	// the containerd image store loads, while manifest.json still names
	// Manifest for the classic store.
	Index *ocispec.Descriptor
	// RepoTags are the full names the loader tags the image with,
	// e.g. krust.local/app:latest; at least one.
	RepoTags []string
}

// Written describes a written archive.
type Written struct {
	// Config is the image config's descriptor; its digest is the image ID
	// the Docker Engine gives the loaded image.
	Config ocispec.Descriptor
}

// dockerManifest is one entry of docker-archive's manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// Read reads img's manifest from f and checks that every engine can load it.
func Read(ctx context.Context, f content.Fetcher, img Image) (ocispec.Manifest, error) {
	var m ocispec.Manifest
	if !oci.IsManifest(img.Manifest.MediaType) {
		return m, fmt.Errorf("image %s is a %s, not an image manifest", img.Manifest.Digest, img.Manifest.MediaType)
	}
	if len(img.RepoTags) == 0 {
		return m, fmt.Errorf("image %s: no name to tag it with", img.Manifest.Digest)
	}
	if err := oci.ReadJSON(ctx, f, img.Manifest, oci.MaxManifestSize, &m); err != nil {
		return m, fmt.Errorf("read manifest %s: %w", img.Manifest.Digest, err)
	}
	for _, l := range m.Layers {
		if strings.Contains(l.MediaType, "zstd") {
			return m, fmt.Errorf("layer %s: %w; build with --compression gzip", l.Digest, ErrZstdLayer)
		}
	}
	return m, nil
}

// Write streams img from f to w as a tar. The bytes depend only on the
// image and its names: entries come in a fixed order with fixed headers
// (uid/gid 0, mtime the Unix epoch, mode 0644 or 0755), and blobs are
// copied through f, which verifies them, never held whole in memory.
func Write(ctx context.Context, w io.Writer, f content.Fetcher, img Image) (Written, error) {
	m, err := Read(ctx, f, img)
	if err != nil {
		return Written{}, err
	}
	tw := tar.NewWriter(w)
	aw := &archiveWriter{ctx: ctx, tw: tw, f: f}
	aw.dir("blobs/")
	aw.dir("blobs/sha256/")
	aw.seen = map[digest.Digest]bool{}
	top := img.Manifest
	if img.Index != nil {
		top = *img.Index
		aw.others(img.Index, img.Manifest)
	}
	aw.image(img.Manifest, m)
	dm := dockerManifest{Config: blobPath(m.Config.Digest), RepoTags: img.RepoTags}
	for _, l := range m.Layers {
		dm.Layers = append(dm.Layers, blobPath(l.Digest))
	}
	aw.json("index.json", index(top, img.RepoTags))
	aw.json("manifest.json", []dockerManifest{dm})
	aw.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	if aw.err != nil {
		return Written{}, aw.err
	}
	if err := tw.Close(); err != nil {
		return Written{}, fmt.Errorf("finish tar: %w", err)
	}
	return Written{Config: m.Config}, nil
}

// index is the archive's index.json: the image once per name, annotated
// as containerd and docker save do, so the OCI side tags it too.
func index(top ocispec.Descriptor, names []string) ocispec.Index {
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex}
	idx.SchemaVersion = 2
	for _, name := range names {
		d := ocispec.Descriptor{MediaType: top.MediaType, Digest: top.Digest, Size: top.Size}
		tag := name[strings.LastIndex(name, ":")+1:]
		d.Annotations = map[string]string{"io.containerd.image.name": name, ocispec.AnnotationRefName: tag}
		idx.Manifests = append(idx.Manifests, d)
	}
	return idx
}

func blobPath(d digest.Digest) string {
	return "blobs/" + d.Algorithm().String() + "/" + d.Encoded()
}

// archiveWriter writes entries until the first error, which it keeps.
type archiveWriter struct {
	ctx context.Context
	tw  *tar.Writer
	f   content.Fetcher
	err error
	// seen are the blobs written, each once.
	seen map[digest.Digest]bool
}

// image writes an image's manifest, config and layers.
func (a *archiveWriter) image(desc ocispec.Descriptor, m ocispec.Manifest) {
	a.blob(desc)
	a.blob(m.Config)
	for _, l := range m.Layers {
		a.blob(l)
	}
}

// others writes the index and its images other than chosen.
func (a *archiveWriter) others(idxDesc *ocispec.Descriptor, chosen ocispec.Descriptor) {
	var idx ocispec.Index
	if a.err == nil {
		a.err = oci.ReadJSON(a.ctx, a.f, *idxDesc, oci.MaxManifestSize, &idx)
	}
	a.blob(*idxDesc)
	for _, d := range idx.Manifests {
		if a.err != nil || d.Digest == chosen.Digest || !oci.IsManifest(d.MediaType) {
			continue
		}
		var m ocispec.Manifest
		if a.err = oci.ReadJSON(a.ctx, a.f, d, oci.MaxManifestSize, &m); a.err == nil {
			a.image(d, m)
		}
	}
}

func header(name string, typ byte, mode, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: typ, Mode: mode, Size: size, ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}
}

func (a *archiveWriter) dir(name string) {
	if a.err == nil {
		a.err = a.tw.WriteHeader(header(name, tar.TypeDir, 0o755, 0))
	}
}

func (a *archiveWriter) file(name string, data []byte) {
	if a.err != nil {
		return
	}
	if a.err = a.tw.WriteHeader(header(name, tar.TypeReg, 0o644, int64(len(data)))); a.err == nil {
		_, a.err = a.tw.Write(data)
	}
}

func (a *archiveWriter) json(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("encode %s: %w", name, err)
	}
	a.file(name, data)
}

func (a *archiveWriter) blob(desc ocispec.Descriptor) {
	if a.err != nil || a.seen[desc.Digest] {
		return
	}
	a.seen[desc.Digest] = true
	rc, err := a.f.Fetch(a.ctx, desc)
	if err != nil {
		a.err = fmt.Errorf("blob %s: %w", desc.Digest, err)
		return
	}
	defer rc.Close()
	if a.err = a.tw.WriteHeader(header(blobPath(desc.Digest), tar.TypeReg, 0o644, desc.Size)); a.err != nil {
		return
	}
	if _, err := io.Copy(a.tw, rc); err != nil {
		a.err = fmt.Errorf("copy blob %s: %w", desc.Digest, err)
	}
}
