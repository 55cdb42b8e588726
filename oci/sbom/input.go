package sbom

import (
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Input is what an SBOM describes: one platform's image and the crates
// linked into its binary.
type Input struct {
	// Graph is what cargo links into the binary; its Root must be one of
	// its Crates.
	Graph *cargo.Graph
	// Bin is the binary, at /app/BIN in the image: the image's entrypoint.
	Bin string
	// Bins are all the binaries of the package in the image, each at
	// /app/NAME, Bin among them; nil means Bin alone. All are built from
	// the one package, so link the same crates.
	Bins []string
	// Image is the image the SBOM describes.
	Image Image
	// Base is the base image, or nil for scratch.
	Base *Base
	// Toolchain is the Rust toolchain that built the binary; its Rustc
	// is required.
	Toolchain cargo.Toolchain
	// Created is the document's creation time: SOURCE_DATE_EPOCH or the
	// fixed time the layer uses. It is written in UTC, in whole seconds.
	Created time.Time
	// Tool is the creator tool, "docker-krust VERSION".
	Tool string
}

// Image is the image an SBOM describes.
type Image struct {
	// Name is the repository, e.g. 127.0.0.1:5000/app, or the package
	// name when the image has no name.
	Name string
	// Digest is the digest of the platform's image manifest.
	Digest digest.Digest
	// Platform is the image's platform.
	Platform ocispec.Platform
}

// Base is the image an image was built on.
type Base struct {
	// Name is the base as the user gave it, e.g.
	// "gcr.io/distroless/static:nonroot", or "oci:/abs/dir:tag" for a base
	// from a local OCI layout (which the documents name
	// oci:<local>/dir:tag).
	Name string
	// Digest is the digest of the base's image manifest for the platform.
	Digest digest.Digest
}
