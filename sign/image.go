package sign

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

// maxBundleSize bounds a bundle read back: an attested SBOM of a thousand
// crates is a few megabytes.
const maxBundleSize = 64 << 20

// Source is where an image and its referrers are read: an oras registry
// repository, or a layout (see layout.Layout.Referrers).
type Source interface {
	content.Fetcher
	// Referrers calls fn with the referrers of desc, a page at a time.
	Referrers(ctx context.Context, desc ocispec.Descriptor, artifactType string, fn func([]ocispec.Descriptor) error) error
	// Resolve finds a tag: a legacy signature's, sha256-HEX.sig. A
	// missing tag is an error wrapping errdef.ErrNotFound.
	Resolve(ctx context.Context, reference string) (ocispec.Descriptor, error)
}

// Checked is what VerifyImage found of one manifest or index.
type Checked struct {
	// Subject is the manifest or index; Platform names a platform's.
	Subject  ocispec.Descriptor
	Platform string
	// Verified counts the bundles that verify, by predicate type
	// (SignaturePredicate for image signatures).
	Verified map[string]int
	// Failed are the bundles that do not verify with the key, and
	// Unverified counts them by the predicate type they claim.
	Failed     []error
	Unverified map[string]int
}

// attestationProblems names each predicate type of attestation attached
// to c of which none verifies: a forged SBOM or provenance beside the
// image's signature.
func (c Checked) attestationProblems() []error {
	var errs []error
	for _, p := range slices.Sorted(maps.Keys(c.Unverified)) {
		if p != SignaturePredicate && c.Verified[p] == 0 {
			errs = append(errs, fmt.Errorf("%w: %s: %d %s attestations attached, none verifies with this key", ErrNotVerified, describe(c), c.Unverified[p], p))
		}
	}
	return errs
}

// Signed reports whether c has an image signature that verifies.
func (c Checked) Signed() bool { return c.Verified[SignaturePredicate] > 0 }

// VerifyImage checks the Sigstore bundles attached to root and, when it is
// an index, to each of its manifests: each must have an image signature
// that v verifies, and every attestation found is checked too. It returns
// what it found of each, root first, and an error wrapping ErrNotVerified
// naming every one that has no valid signature.
func VerifyImage(ctx context.Context, src Source, root ocispec.Descriptor, v *Verifier) ([]Checked, error) {
	subjects, err := oci.WithManifests(ctx, src, root)
	if err != nil {
		return nil, err
	}
	var out []Checked
	var errs []error
	for _, s := range subjects {
		c, err := check(ctx, src, s, v)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		// What was signed is the digest: the content must be what it
		// names, or a consumer would run something nobody signed.
		if _, err := oci.ReadBlob(ctx, src, s, oci.MaxManifestSize); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrNotVerified, describe(c), err))
			continue
		}
		if !c.Signed() {
			errs = append(errs, fmt.Errorf("%w: %s has no signature this key verifies (%s)", ErrNotVerified, describe(c), failures(c)))
		}
		errs = append(errs, c.attestationProblems()...)
	}
	return out, errors.Join(errs...)
}

// check verifies the bundles attached to subject.
func check(ctx context.Context, src Source, subject ocispec.Descriptor, v *Verifier) (Checked, error) {
	c := Checked{Subject: subject, Verified: map[string]int{}, Unverified: map[string]int{}}
	if subject.Platform != nil {
		c.Platform = oci.PlatformString(*subject.Platform)
	}
	var refs []ocispec.Descriptor
	err := src.Referrers(ctx, subject, "", func(page []ocispec.Descriptor) error {
		refs = append(refs, page...)
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("list the referrers of %s: %w", subject.Digest, err)
	}
	for _, r := range refs {
		predicateType, bundle, ok, err := readBundle(ctx, src, r, subject.Digest)
		if err != nil {
			c.Failed = append(c.Failed, err)
			continue
		}
		if !ok {
			continue
		}
		if err := v.Verify(bundle, subject.Digest, predicateType); err != nil {
			c.Failed = append(c.Failed, fmt.Errorf("bundle %s (%s): %w", r.Digest, predicateType, err))
			c.Unverified[predicateType]++
			continue
		}
		c.Verified[predicateType]++
	}
	return c, checkLegacy(ctx, src, &c, v)
}

// checkLegacy verifies the layers of the legacy signature image of
// c.Subject, if there is one.
func checkLegacy(ctx context.Context, src Source, c *Checked, v *Verifier) error {
	tag := SignatureTag(c.Subject.Digest)
	desc, err := src.Resolve(ctx, tag)
	if errors.Is(err, errdef.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resolve %s: %w", tag, err)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, src, desc, oci.MaxManifestSize, &m); err != nil {
		return fmt.Errorf("read %s: %w", tag, err)
	}
	for _, l := range m.Layers {
		if l.MediaType != SimpleSigningMediaType {
			continue
		}
		payload, err := oci.ReadBlob(ctx, src, l, oci.MaxManifestSize)
		if err == nil {
			err = v.VerifyPayload(payload, l.Annotations[AnnotationSignature], c.Subject.Digest)
		}
		if err != nil {
			c.Failed = append(c.Failed, fmt.Errorf("%s layer %s: %w", tag, l.Digest, err))
			c.Unverified[SignaturePredicate]++
			continue
		}
		c.Verified[SignaturePredicate]++
	}
	return nil
}

// readBundle reads the referrer r of subject: when it carries a Sigstore
// bundle, its predicate type (from the annotation cosign writes) and the
// bundle; ok is false for referrers of other kinds.
func readBundle(ctx context.Context, src Source, r ocispec.Descriptor, subject digest.Digest) (string, []byte, bool, error) {
	if !oci.CanHaveSubject(r.MediaType) {
		return "", nil, false, nil
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, src, r, oci.MaxManifestSize, &m); err != nil {
		return "", nil, false, fmt.Errorf("read referrer %s: %w", r.Digest, err)
	}
	if len(m.Layers) != 1 || !strings.HasPrefix(m.Layers[0].MediaType, "application/vnd.dev.sigstore.bundle") ||
		m.Subject == nil || m.Subject.Digest != subject {
		return "", nil, false, nil
	}
	bundle, err := oci.ReadBlob(ctx, src, m.Layers[0], maxBundleSize)
	if err != nil {
		return "", nil, false, fmt.Errorf("read the bundle of referrer %s: %w", r.Digest, err)
	}
	predicateType := m.Annotations[AnnotationPredicateType]
	if predicateType == "" {
		predicateType = SignaturePredicate
	}
	return predicateType, bundle, true, nil
}

// describe names c for messages.
func describe(c Checked) string {
	if c.Platform != "" {
		return fmt.Sprintf("the %s manifest %s", c.Platform, c.Subject.Digest)
	}
	return string(c.Subject.Digest)
}

func failures(c Checked) string {
	if len(c.Failed) == 0 {
		return "no Sigstore bundle is attached to it"
	}
	return fmt.Sprintf("%d Sigstore bundles attached, none an image signature by this key: is it the public half of the key that signed?", len(c.Failed))
}
