// Package builder turns a Cargo project into an OCI image in an image
// layout: it asks cargo for a static executable, layers it on a base image
// and tags the result. It does no registry I/O of its own: registry bases
// come through a Puller and the push check through a PushChecker, both of
// which the command implements with remote, and package publish pushes
// the result, under the lease it holds (see Result).
package builder

import (
	"context"
	"crypto"
	"io"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/sign"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Scratch is the --base value for an image with no base layers.
const Scratch = "scratch"

// Builder holds what builds depend on; one Builder serves any number of
// builds, one after the other or at once.
type Builder struct {
	// Cargo builds the executables; *cargo.Cargo implements it.
	Cargo Cargo
	// Puller fetches registry base images; nil means only scratch and
	// layout bases can be used.
	Puller Puller
	// PushCheck, when set, checks before cargo runs that the image can be
	// pushed where its name says; what it finds is reported with the other
	// problems found before building. nil skips it, as for --no-push.
	PushCheck PushChecker
	// Log receives progress messages and warnings; nil discards them.
	Log io.Writer
	// Version is docker-krust's version, which SBOMs and provenance name
	// as their tool; "" means "dev".
	Version string
	// Signer, when set, signs every image and document the builds make
	// (see sign): the caller loads it before anything is built.
	Signer *sign.Key
	// SignFormat is how Signer signs images: sign.BundleFormat ("" too)
	// or sign.LegacyFormat. Documents are signed as bundles either way.
	SignFormat sign.Format

	// layerCompressed, when set, is called each time a layer is
	// compressed rather than taken from the layer cache: tests count it.
	layerCompressed func()
	// checkWith, when set, is the public key the build checks its
	// signatures with instead of Signer's: tests make the signer "bad".
	checkWith crypto.PublicKey
	// bins let concurrent builds take turns at one executable's path.
	bins binLocks
	// revisions are git's answers, one per project directory.
	revisions revisions
}

// Request is what to build: the settings, settled and checked once by
// config.Settle and taken as they are, and what only the build knows:
// the project, the package and where the layout goes.
type Request struct {
	// Settled are the build's and the image's settings. Their zero values
	// are defaults here too: Profile "" is cargo.DefaultProfile,
	// Compression "" is oci.Gzip, SBOM "" is attest.SPDX and Provenance ""
	// attest.SLSA; Libc "" is musl. Platforms with several entries make
	// the image an index of one manifest per platform; AllPlatforms builds
	// for every supported platform the base offers instead. Base is
	// Scratch, "oci:PATH[:TAG]" (an image in a layout), or a registry
	// reference that the Builder's Puller fetches. Tags name the image in
	// the layout (org.opencontainers.image.ref.name): at least one is
	// required. Created stamps the layer's files and the config: callers
	// pass SOURCE_DATE_EPOCH or the Unix epoch. CargoHome is remapped in
	// the executable. Settled.Cargo is the command's to use: the Builder's
	// Cargo runs the builds.
	config.Settled
	// Dir is the project's directory (absolute).
	Dir string
	// Project is what cargo metadata says about the project, and Package
	// the workspace member to build (see cargo.Project.SelectPackage): the
	// caller selects it, once, as it reads the package's settings.
	Project *cargo.Project
	Package cargo.Package
	// LayoutDir is the OCI layout to write; empty means one layout per
	// package and binary under cargo's target directory (see
	// defaultLayoutDir).
	LayoutDir string
	// PrintsLayoutRef says the caller prints the layout's reference, oci:DIR:TAG;
	// a DIR holding ":" is then refused, as no tool could read it back.
	PrintsLayoutRef bool
}

// Cargo is what a build needs from cargo; *cargo.Cargo implements it and
// tests substitute their own.
type Cargo interface {
	CheckTarget(ctx context.Context, dir, triple string) error
	Build(ctx context.Context, req cargo.BuildRequest) ([]cargo.Artifact, error)
	// Graph lists what cargo linked into the binary for a target, and
	// Toolchain which Rust toolchain built it: the SBOM and provenance.
	Graph(ctx context.Context, req cargo.DepsRequest) (*cargo.Graph, error)
	Toolchain(ctx context.Context, dir string) (cargo.Toolchain, error)
}

// Puller brings a base image from a registry into the build's layout; the
// command implements it with remote, so that the pipeline does not depend
// on registry I/O.
type Puller interface {
	// PullBase makes the image ref names for platform present in store and
	// returns the normalised name it was pulled by (which names the base
	// in the image's annotations, and where the push may mount blobs from)
	// and the descriptor of the platform's image manifest, now in store.
	PullBase(ctx context.Context, ref string, platform ocispec.Platform, store *layout.Layout) (reference.Named, ocispec.Descriptor, error)
	// BasePlatforms lists the platforms the image ref offers.
	BasePlatforms(ctx context.Context, ref string) ([]ocispec.Platform, error)
}

// PushChecker checks that image can be pushed where its name says: the
// registry answers and accepts the credentials. *remote.Client implements
// it.
type PushChecker interface {
	CheckPush(ctx context.Context, image reference.Named) error
}

// signFormat names the format images are signed in.
func (b *Builder) signFormat() sign.Format {
	if b.SignFormat == "" {
		return sign.BundleFormat
	}
	return b.SignFormat
}

// version is docker-krust's version as the documents name it.
func (b *Builder) version() string {
	if b.Version == "" {
		return "dev"
	}
	return b.Version
}
