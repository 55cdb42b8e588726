package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/remote"
	"github.com/docker-krust/docker-krust/sign"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

// Pusher copies an image or index and what it references from src to a
// registry; *remote.Client implements it.
type Pusher interface {
	Push(ctx context.Context, src content.ReadOnlyStorage, desc ocispec.Descriptor, target reference.Named, opts remote.PushOptions) (remote.PushResult, error)
}

// Push pushes root from store to image with every referrer store lists
// for it (SBOM, provenance, signatures), in addition to opts, and returns
// the image's reference by digest; log, when set, hears how many
// referrers went with it. The caller holds a lease on store.
func Push(ctx context.Context, p Pusher, log io.Writer, store *layout.Layout, root ocispec.Descriptor, image reference.Named, opts remote.PushOptions) (string, error) {
	refs, err := store.AllReferrers(ctx, root)
	if err != nil {
		return "", err
	}
	opts.Referrers = refs
	if opts.Signatures, err = legacySignatures(ctx, store, root); err != nil {
		return "", err
	}
	pushed, err := p.Push(ctx, store, root, image, opts)
	if err != nil {
		return "", err
	}
	if log != nil {
		reportReferrers(log, pushed, refs)
	}
	return pushed.Reference, nil
}

// reportReferrers says how many referrers went with a push, by artifact
// type, when there were any.
func reportReferrers(w io.Writer, pushed remote.PushResult, refs []ocispec.Descriptor) {
	if pushed.Referrers == 0 {
		return
	}
	count := map[string]int{}
	var types []string
	for _, r := range refs {
		if count[r.ArtifactType] == 0 {
			types = append(types, r.ArtifactType)
		}
		count[r.ArtifactType]++
	}
	slices.Sort(types)
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%d %s", count[t], t)
	}
	fmt.Fprintf(w, "pushed %s with %s: %s\n", pushed.Reference, human.Count(pushed.Referrers, "referrer"), strings.Join(parts, ", "))
}

// legacySignatures returns the legacy signature images store tags for
// root and, when it is an index, its manifests: cosign's
// sha256-HEX.sig. A layer krust signed replaces the registry's own of an
// earlier build; other signers' stay.
func legacySignatures(ctx context.Context, store *layout.Layout, root ocispec.Descriptor) ([]remote.TaggedSignature, error) {
	subjects, err := oci.WithManifests(ctx, store, root)
	if err != nil {
		return nil, err
	}
	var out []remote.TaggedSignature
	for _, s := range subjects {
		tag := sign.SignatureTag(s.Digest)
		desc, err := store.Resolve(ctx, tag)
		if errors.Is(err, errdef.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("signature %s: %w", tag, err)
		}
		hints, err := signingKeys(ctx, store, desc)
		if err != nil {
			return nil, fmt.Errorf("signature %s: %w", tag, err)
		}
		out = append(out, remote.TaggedSignature{Tag: tag, Desc: desc, Keep: func(l ocispec.Descriptor) bool { return !builder.SignedBy(l, hints) }})
	}
	return out, nil
}

// signingKeys returns the keys of the legacy signatures krust made in the
// signature image desc: the registry's signatures by those keys are
// replaced, everyone else's kept.
func signingKeys(ctx context.Context, store *layout.Layout, desc ocispec.Descriptor) ([]string, error) {
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m); err != nil {
		return nil, err
	}
	var hints []string
	for _, l := range m.Layers {
		if h, ok := l.Annotations[builder.AnnotationSignedKey]; ok {
			hints = append(hints, h)
		}
	}
	return hints, nil
}
