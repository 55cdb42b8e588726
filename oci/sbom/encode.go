package sbom

import (
	"fmt"

	"github.com/docker-krust/docker-krust/attest"
)

// Encode writes the SBOM of in in format f, attest.SPDX or
// attest.CycloneDX (whose media types and file names attest gives). The
// same Input gives the same bytes, whatever the order of in.Graph.Crates
// and their Dependencies. It fails for attest.None, any other format, and
// an Input an SBOM cannot be written from (errors.Is ErrInvalidInput),
// e.g. a root missing from the crates.
func Encode(f attest.Format, in Input) ([]byte, error) {
	switch f {
	case attest.SPDX, attest.CycloneDX:
	case attest.None:
		return nil, ErrNoDocument
	default:
		return nil, fmt.Errorf("%w %q: choose %s or %s", ErrUnknownFormat, f, attest.SPDX, attest.CycloneDX)
	}
	m, err := newModel(in)
	if err != nil {
		return nil, err
	}
	if f == attest.SPDX {
		return encodeSPDX(m)
	}
	return encodeCycloneDX(m)
}
