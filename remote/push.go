package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// PushOptions says how to push.
type PushOptions struct {
	// Tags are the tags to set; empty means "latest".
	Tags []string
	// MountFrom lists repositories (typically the base image's) whose blobs
	// may be mounted instead of uploaded when they are on the same registry.
	MountFrom []reference.Named
	// Referrers are manifests in the source whose subject is the image or
	// one of its manifests (SBOMs, provenance, signatures: what
	// layout.Layout.Referrers lists), pushed after the image and its tags,
	// in order, to the referrers API where the registry has one and to the
	// referrers tag schema (a sha256-<hex> tag per subject) where not.
	// Nil pushes none.
	Referrers []ocispec.Descriptor
	// Signatures are legacy signature images in the source, pushed after
	// the referrers, each merged with the one the registry tags so (see
	// TaggedSignature). Nil pushes none.
	Signatures []TaggedSignature
}

// PushResult says what a push did.
type PushResult struct {
	// Reference is the pushed image by digest: REGISTRY/REPO@sha256:...
	Reference string
	// Pushed, Skipped and Mounted count blobs and manifests.
	Pushed, Skipped, Mounted int
	// Bytes is how much was uploaded.
	Bytes int64
	// Referrers counts the referrers of PushOptions the registry lists for
	// their subjects after the push, uploaded now or before.
	Referrers int
}

// Push copies the image or index desc and everything it references from
// src (an OCI layout, or any oras store) to target, sets the tags, and
// checks that the registry now serves desc under the first tag; then it
// pushes the referrers of opts and checks that the registry lists each by
// the route a consumer takes (the referrers API, or the referrers tag
// schema where there is none). What the registry has is not uploaded
// again. A failure after the image and its tags are in place is an
// *IncompleteError, which says what was pushed and what was not.
func (c *Client) Push(ctx context.Context, src content.ReadOnlyStorage, desc ocispec.Descriptor, target reference.Named, opts PushOptions) (_ PushResult, err error) {
	ctx, done := c.bounded(ctx, "push to "+target.Name())
	defer func() { err = done(err) }()
	tags := opts.Tags
	if len(tags) == 0 {
		tags = []string{"latest"}
	}
	repo, err := c.Repository(ctx, target)
	if err != nil {
		return PushResult{}, err
	}
	name := target.Name()
	ev := c.events(Push)
	source := &pushSource{ReadOnlyStorage: src, ev: ev}
	dst := &pushTarget{Repository: repo, c: c, src: source, name: name}
	err = oras.CopyGraph(ctx, source, dst, desc, copyOptions(target, opts.MountFrom, ev))
	if err != nil {
		return PushResult{}, explain(explainLayout(fmt.Errorf("push %s to %s: %w", ShortDigest(desc.Digest), name, ourWords(err)), src), repo)
	}
	if set, err := c.tag(ctx, src, dst, desc, tags); err != nil {
		return PushResult{}, &IncompleteError{Reference: name + "@" + desc.Digest.String(), Tags: tags[:set], Untagged: tags[set:],
			Missing: opts.Referrers, Err: explainIncomplete(explainLayout(fmt.Errorf("tag %s in %s: %w", ShortDigest(desc.Digest), name, err), src), repo, 0)}
	}
	if err := checkTag(ctx, repo, desc, name, tags[0]); err != nil {
		return PushResult{}, err
	}
	referrers, err := c.pushReferrers(ctx, repo, source, target, desc, tags, opts.Referrers, ev)
	if err != nil {
		return PushResult{}, err
	}
	if left, err := c.pushSignatures(ctx, repo, src, opts.Signatures); err != nil {
		return PushResult{}, &IncompleteError{Reference: name + "@" + desc.Digest.String(), Tags: tags, Unsigned: left, Err: err}
	}
	sum := ev.finish(name + "@" + desc.Digest.String())
	return PushResult{Reference: sum.Reference, Pushed: sum.Copied, Skipped: sum.Skipped, Mounted: sum.Mounted, Bytes: sum.Bytes, Referrers: referrers}, nil
}

// checkTag checks that the registry serves desc under tag, as a consumer
// pulling it by tag would find it.
func checkTag(ctx context.Context, repo *orasremote.Repository, desc ocispec.Descriptor, name, tag string) error {
	got, err := repo.Resolve(ctx, tag)
	if err != nil {
		return explain(fmt.Errorf("check %s:%s after the push: %w", name, tag, err), repo)
	}
	if got.Digest != desc.Digest {
		return fmt.Errorf("%s:%s is %s after the push, not the %s we built (another push at the same time?)", name, tag, got.Digest, desc.Digest)
	}
	return nil
}

// tag points each tag at desc, uploading the manifest by tag. It returns
// how many tags it set.
func (c *Client) tag(ctx context.Context, src content.ReadOnlyStorage, dst *pushTarget, desc ocispec.Descriptor, tags []string) (int, error) {
	data, err := oci.ReadBlob(ctx, src, desc, oci.MaxManifestSize)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", blobName(desc), err)
	}
	for i, tag := range tags {
		err := c.retryBlob(ctx, "tag "+tag, desc, func(int) error {
			return dst.PushReference(ctx, desc, bytes.NewReader(data), tag)
		})
		if err != nil {
			return i, &tagError{tag: tag, err: err}
		}
	}
	return len(tags), nil
}

// copyOptions reports what CopyGraph does as events, and offers the
// mount sources that live on target's registry.
func copyOptions(target reference.Named, mountFrom []reference.Named, ev *events) oras.CopyGraphOptions {
	var sources []string
	for _, m := range mountFrom {
		if reference.Domain(m) == reference.Domain(target) && reference.Path(m) != reference.Path(target) {
			sources = append(sources, reference.Path(m))
		}
	}
	opts := oras.CopyGraphOptions{
		PostCopy: func(_ context.Context, d ocispec.Descriptor) error {
			ev.emit(Event{Kind: BlobDone, Blob: d, Bytes: d.Size})
			return nil
		},
		OnCopySkipped: func(_ context.Context, d ocispec.Descriptor) error {
			ev.emit(Event{Kind: BlobSkipped, Blob: d})
			return nil
		},
		OnMounted: func(_ context.Context, d ocispec.Descriptor) error {
			ev.emit(Event{Kind: BlobMounted, Blob: d})
			return nil
		},
	}
	if len(sources) > 0 {
		opts.MountFrom = func(context.Context, ocispec.Descriptor) ([]string, error) { return sources, nil }
	}
	return opts
}

// pushTarget is the registry side of a push: each step on a blob is
// retried under the blob budget, and its errors name the step, the blob
// and the repository. It keeps the repository's Mount, so CopyGraph can
// mount.
type pushTarget struct {
	*orasremote.Repository
	c    *Client
	src  content.Fetcher // to read a blob again for another upload
	name string          // the repository, REGISTRY/REPO
}

// Exists asks whether the registry has desc.
func (t *pushTarget) Exists(ctx context.Context, desc ocispec.Descriptor) (bool, error) {
	var found bool
	err := t.c.retryBlob(ctx, "check", desc, func(int) (err error) {
		found, err = t.Repository.Exists(ctx, desc)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("check whether %s has %s: %w", t.name, blobName(desc), err)
	}
	return found, nil
}

// Push uploads desc from r and, should that fail for a reason that may
// pass, again from a fresh read of the source.
func (t *pushTarget) Push(ctx context.Context, desc ocispec.Descriptor, r io.Reader) error {
	err := t.c.retryBlob(ctx, "upload", desc, func(try int) error {
		if try == 1 {
			return t.Repository.Push(ctx, desc, r)
		}
		rc, err := t.src.Fetch(ctx, desc)
		if err != nil {
			return err
		}
		defer rc.Close()
		return t.Repository.Push(ctx, desc, rc)
	})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", blobName(desc), t.name, err)
	}
	return nil
}

// Mount asks the registry to take desc from repository from; when it
// declines, oras uploads it through getContent, which reads the source
// afresh on each try.
func (t *pushTarget) Mount(ctx context.Context, desc ocispec.Descriptor, from string, getContent func() (io.ReadCloser, error)) error {
	err := t.c.retryBlob(ctx, "mount", desc, func(int) error {
		return t.Repository.Mount(ctx, desc, from, getContent)
	})
	if err != nil {
		return fmt.Errorf("mount %s from %s into %s: %w", blobName(desc), from, t.name, err)
	}
	return nil
}

// pushSource is the store side of a push: reads of configs and layers are
// reported as events, and its errors name the blob. Manifests are also
// read to walk the graph: they are reported when copied, not here.
type pushSource struct {
	content.ReadOnlyStorage
	ev *events
}

// Fetch opens desc.
func (s *pushSource) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	rc, err := s.ReadOnlyStorage.Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", blobName(desc), err)
	}
	if oci.KindOf(desc.MediaType).IsDocument() {
		return rc, nil
	}
	return newCountingReader(rc, desc, s.ev), nil
}
