package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// How referrers reach a registry. oras-go's Repository pushes a manifest
// that has a subject to the registry as it is; when the registry does not
// answer with an OCI-Subject header (it has no referrers API), oras-go
// adds the manifest to the referrers index tagged sha256-<hex of the
// subject> itself (the referrers tag schema of distribution-spec 1.1),
// reading, merging and pushing that index again. Which way it goes is the
// repository's referrers capability: unknown at first, set by the first
// answer that tells. pushReferrers sets it deliberately before the first
// referrer, with one GET of the referrers API (Repository.Referrers),
// because a registry may have the API and still not send OCI-Subject
// (go-containerregistry's pkg/registry does not), and oras-go would then
// write a sha256- tag next to a working API.

// pushReferrers pushes refs, manifests in src whose subject is desc or
// one of its manifests (or an earlier referrer), after desc itself, and
// makes sure the registry lists each for its subject. It returns how many
// the registry lists.
func (c *Client) pushReferrers(ctx context.Context, repo *orasremote.Repository, src *pushSource, dst *pushTarget, target reference.Named, desc ocispec.Descriptor, refs []ocispec.Descriptor, ev *events) (int, error) {
	if len(refs) == 0 {
		return 0, nil
	}
	api, known := probeReferrersAPI(ctx, repo, desc)
	there, err := manifestsOf(ctx, src, desc)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", blobName(desc), err)
	}
	subjects := make([]ocispec.Descriptor, len(refs))
	for i, r := range refs {
		if subjects[i], err = subjectOf(ctx, src, r); err != nil {
			return 0, err
		}
	}
	push := func(i int) error {
		opts := copyOptions(target, nil, ev)
		opts.FindSuccessors = skipping(there)
		if err := oras.CopyGraph(ctx, src, dst, refs[i], opts); err != nil {
			return referrerError(fmt.Errorf("push referrer %s of %s to %s: %w", ShortDigest(refs[i].Digest), ShortDigest(subjects[i].Digest), dst.name, ourWords(err)))
		}
		return nil
	}
	for pending := indexes(refs); len(pending) > 0; {
		var wave []int
		wave, pending = nextWave(pending, subjects, there)
		if err := pushAtOnce(wave, push); err != nil {
			return 0, err
		}
		for _, i := range wave {
			there[refs[i].Digest] = true
		}
	}
	if api && known {
		// The registry keeps its own list from the manifests it stores.
		return len(refs), nil
	}
	if err := c.checkListed(ctx, repo, src, dst, refs, subjects); err != nil {
		return 0, err
	}
	return len(refs), nil
}

// probeReferrersAPI asks whether repo's registry serves the referrers API,
// which also sets the repository's capability (see above). known is false
// when the answer told nothing; oras-go then decides on the first push.
func probeReferrersAPI(ctx context.Context, repo *orasremote.Repository, desc ocispec.Descriptor) (api, known bool) {
	if repo.Referrers(ctx, desc, "", func([]ocispec.Descriptor) error { return nil }) != nil {
		return false, false
	}
	// The capability is set now; setting it again succeeds only if it
	// is the same (Repository.SetReferrersCapability).
	return repo.SetReferrersCapability(true) == nil, true
}

// checkListed lists the referrers of each subject (through the referrers
// tag schema when the registry has no API) and pushes again the manifest
// of each referrer missing there, which adds it to the list: the registry
// may have had the manifest from an earlier push that stopped before the
// list was updated, and a manifest the registry has is not pushed again
// by CopyGraph.
func (c *Client) checkListed(ctx context.Context, repo *orasremote.Repository, src content.Fetcher, dst *pushTarget, refs, subjects []ocispec.Descriptor) error {
	for _, subject := range uniqueDigests(subjects) {
		for try := 1; ; try++ {
			missing, err := c.unlisted(ctx, repo, subject, refs, subjects)
			if err != nil {
				return fmt.Errorf("list the referrers of %s in %s: %w", ShortDigest(subject.Digest), dst.name, err)
			}
			if len(missing) == 0 {
				break
			}
			if try == 2 {
				return fmt.Errorf("%s does not list referrer %s of %s after pushing it again", dst.name, ShortDigest(missing[0].Digest), ShortDigest(subject.Digest))
			}
			for _, r := range missing {
				data, err := oci.ReadBlob(ctx, src, r, oci.MaxManifestSize)
				if err != nil {
					return fmt.Errorf("read %s: %w", blobName(r), err)
				}
				if err := dst.Push(ctx, r, bytes.NewReader(data)); err != nil {
					return referrerError(fmt.Errorf("push referrer %s of %s to %s again: %w", ShortDigest(r.Digest), ShortDigest(subject.Digest), dst.name, err))
				}
			}
		}
	}
	return nil
}

// unlisted returns the refs of subject the registry does not list.
func (c *Client) unlisted(ctx context.Context, repo *orasremote.Repository, subject ocispec.Descriptor, refs, subjects []ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	listed := map[digest.Digest]bool{}
	err := c.retryBlob(ctx, "list referrers", subject, func(int) error {
		clear(listed)
		return repo.Referrers(ctx, subject, "", func(page []ocispec.Descriptor) error {
			for _, d := range page {
				listed[d.Digest] = true
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	var missing []ocispec.Descriptor
	for i, r := range refs {
		if subjects[i].Digest == subject.Digest && !listed[r.Digest] {
			missing = append(missing, r)
		}
	}
	return missing, nil
}

// manifestsOf returns desc and, for an index, its manifests: what the
// push put in the registry before the referrers.
func manifestsOf(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor) (map[digest.Digest]bool, error) {
	there := map[digest.Digest]bool{desc.Digest: true}
	if !oci.IsIndex(desc.MediaType) {
		return there, nil
	}
	var idx ocispec.Index
	if err := oci.ReadJSON(ctx, src, desc, oci.MaxManifestSize, &idx); err != nil {
		return nil, err
	}
	for _, m := range idx.Manifests {
		there[m.Digest] = true
	}
	return there, nil
}

// subjectOf reads referrer r's manifest for its subject.
func subjectOf(ctx context.Context, src content.Fetcher, r ocispec.Descriptor) (ocispec.Descriptor, error) {
	var doc struct {
		Subject *ocispec.Descriptor `json:"subject"`
	}
	if err := oci.ReadJSON(ctx, src, r, oci.MaxManifestSize, &doc); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("read referrer %s: %w", ShortDigest(r.Digest), err)
	}
	if doc.Subject == nil {
		return ocispec.Descriptor{}, fmt.Errorf("referrer %s has no subject: it refers to nothing", ShortDigest(r.Digest))
	}
	return *doc.Subject, nil
}

// skipping returns CopyGraph's successors without the manifests already
// in the registry: a referrer's subject is the image just pushed, so
// neither a request nor an "already there" event is spent on it.
func skipping(there map[digest.Digest]bool) func(context.Context, content.Fetcher, ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	return func(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		next, err := content.Successors(ctx, f, desc)
		return slices.DeleteFunc(next, func(d ocispec.Descriptor) bool { return there[d.Digest] }), err
	}
}

// uniqueDigests returns descs without repeated digests, in order.
func uniqueDigests(descs []ocispec.Descriptor) []ocispec.Descriptor {
	seen := map[digest.Digest]bool{}
	var out []ocispec.Descriptor
	for _, d := range descs {
		if !seen[d.Digest] {
			seen[d.Digest] = true
			out = append(out, d)
		}
	}
	return out
}

// referrerError says what a registry's refusal of a referrer means: the
// image and its tags are pushed, and the registry may not take OCI 1.1
// artifacts.
func referrerError(err error) error {
	var resp *errcode.ErrorResponse
	if errors.As(err, &resp) && (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnsupportedMediaType) {
		return fmt.Errorf("%w\nthe image and its tags are pushed, but the registry refused its SBOM or provenance, "+
			"which are OCI 1.1 artifacts (artifactType, subject): push to a registry that stores them, or build with --sbom none --provenance none", err)
	}
	return err
}

// maxReferrersAtOnce bounds the referrers pushed at once; each push has
// oras-go's own concurrency for its blobs.
const maxReferrersAtOnce = 4

// nextWave splits pending (positions in refs) into the referrers whose
// subject is in the registry already (there), which may be pushed at
// once, and the rest (referrers of those: a signature of an SBOM). When
// none is ready, the subjects are not ours to push: all go at once.
func nextWave(pending []int, subjects []ocispec.Descriptor, there map[digest.Digest]bool) (wave, rest []int) {
	for _, i := range pending {
		if there[subjects[i].Digest] {
			wave = append(wave, i)
		} else {
			rest = append(rest, i)
		}
	}
	if len(wave) == 0 {
		return rest, nil
	}
	return wave, rest
}

// pushAtOnce runs push for every position in wave, at most
// maxReferrersAtOnce at a time: oras-go merges the changes of one
// subject's referrers index that run at once. It returns every failure.
func pushAtOnce(wave []int, push func(int) error) error {
	errs := make([]error, len(wave))
	slots := make(chan struct{}, maxReferrersAtOnce)
	var wg sync.WaitGroup
	for j, i := range wave {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			errs[j] = push(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// indexes returns 0 .. len(refs)-1.
func indexes(refs []ocispec.Descriptor) []int {
	out := make([]int, len(refs))
	for i := range out {
		out[i] = i
	}
	return out
}
