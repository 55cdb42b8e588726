package remote

import (
	"errors"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestIncompleteErrorSaysWhatWasPushed(t *testing.T) {
	ref := func(types ...string) []ocispec.Descriptor {
		out := make([]ocispec.Descriptor, len(types))
		for i, typ := range types {
			out[i] = ocispec.Descriptor{ArtifactType: typ}
		}
		return out
	}
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  IncompleteError
		want string
	}{
		{"an SBOM and a provenance", IncompleteError{Reference: "r@d", Tags: []string{"v1"}, Missing: ref(spdxType, provenanceType), Err: cause},
			"pushed r@d (tagged v1); its SBOM and provenance were not: cause"},
		{"one of them", IncompleteError{Reference: "r@d", Missing: ref(provenanceType), Err: cause},
			"pushed r@d; its provenance was not: cause"},
		{"two platforms, one listed", IncompleteError{Reference: "r@d", Tags: []string{"v1", "v2"}, Listed: ref(spdxType, provenanceType), Missing: ref("application/vnd.cyclonedx+json", provenanceType), Err: cause},
			"pushed r@d (tagged v1, v2) and 2 of its 4 referrers; the rest, its SBOM and provenance, were not: cause"},
		{"several of a kind, and one unknown", IncompleteError{Reference: "r@d", Missing: ref(spdxType, spdxType, provenanceType, "application/x"), Err: cause},
			"pushed r@d; its 2 SBOMs, 1 provenance and 1 referrer of type application/x were not: cause"},
		{"tags", IncompleteError{Reference: "r@d", Tags: []string{"v1"}, Untagged: []string{"v2", "v3"}, Err: cause},
			"pushed r@d (tagged v1); tags v2, v3 were not: cause"},
		{"no tag, no referrer", IncompleteError{Reference: "r@d", Untagged: []string{"v1"}, Missing: ref(spdxType), Err: cause},
			"pushed r@d; tag v1 and its SBOM were not: cause"},
		{"several unknown", IncompleteError{Reference: "r@d", Missing: ref("application/x", "application/x"), Err: cause},
			"pushed r@d; its 2 referrers of type application/x were not: cause"},
		{"legacy signatures", IncompleteError{Reference: "r@d", Tags: []string{"v1"}, Unsigned: []string{"sha256-a.sig", "sha256-b.sig"}, Err: cause},
			"pushed r@d (tagged v1); the signatures tagged sha256-a.sig, sha256-b.sig were not: cause"},
		{"a legacy signature", IncompleteError{Reference: "r@d", Unsigned: []string{"sha256-a.sig"}, Err: cause},
			"pushed r@d; the signature tagged sha256-a.sig was not: cause"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !errors.Is(&tt.err, cause) {
				t.Error("the cause is not wrapped")
			}
		})
	}
}

// TestReferrerKindsAreTheDocumentsMediaTypes: the names errors give
// referrers are those of the media types krust's documents have.
func TestReferrerKindsAreTheDocumentsMediaTypes(t *testing.T) {
	for _, mt := range attest.ArtifactTypes() {
		if _, ok := referrerKinds[mt]; !ok {
			t.Errorf("referrerKinds has no name for %s", mt)
		}
	}
}
