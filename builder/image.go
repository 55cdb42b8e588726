package builder

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// appDir is where the executable lives in the image.
const appDir = "app"

// recipe is what every image of a build gets besides its base: its
// layers (layers), config settings and annotations; writeImage and
// checkDocuments build documents from it alike.
type recipe struct {
	// entrypoint is the binary the image runs, one of those it gets.
	entrypoint string
	created    time.Time
	settings   oci.ImageSettings
	// annotations are the image's, or the index's for several platforms;
	// each manifest adds its base's (see manifestAnnotations).
	annotations map[string]string
	// compression is the new layers'.
	compression oci.Compression
	// extra are layers of other files, in order, beneath the executable's
	// (which changes most often, so it comes last): the files setting's.
	extra []layerSource
}

// layers lists, in order, the layers an image of arts adds on top of its
// base: the extra ones, then one per executable, in the order of arts.
func (r recipe) layers(arts []cargo.Artifact) []layerSource {
	out := slices.Clone(r.extra)
	for _, art := range arts {
		out = append(out, binaryLayer(art))
	}
	return out
}

// config is the config of an image on b for platform, with the layers
// added on top, that runs r's entrypoint.
func (r recipe) config(b *base, platform ocispec.Platform, added []oci.AddedLayer) ocispec.Image {
	return oci.NewConfig(b.config, oci.ConfigOptions{
		Platform:   platform,
		Entrypoint: []string{"/" + path.Join(appDir, r.entrypoint)},
		Layers:     added,
		Created:    r.created,
		Image:      r.settings,
	})
}

// manifest is the manifest of an image of the layers added on b, with
// config cfg.
func (r recipe) manifest(cfg ocispec.Descriptor, b *base, added []oci.AddedLayer) ocispec.Manifest {
	return oci.NewImageManifest(cfg, b.manifest.Layers, added, manifestAnnotations(r.annotations, b))
}

// writeImage writes the base's blobs, the new layers (or takes them from
// layers), the config and the manifest into store and returns the
// manifest's descriptor; arts are t's executables.
func writeImage(ctx context.Context, store *layout.Layout, layers *layerCache, r recipe, t target, arts []cargo.Artifact) (ocispec.Descriptor, error) {
	if err := copyBaseBlobs(ctx, store, t.base); err != nil {
		return ocispec.Descriptor{}, err
	}
	var added []oci.AddedLayer
	for _, src := range r.layers(arts) {
		layer, err := layers.layer(ctx, store, src, r.created)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		added = append(added, oci.AddedLayer{Layer: layer, CreatedBy: src.createdBy})
	}
	cfgDesc, err := writeJSON(ctx, store, ocispec.MediaTypeImageConfig, r.config(t.base, t.platform, added))
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc, err := writeJSON(ctx, store, ocispec.MediaTypeImageManifest, r.manifest(cfgDesc, t.base, added))
	platform := t.platform
	desc.Platform = &platform
	return desc, err
}

// imageAnnotations returns the annotations of the image, or of the index
// for several platforms: what Cargo.toml and git say about the project,
// then the user's own, which win. Cargo.toml's fields are free text that
// may hold credentials: the source is kept only as a URL without them
// (nor query or fragment), the description and licenses lose the user
// information of their URLs (package scrub).
func imageAnnotations(pkg cargo.Package, revision string, user map[string]string, created time.Time, stampCreated bool) map[string]string {
	a := map[string]string{}
	set := func(key, value string) {
		if value != "" {
			a[key] = value
		}
	}
	set(ocispec.AnnotationTitle, pkg.Name)
	set(ocispec.AnnotationVersion, pkg.Version)
	set(ocispec.AnnotationDescription, scrub.Prose(pkg.Description))
	set(ocispec.AnnotationLicenses, scrub.Prose(pkg.License))
	set(ocispec.AnnotationSource, scrub.URL(pkg.Repository))
	set(ocispec.AnnotationRevision, revision)
	if stampCreated {
		set(ocispec.AnnotationCreated, created.UTC().Format(time.RFC3339))
	}
	maps.Copy(a, user)
	return a
}

// manifestAnnotations returns an image manifest's annotations: the
// image's, plus the base's digest and, for a registry base, its name. A
// base from a local layout has no name another machine could use, and its
// path would name this one's directories and user: base.digest alone
// says which it was (and is what gc follows).
func manifestAnnotations(image map[string]string, b *base) map[string]string {
	a := maps.Clone(image)
	if b.store != nil {
		a[ocispec.AnnotationBaseImageDigest] = b.digest.String()
		if b.ref != nil {
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

// writeLayer streams files into a new layer blob in store, its entries
// stamped with created, compressed with c.
func writeLayer(store *layout.Layout, files []oci.File, created time.Time, c oci.Compression) (oci.Layer, error) {
	w, err := store.NewBlobWriter()
	if err != nil {
		return oci.Layer{}, err
	}
	defer w.Close()
	layer, err := oci.WriteLayerCompressed(w, files, created, c)
	if err != nil {
		return oci.Layer{}, err
	}
	desc, err := w.Commit(layer.Descriptor.MediaType)
	if err != nil {
		return oci.Layer{}, err
	}
	if desc.Digest != layer.Descriptor.Digest || desc.Size != layer.Descriptor.Size {
		return oci.Layer{}, fmt.Errorf("written %s (%d bytes) but computed %s (%d bytes)", desc.Digest, desc.Size, layer.Descriptor.Digest, layer.Descriptor.Size)
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
