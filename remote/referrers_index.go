package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// maxReferrersIndex is the largest referrers index read or written: what
// oras-go reads by default (its MaxMetadataBytes), about 16,000
// referrers of one subject.
const maxReferrersIndex = 4 << 20

// referrersTag is the tag of subject's referrers index in the referrers
// tag schema: ALG-HEX.
func referrersTag(subject ocispec.Descriptor) string {
	return subject.Digest.Algorithm().String() + "-" + subject.Digest.Encoded()
}

// record writes subject's referrers index once: the referrers the
// registry's index lists, in its order, then those of this push it
// lacks. Nothing is written when it lists them all. The index it replaces
// stays in the registry untagged (see Client.Repository).
func (p *referrerPush) record(ctx context.Context, subject ocispec.Descriptor) error {
	tag := referrersTag(subject)
	var old []ocispec.Descriptor
	err := p.c.retryBlob(ctx, "read referrers index "+tag, subject, func(int) (err error) {
		old, err = readReferrersIndex(ctx, p.dst.Repository, tag, subject)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the referrers index %s:%s: %w", p.dst.name, tag, err)
	}
	var ours []ocispec.Descriptor
	for _, r := range p.refs {
		if r.subject.Digest == subject.Digest {
			ours = append(ours, r.entry)
		}
	}
	merged, added := mergeReferrers(old, ours)
	if added == 0 {
		return nil
	}
	desc, data, err := encodeReferrersIndex(merged)
	if err != nil {
		return fmt.Errorf("referrers index %s:%s: %w", p.dst.name, tag, err)
	}
	err = p.c.retryBlob(ctx, "write referrers index "+tag, desc, func(int) error {
		return p.dst.PushReference(ctx, desc, bytes.NewReader(data), tag)
	})
	if err != nil {
		return &indexWriteError{fmt.Errorf("write the referrers index of %s to %s, tagged %s: %w", ShortDigest(subject.Digest), p.dst.name, tag, err)}
	}
	return nil
}

// readReferrersIndex returns what the index tagged tag lists; nothing
// when there is none, or when the tag names something that is no
// referrers index (the subject itself, an image), which the tag schema
// then replaces.
func readReferrersIndex(ctx context.Context, repo *orasremote.Repository, tag string, subject ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	desc, rc, err := repo.FetchReference(ctx, tag)
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if desc.MediaType != ocispec.MediaTypeImageIndex || desc.Digest == subject.Digest {
		return nil, nil
	}
	if desc.Size > maxReferrersIndex {
		return nil, fmt.Errorf("it is %d bytes, more than the %d MiB read: %w", desc.Size, maxReferrersIndex>>20, errdef.ErrSizeExceedsLimit)
	}
	data, err := content.ReadAll(rc, desc)
	if err != nil {
		return nil, err
	}
	var idx ocispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("decode it: %w", err)
	}
	return idx.Manifests, nil
}

// mergeReferrers returns old, without entries that name no valid digest
// or repeat one, followed by the entries of add it lacks, and how many
// those are.
func mergeReferrers(old, add []ocispec.Descriptor) (merged []ocispec.Descriptor, added int) {
	have := make(map[digest.Digest]bool, len(old)+len(add))
	merged = make([]ocispec.Descriptor, 0, len(old)+len(add))
	for _, d := range old {
		if d.Digest.Validate() == nil && !have[d.Digest] {
			have[d.Digest] = true
			merged = append(merged, d)
		}
	}
	for _, d := range add {
		if !have[d.Digest] {
			have[d.Digest] = true
			merged = append(merged, d)
			added++
		}
	}
	return merged, added
}

// encodeReferrersIndex encodes an image index listing referrers.
func encodeReferrersIndex(referrers []ocispec.Descriptor) (ocispec.Descriptor, []byte, error) {
	idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: referrers}
	data, err := json.Marshal(idx)
	if err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	if len(data) > maxReferrersIndex {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%d referrers make %d bytes, more than the %d MiB oras-go and krust read: %w",
			len(referrers), len(data), maxReferrersIndex>>20, errdef.ErrSizeExceedsLimit)
	}
	return content.NewDescriptorFromBytes(idx.MediaType, data), data, nil
}
