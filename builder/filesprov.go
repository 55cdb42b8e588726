package builder

import (
	"context"
	"fmt"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/oci/provenance"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// recordFiles notes, for the provenance, the files layer of the image
// manifest desc of target t, as the layout holds it: the layer right
// above the base's. Every platform's image has the same one (the same
// entries, time and compression give the same bytes).
func (p *Plan) recordFiles(ctx context.Context, store *layout.Layout, t target, desc ocispec.Descriptor) error {
	if p.files == nil {
		return nil
	}
	var m ocispec.Manifest
	var cfg ocispec.Image
	if err := oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m); err != nil {
		return fmt.Errorf("read back the image manifest for the provenance: %w", err)
	}
	if err := oci.ReadJSON(ctx, store, m.Config, oci.MaxConfigSize, &cfg); err != nil {
		return fmt.Errorf("read back the image config for the provenance: %w", err)
	}
	i := len(t.base.manifest.Layers)
	if i >= len(m.Layers) || i >= len(cfg.RootFS.DiffIDs) {
		return fmt.Errorf("image manifest %s has no files layer above its base's %d layers", desc.Digest, i)
	}
	f := &provenance.Files{Layer: m.Layers[i].Digest, MediaType: m.Layers[i].MediaType, DiffID: cfg.RootFS.DiffIDs[i]}
	for _, s := range p.req.Files {
		f.Entries = append(f.Entries, provenance.FilesEntry{From: filesName(s), To: s.To})
	}
	p.filesLayer = f
	return nil
}
