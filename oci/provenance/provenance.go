package provenance

import (
	// go-digest validates only the algorithms linked in: sha256, sha384
	// and sha512, whatever else the binary links.
	_ "crypto/sha256"
	_ "crypto/sha512"

	"errors"
	"fmt"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
	attestation "github.com/in-toto/attestation/go/v1"
	digest "github.com/opencontainers/go-digest"
)

const (
	// PredicateType is SLSA Provenance v1's.
	PredicateType = "https://slsa.dev/provenance/v1"
	// BuildType names the template of the buildDefinition Encode writes: a
	// cargo build of one binary for one platform, packed as one layer on a
	// base. Its page says what each parameter means; a change of meaning
	// gets a new version and a new page, so documents already written keep
	// theirs.
	BuildType = "https://github.com/docker-krust/docker-krust/blob/main/oci/provenance/buildtype-v1.md"
	// BuilderID is the builder.id when Input.Builder.ID is empty:
	// docker-krust run by whoever runs it, with no platform vouching for
	// the run (SLSA Build L1).
	BuilderID = "https://github.com/docker-krust/docker-krust"
	// builderName is the key of builder.version.
	builderName = "docker-krust"
)

// errInput marks an Input no document can be written from.
var errInput = errors.New("invalid provenance input")

// Input is what a provenance document says about one image: everything
// in it comes from here, so the same Input gives the same bytes.
type Input struct {
	// Subject is the image manifest the document is about.
	Subject Subject
	// Builder is who built it.
	Builder Builder
	// Params are the build's external parameters, as the user gave them.
	Params Params
	// Source is the project's git checkout.
	Source Source
	// Lockfile is the digest of Cargo.lock, or "" when there is none.
	Lockfile digest.Digest
	// Base is the base image's platform manifest, or nil for scratch.
	Base *Base
	// Files is the layer of the files setting, or nil for none.
	Files *Files
	// Toolchain is the Rust toolchain that built the binary.
	Toolchain cargo.Toolchain
	// Created is the time the image's layer and config carry
	// (SOURCE_DATE_EPOCH or the fixed time); the zero value leaves it out.
	// It is not a time the build ran: the document records no wall clock.
	Created time.Time
}

// Subject is the artifact the document is about.
type Subject struct {
	// Name is the image's repository (or the package's name); "" leaves
	// it out.
	Name string
	// Digest is the image manifest's.
	Digest digest.Digest
}

// Builder identifies what built the image.
type Builder struct {
	// ID is builder.id; "" means BuilderID.
	ID string
	// Version is docker-krust's version, builder.version["docker-krust"];
	// "" leaves it out.
	Version string
}

// Params are the parameters of the build that its user chose.
type Params struct {
	// Package and Bin are the cargo package and binary built, Bin the
	// image's entrypoint.
	Package, Bin string
	// Bins are all the binaries built into the image, when several (Bin
	// among them); recorded only then, so that the provenance of an image
	// of one binary stays as it was.
	Bins []string
	// Platform is the image's platform, os/arch[/variant].
	Platform string
	// Target is the Rust target triple.
	Target string
	// Profile is cargo's profile, e.g. "release".
	Profile string
	// Libc is the C library linked statically, "musl" or "glibc".
	Libc string
	// Features are the cargo features asked for; the document lists them
	// sorted and once each, as cargo reads them.
	Features []string
	// CargoArgs are the arguments passed on to cargo, in their order.
	// Only build settings are recorded, without local paths (see the
	// package doc).
	CargoArgs []string
	// Base is the base image as the user named it.
	Base string
}

// Source is the project's version control state.
type Source struct {
	// Repository is the URL of the repository, or "" when unknown.
	Repository string
	// Commit is the full commit ID checked out (40 or 64 hex digits), or
	// "" outside git; the source is then left out.
	Commit string
	// Dirty says the working tree had changes not in Commit.
	Dirty bool
}

// Base is the base image a build started from.
type Base struct {
	// Name is the base image's reference as the user gave it, or an
	// oci:DIR[:TAG] reference to a layout.
	Name string
	// Digest is the digest of the base's manifest for the platform built.
	Digest digest.Digest
}

// Encode returns the provenance of in: an in-toto Statement v1 with a
// SLSA Provenance v1 predicate, checked by the in-toto bindings' own
// validation, in canonical JSON (see canonicalJSON).
func Encode(in Input) ([]byte, error) {
	st, err := statement(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", about(in.Subject), err)
	}
	data, err := canonicalJSON(st)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", about(in.Subject), err)
	}
	return data, nil
}

// about names the document of s in errors.
func about(s Subject) string {
	if s.Digest == "" {
		return "provenance"
	}
	return "provenance of " + s.Digest.String()
}

// statement builds and validates the Statement of in.
func statement(in Input) (*attestation.Statement, error) {
	subject, err := subjectOf(in.Subject)
	if err != nil {
		return nil, err
	}
	prov, err := predicate(in)
	if err != nil {
		return nil, err
	}
	if err := validateProvenance(prov); err != nil {
		return nil, err
	}
	pred, err := toStruct(prov)
	if err != nil {
		return nil, err
	}
	st := &attestation.Statement{
		Type:          attestation.StatementTypeUri,
		Subject:       []*attestation.ResourceDescriptor{subject},
		PredicateType: PredicateType,
		Predicate:     pred,
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("in-toto statement: %w", err)
	}
	return st, nil
}

func subjectOf(s Subject) (*attestation.ResourceDescriptor, error) {
	set, err := digestSet(s.Digest)
	if err != nil {
		return nil, fmt.Errorf("%w: subject (the image manifest's digest): %w", errInput, err)
	}
	return &attestation.ResourceDescriptor{Name: scrub.Value(s.Name), Digest: set}, nil
}

// digestSet returns d as an in-toto digest set: go-digest's algorithm
// names (sha256, sha384, sha512) are in-toto's too.
func digestSet(d digest.Digest) (map[string]string, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("digest %q: %w", d, err)
	}
	return map[string]string{d.Algorithm().String(): d.Encoded()}, nil
}
