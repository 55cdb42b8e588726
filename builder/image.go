package builder

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// appDir is where the executable lives in the image.
const appDir = "app"

// writeImage writes the base's blobs, the new layer, the config and the
// manifest into store and returns the manifest's descriptor.
func writeImage(ctx context.Context, store *layout.Layout, opts Options, p *plan, t target, art cargo.Artifact) (ocispec.Descriptor, error) {
	if err := copyBaseBlobs(ctx, store, t.base); err != nil {
		return ocispec.Descriptor{}, err
	}
	layer, err := writeLayer(store, art, opts)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	cfg := oci.NewConfig(t.base.config, oci.ConfigOptions{
		Platform:   t.platform,
		Entrypoint: []string{"/" + path.Join(appDir, art.Bin)},
		DiffID:     layer.DiffID,
		Created:    opts.Created,
		CreatedBy:  "krust build: /" + path.Join(appDir, art.Bin),
		Image:      opts.Image,
	})
	cfgDesc, err := writeJSON(ctx, store, ocispec.MediaTypeImageConfig, cfg)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	layers := append(append([]ocispec.Descriptor(nil), t.base.manifest.Layers...), layer.Descriptor)
	m := oci.NewManifest(cfgDesc, layers, manifestAnnotations(opts, p, t.base))
	desc, err := writeJSON(ctx, store, ocispec.MediaTypeImageManifest, m)
	platform := t.platform
	desc.Platform = &platform
	return desc, err
}

// indexAnnotations returns the annotations of the image, or of the index
// for several platforms: what Cargo.toml and git say about the project,
// then the user's own, which win.
func indexAnnotations(opts Options, p *plan) map[string]string {
	a := map[string]string{}
	set := func(key, value string) {
		if value != "" {
			a[key] = value
		}
	}
	set(ocispec.AnnotationTitle, p.pkg.Name)
	set(ocispec.AnnotationVersion, p.pkg.Version)
	set(ocispec.AnnotationDescription, p.pkg.Description)
	set(ocispec.AnnotationLicenses, p.pkg.License)
	set(ocispec.AnnotationSource, p.pkg.Repository)
	set(ocispec.AnnotationRevision, p.revision)
	if opts.StampCreated {
		set(ocispec.AnnotationCreated, opts.Created.UTC().Format(time.RFC3339))
	}
	maps.Copy(a, opts.Annotations)
	return a
}

// manifestAnnotations returns an image manifest's annotations: the
// image's, plus the base's name and digest.
func manifestAnnotations(opts Options, p *plan, b *base) map[string]string {
	a := indexAnnotations(opts, p)
	if b.store != nil {
		a[ocispec.AnnotationBaseImageDigest] = b.digest.String()
		if b.name != "" {
			a[ocispec.AnnotationBaseImageName] = b.name
		}
	}
	return a
}

// copyBaseBlobs copies the base's config and layers into store, verified
// on the way, skipping what store already has.
func copyBaseBlobs(ctx context.Context, store *layout.Layout, b *base) error {
	if b.store == nil {
		return nil
	}
	for _, desc := range b.manifest.Layers {
		if err := copyBlob(ctx, store, b.store, desc); err != nil {
			return err
		}
	}
	return nil
}

func copyBlob(ctx context.Context, dst, src *layout.Layout, desc ocispec.Descriptor) error {
	if dst == src {
		return nil
	}
	if ok, err := dst.Exists(ctx, desc); err != nil || ok {
		return err
	}
	r, err := src.Fetch(ctx, desc)
	if err != nil {
		return fmt.Errorf("read base layer %s: %w", desc.Digest, err)
	}
	defer r.Close()
	if err := dst.Push(ctx, desc, r); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return fmt.Errorf("copy base layer %s: %w", desc.Digest, err)
	}
	return nil
}

// writeLayer streams the executable into a new layer blob at /app/BIN.
func writeLayer(store *layout.Layout, art cargo.Artifact, opts Options) (oci.Layer, error) {
	f, err := os.Open(art.Path)
	if err != nil {
		return oci.Layer{}, fmt.Errorf("read the built executable: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return oci.Layer{}, fmt.Errorf("read the built executable: %w", err)
	}
	w, err := store.NewBlobWriter()
	if err != nil {
		return oci.Layer{}, err
	}
	defer w.Close()
	file := oci.File{Path: path.Join(appDir, art.Bin), Mode: 0o755, Size: info.Size(), Content: f}
	layer, err := oci.WriteLayer(w, []oci.File{file}, opts.Created)
	if err != nil {
		return oci.Layer{}, fmt.Errorf("write layer for %s: %w", art.Path, err)
	}
	desc, err := w.Commit(layer.Descriptor.MediaType)
	if err != nil {
		return oci.Layer{}, err
	}
	if desc.Digest != layer.Descriptor.Digest || desc.Size != layer.Descriptor.Size {
		return oci.Layer{}, fmt.Errorf("layer for %s: written %s (%d bytes) but computed %s (%d bytes)", art.Path, desc.Digest, desc.Size, layer.Descriptor.Digest, layer.Descriptor.Size)
	}
	return layer, nil
}

func writeJSON(ctx context.Context, store *layout.Layout, mediaType string, v any) (ocispec.Descriptor, error) {
	desc, data, err := oci.Encode(mediaType, v)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if _, err := store.WriteBlob(ctx, mediaType, data); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("write %s: %w", mediaType, err)
	}
	return desc, nil
}
