package sign

import (
	"encoding/json"
	"fmt"

	digest "github.com/opencontainers/go-digest"
)

// The in-toto statement krust signs, and the predicate types cosign
// names with --type.
const (
	// StatementType is an in-toto Statement v1.
	StatementType = "https://in-toto.io/Statement/v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
	// SignaturePredicate is the predicate of cosign's image signatures
	// (`cosign sign` in its bundle format): an empty predicate about the
	// image digest.
	SignaturePredicate = "https://sigstore.dev/cosign/sign/v1"
	// SLSAPredicate is SLSA provenance v1 (`--type slsaprovenance1`).
	SLSAPredicate = "https://slsa.dev/provenance/v1"
	// SPDXPredicate is an SPDX JSON document (`--type spdxjson`).
	SPDXPredicate = "https://spdx.dev/Document"
	// CycloneDXPredicate is a CycloneDX BOM (`--type cyclonedx`).
	CycloneDXPredicate = "https://cyclonedx.org/bom"
)

// statement is an in-toto Statement v1. Its fields are in a fixed order,
// so that the same statement always encodes to the same bytes.
type statement struct {
	Type          string          `json:"_type"`
	Subject       []subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

type subject struct {
	Name   string            `json:"name,omitempty"`
	Digest map[string]string `json:"digest"`
}

// SignatureStatement is what an image signature signs: the statement
// `cosign sign` makes about the image d, with no name and an empty
// predicate, so that it says nothing of where the image is pushed.
func SignatureStatement(d digest.Digest) ([]byte, error) {
	return Statement("", d, SignaturePredicate, []byte("{}"))
}

// Statement wraps predicate, a JSON document of predicateType, in an
// in-toto statement about the image d, named name ("" for none).
func Statement(name string, d digest.Digest, predicateType string, predicate []byte) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("statement subject: %w", err)
	}
	if !json.Valid(predicate) {
		return nil, fmt.Errorf("statement of %s: the predicate is not JSON", predicateType)
	}
	s := statement{
		Type:          StatementType,
		Subject:       []subject{{Name: name, Digest: map[string]string{d.Algorithm().String(): d.Encoded()}}},
		PredicateType: predicateType,
		Predicate:     predicate,
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode the statement of %s: %w", predicateType, err)
	}
	return data, nil
}

// statementAbout reads the predicate type and the subject digests of an
// in-toto statement.
func statementAbout(payload []byte) (predicateType string, digests []digest.Digest, err error) {
	var s statement
	if err := json.Unmarshal(payload, &s); err != nil {
		return "", nil, fmt.Errorf("%w: the payload is not an in-toto statement: %w", ErrNotVerified, err)
	}
	for _, sub := range s.Subject {
		for alg, hex := range sub.Digest {
			digests = append(digests, digest.NewDigestFromEncoded(digest.Algorithm(alg), hex))
		}
	}
	return s.PredicateType, digests, nil
}
