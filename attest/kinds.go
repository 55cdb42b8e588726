package attest

import (
	"errors"
	"strings"
)

// ErrUnknownFormat is a format that names no kind of document of the
// setting that gives it.
var ErrUnknownFormat = errors.New("unknown document format")

// Format is the value of the sbom or the provenance setting: the format
// of the document to attach, or None.
type Format string

// The formats, and None.
const (
	// SPDX is an SPDX 2.3 JSON SBOM, the sbom setting's default.
	SPDX Format = "spdx"
	// CycloneDX is a CycloneDX 1.6 JSON SBOM.
	CycloneDX Format = "cyclonedx"
	// SLSA is an in-toto Statement v1 with a SLSA provenance v1 predicate,
	// the provenance setting's default.
	SLSA Format = "slsa"
	// None attaches no document of the setting's kind.
	None Format = "none"
)

// Setting is the setting that chooses a document: sbom or provenance.
type Setting string

// The two settings.
const (
	SBOM       Setting = "sbom"
	Provenance Setting = "provenance"
)

// Kind is a kind of document krust attaches to each platform's image.
type Kind struct {
	// Setting is the setting whose value Format chooses this kind.
	Setting Setting
	// Format is the setting's value that asks for this kind.
	Format Format
	// MediaType is the document's media type: the media type of the
	// referrer's one layer.
	MediaType string
	// ArtifactType is the artifactType of the referrer manifest that
	// carries the document.
	ArtifactType string
	// Suffix ends the document's file name, after the binary's name: the
	// referrer layer's title and the file --sbom-dir writes.
	Suffix string
	// PredicateType is the in-toto predicate type of the document signed
	// as an attestation: what cosign verify-attestation --type names.
	PredicateType string
}

// InTotoMediaType is the media type of an in-toto statement: a document
// of this type is signed as it is, not wrapped in another statement.
const InTotoMediaType = "application/vnd.in-toto+json"

// Kinds returns every kind of document, each setting's default first.
func Kinds() []Kind {
	return []Kind{
		{SBOM, SPDX, "application/spdx+json", "application/spdx+json", ".spdx.json", "https://spdx.dev/Document"},
		{SBOM, CycloneDX, "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+json", ".cdx.json", "https://cyclonedx.org/bom"},
		{Provenance, SLSA, InTotoMediaType, InTotoMediaType, ".provenance.json", "https://slsa.dev/provenance/v1"},
	}
}

// KindOf returns the kind of document format f asks for; false for None
// and for a value no kind has.
func KindOf(f Format) (Kind, bool) {
	for _, k := range Kinds() {
		if k.Format == f {
			return k, true
		}
	}
	return Kind{}, false
}

// FileName is the name of the document of kind k for the binary bin:
// BIN.spdx.json; without a binary, the suffix alone (spdx.json).
func (k Kind) FileName(bin string) string {
	if bin == "" {
		return strings.TrimPrefix(k.Suffix, ".")
	}
	return bin + k.Suffix
}

// Formats returns the values setting s takes, its default first and None
// last: what the setting's check accepts and the shell completes.
func Formats(s Setting) []Format {
	var out []Format
	for _, k := range Kinds() {
		if k.Setting == s {
			out = append(out, k.Format)
		}
	}
	return append(out, None)
}

// Default is the value of setting s when no source gives one.
func Default(s Setting) Format { return Formats(s)[0] }

// ArtifactTypes returns the artifact types of every kind: a build replaces
// the referrers of these types an earlier build attached to the same
// image, and leaves others (signatures) alone.
func ArtifactTypes() []string {
	var out []string
	for _, k := range Kinds() {
		out = append(out, k.ArtifactType)
	}
	return out
}
