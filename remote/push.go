package remote

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// PushOptions says how to push.
type PushOptions struct {
	// Tags are the tags to set; empty means "latest".
	Tags []string
	// MountFrom lists repositories (typically the base image's) whose blobs
	// may be mounted instead of uploaded when they are on the same registry.
	MountFrom []reference.Named
}

// PushResult says what a push did.
type PushResult struct {
	// Reference is the pushed image by digest: REGISTRY/REPO@sha256:...
	Reference string
	// Pushed, Skipped and Mounted count blobs and manifests.
	Pushed, Skipped, Mounted int
	// Bytes is how much was uploaded.
	Bytes int64
}

// Push copies the image or index desc and everything it references from
// store to target, sets the tags, and checks that the registry now serves
// desc under the first tag. What the registry has is not uploaded again.
func (c *Client) Push(ctx context.Context, store *layout.Layout, desc ocispec.Descriptor, target reference.Named, opts PushOptions) (_ PushResult, err error) {
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
	stats := &pushStats{}
	graph := c.copyOptions(target, opts.MountFrom, stats)
	src := &progressSource{Layout: store, log: c.opts.Log}
	dst := &retryingTarget{Repository: repo, src: src, attempts: uploadAttempts, log: c.opts.Log}
	err = c.withAttempts(ctx, func() error { return oras.CopyGraph(ctx, src, dst, desc, graph) })
	if err != nil {
		return PushResult{}, explain(explainLayout(fmt.Errorf("push %s to %s: %w", short(desc.Digest), name, err), store), repo)
	}
	if err := c.tag(ctx, store, repo, desc, tags); err != nil {
		return PushResult{}, explain(explainLayout(fmt.Errorf("tag %s in %s: %w", short(desc.Digest), name, err), store), repo)
	}
	got, err := repo.Resolve(ctx, tags[0])
	if err != nil {
		return PushResult{}, explain(fmt.Errorf("check %s:%s after the push: %w", name, tags[0], err), repo)
	}
	if got.Digest != desc.Digest {
		return PushResult{}, fmt.Errorf("%s:%s is %s after the push, not the %s we built (another push at the same time?)", name, tags[0], got.Digest, desc.Digest)
	}
	res := stats.result(name + "@" + desc.Digest.String())
	fmt.Fprintf(c.opts.Log, "pushed %s: %d uploaded (%s), %d already there, %d mounted\n",
		res.Reference, res.Pushed, human.Bytes(res.Bytes), res.Skipped, res.Mounted)
	return res, nil
}

// tag points each tag at desc, uploading the manifest by tag.
func (c *Client) tag(ctx context.Context, store *layout.Layout, repo *orasremote.Repository, desc ocispec.Descriptor, tags []string) error {
	data, err := oci.ReadBlob(ctx, store, desc, oci.MaxManifestSize)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		err := c.withAttempts(ctx, func() error {
			return repo.PushReference(ctx, desc, bytes.NewReader(data), tag)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// copyOptions counts and reports what CopyGraph does, and offers the
// mount sources that live on target's registry.
func (c *Client) copyOptions(target reference.Named, mountFrom []reference.Named, stats *pushStats) oras.CopyGraphOptions {
	var sources []string
	for _, m := range mountFrom {
		if reference.Domain(m) == reference.Domain(target) && reference.Path(m) != reference.Path(target) {
			sources = append(sources, reference.Path(m))
		}
	}
	opts := oras.CopyGraphOptions{
		PostCopy: func(_ context.Context, d ocispec.Descriptor) error {
			stats.add(&stats.pushed, d.Size)
			if isManifestKind(d.MediaType) {
				fmt.Fprintf(c.opts.Log, "pushed %s %s (%s)\n", kind(d.MediaType), short(d.Digest), human.Bytes(d.Size))
			}
			return nil
		},
		OnCopySkipped: func(_ context.Context, d ocispec.Descriptor) error {
			stats.add(&stats.skipped, 0)
			fmt.Fprintf(c.opts.Log, "%s %s already in the registry\n", kind(d.MediaType), short(d.Digest))
			return nil
		},
		OnMounted: func(_ context.Context, d ocispec.Descriptor) error {
			stats.add(&stats.mounted, 0)
			fmt.Fprintf(c.opts.Log, "mounted %s %s\n", kind(d.MediaType), short(d.Digest))
			return nil
		},
	}
	if len(sources) > 0 {
		opts.MountFrom = func(context.Context, ocispec.Descriptor) ([]string, error) { return sources, nil }
	}
	return opts
}

// pushStats counts what a push did; CopyGraph calls back concurrently.
type pushStats struct {
	mu                       sync.Mutex
	pushed, skipped, mounted int
	bytes                    int64
}

func (s *pushStats) add(counter *int, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*counter++
	s.bytes += size
}

func (s *pushStats) result(ref string) PushResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return PushResult{Reference: ref, Pushed: s.pushed, Skipped: s.skipped, Mounted: s.mounted, Bytes: s.bytes}
}
