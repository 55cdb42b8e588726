// Package sbom writes the software bill of materials of an image built by
// docker-krust: the crates cargo links into its binary for one platform, the
// root package, their dependencies, the base image and the Rust toolchain,
// as an SPDX 2.3 or a CycloneDX 1.6 JSON document (Encode), whose media
// types and file names are attest's (attest.SPDX, attest.CycloneDX).
//
// The documents are built with the field's own libraries (spdx/tools-golang
// and CycloneDX/cyclonedx-go), package URLs with packageurl-go and license
// expressions are checked with go-spdx. The same Input always gives the same
// bytes: the creation time is the one given, the SPDX namespace and the
// CycloneDX serial number are derived from the image's digest, identifiers
// from each crate's name, version and source, and every list is sorted.
// Nothing here reads the clock, the environment or the file system.
package sbom
