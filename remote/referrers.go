package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// How referrers reach a registry. A referrer (an SBOM, a provenance
// statement, a signature) is a manifest with a subject. A registry with
// the referrers API lists it for its subject as soon as it stores it; one
// without (distribution 2.8) relies on the client to keep, per subject,
// an index of its referrers tagged sha256-<hex of the subject> (the
// referrers tag schema of distribution-spec 1.1). oras-go keeps that index
// itself for each manifest it pushes, reading, merging and writing it
// again per referrer, and the registry keeps every version: N referrers
// of one subject cost N writes and O(N²) bytes. So a push of referrers
//  1. asks the registry once whether it has the API (one GET of the API
//     for the image), which also fixes the route its listings take: a
//     registry may have the API and not say so when a manifest is put
//     (go-containerregistry's pkg/registry sends no OCI-Subject header);
//  2. puts the referrers' configs and layers, each once (the empty config
//     they share too), then their manifests as they are, through a
//     repository told that the API exists, so oras-go indexes nothing;
//  3. without the API, writes each subject's index once: what the
//     registry's index lists, plus the referrers it lacks;
//  4. lists each subject's referrers by that route, as a consumer would,
//     and fails unless every referrer is listed.

// route is the way a registry lists referrers.
type route int

const (
	// routeAPI is the referrers API: GET /v2/REPO/referrers/DIGEST.
	routeAPI route = iota + 1
	// routeTagSchema is an index tagged sha256-<hex> per subject.
	routeTagSchema
)

func (r route) String() string {
	if r == routeAPI {
		return "the referrers API"
	}
	return "the referrers tag schema"
}

// referrerPush is one push of referrers, after their subject.
type referrerPush struct {
	c *Client
	// image is the subject pushed, REGISTRY/REPO@DIGEST, and tags the
	// tags that name it, for errors; given the referrers as given.
	image string
	tags  []string
	given []ocispec.Descriptor
	list  *orasremote.Repository // lists by the registry's route
	dst   *pushTarget            // puts manifests as they are
	src   *pushSource
	ev    *events
	route route
	refs  []referrerDoc
	// there holds the manifests in the registry: the subject, its
	// manifests, and each referrer once put.
	there map[digest.Digest]bool
	// listed holds the referrers the registry was seen to list.
	listed map[digest.Digest]bool
}

// pushReferrers pushes refs, manifests in src whose subject is desc or
// one of its manifests (or an earlier referrer), after desc itself, and
// makes sure the registry lists each for its subject. It returns how many
// the registry lists; on failure, the error says which are not listed
// (see IncompleteError).
func (c *Client) pushReferrers(ctx context.Context, repo *orasremote.Repository, src *pushSource, target reference.Named, desc ocispec.Descriptor, tags []string, refs []ocispec.Descriptor, ev *events) (int, error) {
	if len(refs) == 0 {
		return 0, nil
	}
	p := &referrerPush{c: c, image: target.Name() + "@" + desc.Digest.String(), tags: tags, given: refs,
		list: repo, src: src, ev: ev, listed: map[digest.Digest]bool{}}
	if err := p.prepare(ctx, target, desc, refs); err != nil {
		return 0, p.incomplete(err)
	}
	if err := p.run(ctx); err != nil {
		return 0, p.incomplete(err)
	}
	return len(p.refs), nil
}

// prepare reads the referrers (once each), learns the registry's route
// and opens the repository the manifests are put through.
func (p *referrerPush) prepare(ctx context.Context, target reference.Named, desc ocispec.Descriptor, refs []ocispec.Descriptor) error {
	var err error
	seen := map[digest.Digest]bool{}
	for _, r := range refs {
		if seen[r.Digest] {
			continue
		}
		seen[r.Digest] = true
		doc, err := readReferrer(ctx, p.src, r)
		if err != nil {
			return err
		}
		p.refs = append(p.refs, doc)
	}
	if p.there, err = manifestsOf(ctx, p.src, desc); err != nil {
		return fmt.Errorf("read %s: %w", blobName(desc), err)
	}
	name := target.Name()
	if p.route, err = probeRoute(ctx, p.list, desc); err != nil {
		return fmt.Errorf("ask %s whether it has the referrers API: %w", name, err)
	}
	put, err := p.c.Repository(ctx, target)
	if err != nil {
		return err
	}
	// A repository's capability is unset when it is made, so this holds.
	_ = put.SetReferrersCapability(true)
	p.dst = &pushTarget{Repository: put, c: p.c, src: p.src, name: name}
	return nil
}

// run puts the referrers, then, subject by subject, records them where
// the registry has no API and checks that it lists them, so that an error
// can say which are listed.
func (p *referrerPush) run(ctx context.Context) error {
	if err := p.putAll(ctx); err != nil {
		return err
	}
	for _, s := range p.subjects() {
		if p.route == routeTagSchema {
			if err := p.record(ctx, s); err != nil {
				return err
			}
		}
		if err := p.check(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// probeRoute asks, with one GET of the referrers API for subject, which
// route repo's registry takes, and sets repo's capability to it, so that
// its listings take that route. A 404 is no API (as oras-go takes it), and
// so is a 400, 405 or 501 from a registry that knows no such path; any
// other failure is an error.
func probeRoute(ctx context.Context, repo *orasremote.Repository, subject ocispec.Descriptor) (route, error) {
	err := repo.Referrers(ctx, subject, "", func([]ocispec.Descriptor) error { return nil })
	var resp *errcode.ErrorResponse
	if err != nil {
		if !errors.As(err, &resp) || !noAPI(resp.StatusCode) {
			return 0, err
		}
		_ = repo.SetReferrersCapability(false)
	}
	// The answer set the capability; setting it again succeeds only if
	// it is the same.
	if repo.SetReferrersCapability(true) == nil {
		return routeAPI, nil
	}
	return routeTagSchema, nil
}

// noAPI reports whether status, answered to the referrers API's path,
// says the registry has no such API.
func noAPI(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	}
	return false
}

// subjects returns the referrers' subjects, once each, in order.
func (p *referrerPush) subjects() []ocispec.Descriptor {
	seen := map[digest.Digest]bool{}
	var out []ocispec.Descriptor
	for _, r := range p.refs {
		if !seen[r.subject.Digest] {
			seen[r.subject.Digest] = true
			out = append(out, r.subject)
		}
	}
	return out
}

// check lists subject's referrers by the registry's route and, for each
// of ours missing there, puts its manifest again (a registry with the API
// lists what it stores) or records it again (the index may have been
// replaced by another push meanwhile). Still missing, it is an error.
func (p *referrerPush) check(ctx context.Context, subject ocispec.Descriptor) error {
	for try := 1; ; try++ {
		missing, err := p.unlisted(ctx, subject)
		if err != nil {
			return fmt.Errorf("list the referrers of %s in %s by %s: %w", ShortDigest(subject.Digest), p.dst.name, p.route, err)
		}
		if len(missing) == 0 {
			return nil
		}
		if try == 2 {
			return fmt.Errorf("%w: %s lists no referrer %s of %s by %s, though it accepted it twice",
				ErrNotListed, p.dst.name, ShortDigest(missing[0].desc.Digest), ShortDigest(subject.Digest), p.route)
		}
		if err := p.repair(ctx, subject, missing); err != nil {
			return err
		}
	}
}

// repair puts missing again: their manifests, by the API, or their
// entries in subject's index.
func (p *referrerPush) repair(ctx context.Context, subject ocispec.Descriptor, missing []referrerDoc) error {
	if p.route == routeTagSchema {
		return p.record(ctx, subject)
	}
	for _, r := range missing {
		if err := p.putManifest(ctx, r); err != nil {
			return fmt.Errorf("push referrer %s of %s to %s again: %w", ShortDigest(r.desc.Digest), ShortDigest(subject.Digest), p.dst.name, err)
		}
	}
	return nil
}

// unlisted returns the referrers of subject the registry does not list,
// and notes those it does.
func (p *referrerPush) unlisted(ctx context.Context, subject ocispec.Descriptor) ([]referrerDoc, error) {
	listed := map[digest.Digest]bool{}
	err := p.c.retryBlob(ctx, "list referrers", subject, func(int) error {
		clear(listed)
		return p.list.Referrers(ctx, subject, "", func(page []ocispec.Descriptor) error {
			for _, d := range page {
				listed[d.Digest] = true
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	var missing []referrerDoc
	for _, r := range p.refs {
		switch {
		case r.subject.Digest != subject.Digest:
		case listed[r.desc.Digest]:
			p.listed[r.desc.Digest] = true
		default:
			missing = append(missing, r)
		}
	}
	return missing, nil
}
