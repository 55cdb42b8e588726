package sbom

import (
	"fmt"
	"strings"
)

// Format is the format of an SBOM document, as --sbom and the sbom key of
// [package.metadata.krust] name it.
type Format string

// The formats.
const (
	// SPDX is SPDX 2.3 JSON, the default.
	SPDX Format = "spdx"
	// CycloneDX is CycloneDX 1.6 JSON.
	CycloneDX Format = "cyclonedx"
	// None writes no SBOM.
	None Format = "none"
)

// ParseFormat parses a format name, case-insensitively; "" is SPDX.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "":
		return SPDX, nil
	case SPDX, CycloneDX, None:
		return f, nil
	}
	return "", fmt.Errorf("%w %q: choose %s, %s or %s", ErrUnknownFormat, s, SPDX, CycloneDX, None)
}

// MediaType is the document's media type, also the artifactType of the
// referrer that carries it; "" for None.
func (f Format) MediaType() string {
	switch f {
	case SPDX:
		return "application/spdx+json"
	case CycloneDX:
		return "application/vnd.cyclonedx+json"
	}
	return ""
}

// FileName is the document's file name for the binary bin: the title of the
// referrer's layer and the name of the file --sbom-dir writes; "" for None.
func (f Format) FileName(bin string) string {
	switch f {
	case SPDX:
		return bin + ".spdx.json"
	case CycloneDX:
		return bin + ".cdx.json"
	}
	return ""
}
