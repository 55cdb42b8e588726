package cargo

import (
	digest "github.com/opencontainers/go-digest"
)

// Graph is what cargo links into one binary for one target: the crates,
// with the features cargo resolved and where each came from. It is what an
// SBOM of the image lists.
type Graph struct {
	// Root is the ID of the package built.
	Root string
	// Crates are the crates linked into the binary, the root included,
	// sorted by Name, Version and ID: normal dependencies for the target,
	// reached from the root. Dev-dependencies, build-dependencies, proc
	// macros and what only they depend on are not linked, so not here.
	Crates []Crate
	// Lockfile is the workspace's Cargo.lock.
	Lockfile Lockfile
}

// Lockfile identifies a Cargo.lock.
type Lockfile struct {
	// Path is its absolute path.
	Path string
	// Digest is the digest of its bytes.
	Digest digest.Digest
}

// Crate is one package in a Graph.
type Crate struct {
	// ID is cargo's package ID, as the build's messages give it (in the
	// format of the cargo that built; for a path crate through the path
	// the build was given).
	ID string
	// Name and Version are the package's.
	Name, Version string
	// License is the license expression of its Cargo.toml, or "".
	License string
	// LicenseFile is its Cargo.toml's license-file, relative to the
	// crate, or "".
	LicenseFile string
	// Description, Homepage and Repository are its Cargo.toml's.
	Description, Homepage, Repository string
	// Source says where it came from.
	Source Source
	// Checksum is the hex SHA-256 of the .crate file as Cargo.lock
	// records it, or "" when it has none (path and git crates).
	Checksum string
	// Features are the features cargo resolved for it, sorted.
	Features []string
	// Dependencies are the IDs of the crates of the Graph it links
	// directly, sorted.
	Dependencies []string
}

// SourceKind is where a crate came from.
type SourceKind string

// The kinds of source.
const (
	// SourceRegistry is a registry: crates.io or another.
	SourceRegistry SourceKind = "registry"
	// SourceGit is a git repository.
	SourceGit SourceKind = "git"
	// SourcePath is a directory: a workspace member or a path dependency.
	SourcePath SourceKind = "path"
)

// CratesIO is the URL of crates.io's index, as cargo names its source
// (whatever replaces it, e.g. a vendored directory).
const CratesIO = "https://github.com/rust-lang/crates.io-index"

// Source is where a crate came from.
type Source struct {
	Kind SourceKind
	// URL is the registry's index URL (CratesIO for crates.io, without
	// cargo's "sparse+" prefix) or the git repository's URL, without query
	// or fragment; "" for a path.
	URL string
	// Rev is the git commit; Ref is what Cargo.toml asked for
	// ("branch=main", "tag=v1", "rev=abc"), or "".
	Rev, Ref string
	// Path is a path crate's directory relative to the workspace root,
	// slash-separated ("." for the root; it may start with ".."), so that
	// it is the same on every machine.
	Path string
}

// IsCratesIO reports whether the crate came from crates.io.
func (s Source) IsCratesIO() bool {
	return s.Kind == SourceRegistry && s.URL == CratesIO
}

// Toolchain is the Rust toolchain that builds a project.
type Toolchain struct {
	// Rustc and Cargo are what `rustc --version` and `cargo --version`
	// print, e.g. "rustc 1.95.0 (59807616e 2026-04-14)".
	Rustc, Cargo string
	// Host is rustc's host triple.
	Host string
}
