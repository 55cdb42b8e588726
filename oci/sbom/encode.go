package sbom

import "fmt"

// Encode writes the SBOM of in in format f. The same Input gives the same
// bytes, whatever the order of in.Graph.Crates and their Dependencies. It
// fails for None, an unknown format, and an Input an SBOM cannot be
// written from (errors.Is ErrInvalidInput), e.g. a root missing from the
// crates.
func Encode(f Format, in Input) ([]byte, error) {
	switch f {
	case SPDX, CycloneDX:
	case None:
		return nil, ErrNoDocument
	default:
		return nil, fmt.Errorf("%w %q: choose %s or %s", ErrUnknownFormat, f, SPDX, CycloneDX)
	}
	m, err := newModel(in)
	if err != nil {
		return nil, err
	}
	if f == SPDX {
		return encodeSPDX(m)
	}
	return encodeCycloneDX(m)
}
