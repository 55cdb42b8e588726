// Package attest owns the vocabulary of the documents krust attaches to
// an image as OCI 1.1 referrers: their kinds (an SPDX or a CycloneDX SBOM,
// SLSA provenance), the setting that chooses each, its format name, the
// document's media type and the referrer's artifact type, and the suffix
// of its file name. Everything else that speaks of these documents (the
// settings, the encoders in oci/sbom and oci/provenance, the builder, the
// command's --sbom-dir) asks this package rather than spelling them out.
//
// It imports nothing of krust's, so that every package may use it.
package attest
