package remote

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// ErrNotListed reports a registry that accepted a referrer but does not
// list it for its subject, pushed again or not: no consumer would find it.
var ErrNotListed = errors.New("referrer not listed")

// indexWriteError is a failure to write a referrers index (the tag
// schema's sha256-<hex> tag), told apart for its explanation.
type indexWriteError struct{ err error }

func (e *indexWriteError) Error() string { return e.err.Error() }
func (e *indexWriteError) Unwrap() error { return e.err }

// tagError is a failure to set a tag on a pushed image, told apart for
// its explanation.
type tagError struct {
	tag string
	err error
}

func (e *tagError) Error() string { return e.err.Error() }
func (e *tagError) Unwrap() error { return e.err }

// IncompleteError reports a push that stopped after the image's manifest
// was in the registry: the image can be pulled by digest, and what the
// error lists was not done (tags, referrers). Pushing again completes it.
type IncompleteError struct {
	// Reference is the image pushed, REGISTRY/REPO@sha256:...; Tags the
	// tags that name it, Untagged those that were not set.
	Reference string
	Tags      []string
	Untagged  []string
	// Listed are the referrers the registry was seen to list for their
	// subjects; Missing the others, which may be partly there.
	Listed, Missing []ocispec.Descriptor
	// Unsigned are the legacy signature tags (sha256-HEX.sig) not pushed.
	Unsigned []string
	// Err is what stopped the push, with what to do about it.
	Err error
}

func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pushed %s", e.Reference)
	if len(e.Tags) > 0 {
		fmt.Fprintf(&b, " (tagged %s)", strings.Join(e.Tags, ", "))
	}
	var not []string
	switch len(e.Untagged) {
	case 0:
	case 1:
		not = append(not, "tag "+e.Untagged[0])
	default:
		not = append(not, "tags "+strings.Join(e.Untagged, ", "))
	}
	if len(e.Missing) > 0 {
		not = append(not, describeReferrers(e.Missing))
	}
	switch len(e.Unsigned) {
	case 0:
	case 1:
		not = append(not, "the signature tagged "+e.Unsigned[0])
	default:
		not = append(not, "the signatures tagged "+strings.Join(e.Unsigned, ", "))
	}
	what := strings.Join(not, " and ")
	if n := len(e.Listed); n > 0 {
		fmt.Fprintf(&b, " and %d of its %d referrers; the rest, %s,", n, n+len(e.Missing), what)
	} else {
		fmt.Fprintf(&b, "; %s", what)
	}
	fmt.Fprintf(&b, " %s not: %v", wasWere(len(e.Untagged)+len(e.Missing)+len(e.Unsigned)), e.Err)
	return b.String()
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// incomplete turns err, which stopped p, into an IncompleteError that
// says what the registry lists and what to do.
func (p *referrerPush) incomplete(err error) error {
	inc := &IncompleteError{Reference: p.image, Tags: p.tags, Err: explainIncomplete(explainLayout(err, p.src.ReadOnlyStorage), p.list, p.route)}
	if p.dst == nil { // not all could be read, or the registry asked
		inc.Missing = uniqueDigests(p.given)
		return inc
	}
	for _, r := range p.refs {
		if p.listed[r.desc.Digest] {
			inc.Listed = append(inc.Listed, r.entry)
		} else {
			inc.Missing = append(inc.Missing, r.entry)
		}
	}
	return inc
}

// explainIncomplete adds what to do next to err, which stopped a push
// after the registry took the image's manifest: so a refusal there is no
// lack of permission to push, but a rule about tags or referrers. r is
// the referrers' route, 0 before it is known.
func explainIncomplete(err error, repo *orasremote.Repository, r route) error {
	host := repo.Reference.Registry
	var resp *errcode.ErrorResponse
	var tagErr *tagError
	switch {
	case errors.As(err, &resp) && resp.StatusCode == http.StatusForbidden && errors.As(err, &tagErr):
		err = fmt.Errorf("%w\nregistry %s denied tag %s (403 Forbidden) after it took the image's manifest, so the account may push there: "+
			"a rule of the registry forbids this tag (an immutable tag that exists already, a tag pattern); push to another tag, or change the rule for %s",
			err, host, tagErr.tag, repo.Reference.Repository)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusForbidden:
		what, elsewhere := "manifests with a subject (OCI 1.1 artifacts)", "a registry that stores them"
		var idx *indexWriteError
		if errors.As(err, &idx) {
			what, elsewhere = "sha256-<hex> tags, which the referrers tag schema needs (a tag pattern or immutability rule)", "a registry with the referrers API"
		}
		err = fmt.Errorf("%w\nregistry %s denied this (403 Forbidden) after it took the image and its tags, so the account may push there: "+
			"a rule of the registry forbids %s; allow them in %s, or push to %s", err, host, what, repo.Reference.Repository, elsewhere)
	case errors.As(err, &resp) && (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnsupportedMediaType):
		err = refused(err, host, ErrArtifactsRefused, "the registry refused the SBOM or provenance, which are OCI 1.1 artifacts (artifactType, subject): "+
			"push to a registry that stores them, or build without them")
	case errors.Is(err, ErrNotListed):
		err = fmt.Errorf("%w\nregistry %s accepts referrers but does not list them by %s, so no consumer finds them: "+
			"push to a registry that supports OCI 1.1 referrers", err, host, r)
	default:
		return explain(err, repo)
	}
	return redact(err)
}

// referrerKinds names the referrers krust attaches (and signatures), for
// people: singular and plural. attest owns the artifact types of krust's
// documents; a test checks that each has a name here.
var referrerKinds = map[string][2]string{
	"application/spdx+json":                         {"SBOM", "SBOMs"},
	"application/vnd.cyclonedx+json":                {"SBOM", "SBOMs"},
	"application/vnd.in-toto+json":                  {"provenance", "provenance statements"},
	"application/vnd.dev.sigstore.bundle.v0.3+json": {"signature", "signatures"},
	"application/vnd.cncf.notary.signature":         {"signature", "signatures"},
}

// describeReferrers names referrers by kind for a sentence: "its SBOM and
// provenance", "its 2 SBOMs, 2 provenance statements and 1 referrer of
// type application/x".
func describeReferrers(refs []ocispec.Descriptor) string {
	if len(refs) == 0 {
		return "no referrer"
	}
	var order []string
	count := map[string]int{}
	for _, r := range refs {
		name := r.ArtifactType
		if _, ok := referrerKinds[name]; !ok {
			name = "referrer of type " + name
		}
		if count[name] == 0 {
			order = append(order, name)
		}
		count[name]++
	}
	parts := make([]string, len(order))
	for i, name := range order {
		parts[i] = kindPhrase(name, count[name], len(refs) > len(order))
	}
	if len(parts) == 1 {
		return "its " + parts[0]
	}
	return "its " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// kindPhrase is n referrers of kind name; counted says to give the
// number even when it is 1 (another kind has several).
func kindPhrase(name string, n int, counted bool) string {
	forms, known := referrerKinds[name]
	if !known {
		forms = [2]string{name, strings.Replace(name, "referrer ", "referrers ", 1)}
	}
	if n == 1 && !counted {
		return forms[0]
	}
	if n == 1 {
		return "1 " + forms[0]
	}
	return fmt.Sprintf("%d %s", n, forms[1])
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// joinSome joins the errors of errs, at most three of them, and says how
// many more there were: a registry that refuses a thousand referrers
// needs not be quoted a thousand times.
func joinSome(errs []error) error {
	var some []error
	n := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		if n++; n <= 3 {
			some = append(some, err)
		}
	}
	if n > 3 {
		some = append(some, fmt.Errorf("and %d more like these", n-3))
	}
	return errors.Join(some...)
}

// uniqueDigests returns descs without repeated digests, in order.
func uniqueDigests(descs []ocispec.Descriptor) []ocispec.Descriptor {
	seen := map[string]bool{}
	var out []ocispec.Descriptor
	for _, d := range descs {
		if !seen[d.Digest.String()] {
			seen[d.Digest.String()] = true
			out = append(out, d)
		}
	}
	return out
}
