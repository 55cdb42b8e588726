package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
)

// BundleMediaType is the media type of a Sigstore bundle v0.3: the
// artifactType of the referrer that carries one, and its layer's.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// The annotations cosign reads on a bundle's referrer manifest.
const (
	// AnnotationContent says what the bundle holds: a DSSE envelope.
	AnnotationContent = "dev.sigstore.bundle.content"
	// AnnotationPredicateType is the predicate type of the statement it
	// signs; cosign's load and verify-attestation read it.
	AnnotationPredicateType = "dev.sigstore.bundle.predicateType"
	// ContentDSSE is AnnotationContent's value for a DSSE envelope.
	ContentDSSE = "dsse-envelope"
)

// Bundle is a statement signed in a DSSE envelope, as a Sigstore bundle.
type Bundle struct {
	// JSON is the bundle, compact.
	JSON []byte
	// PredicateType is the signed statement's.
	PredicateType string
}

// Sign signs the in-toto statement stmt (see Statement) with k, in a DSSE
// envelope inside a Sigstore bundle that carries the hint of k's public
// key and nothing else: no certificate, no log entry, no timestamp.
func (k *Key) Sign(ctx context.Context, stmt []byte) (Bundle, error) {
	predicateType, _, err := statementAbout(stmt)
	if err != nil {
		return Bundle{}, err
	}
	content := &sgsign.DSSEData{Data: stmt, PayloadType: PayloadType}
	pb, err := sgsign.Bundle(content, keypair{k}, sgsign.BundleOptions{Context: ctx})
	if err != nil {
		return Bundle{}, fmt.Errorf("sign the %s statement: %w", predicateType, err)
	}
	data, err := protojson.Marshal(pb)
	if err != nil {
		return Bundle{}, fmt.Errorf("encode the bundle: %w", err)
	}
	// protojson's spacing varies from run to run on purpose; compact JSON
	// does not.
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return Bundle{}, fmt.Errorf("encode the bundle: %w", err)
	}
	return Bundle{JSON: compact.Bytes(), PredicateType: predicateType}, nil
}
