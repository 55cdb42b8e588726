// Package provenance writes the SLSA provenance of an image docker-krust
// built: an in-toto Statement v1 whose subject is the image manifest and
// whose predicate is SLSA Provenance v1 (Encode). The document is built
// with the in-toto attestation framework's own Go bindings and checked by
// their validation, then written in a canonical JSON form, so the same
// Input gives the same bytes on every machine and with every build of
// this program.
//
// Its media type and file name are attest's (attest.SLSA), the one owner
// of the kinds of document krust attaches.
//
// The predicate follows BuildType, whose page (buildtype-v1.md beside
// this file) describes every field. It records no wall clock, no random
// invocation ID and nothing of the machine but the Rust toolchain it used.
//
// What must not leave the machine is removed from every string written,
// by package scrub, the one owner of that rule for every channel:
//   - cargo's arguments are recorded only where they are known build
//     settings (an allow-list of cargo build's options and of cargo config
//     keys: profiles, targets, rustflags, features...); any other value,
//     of env.*, http.*, registries.*, an unknown key or option, becomes
//     "<redacted>" and only its key or option is kept;
//   - URLs are parsed and lose their user information, whatever
//     characters it holds; the source repository (Cargo.toml's
//     repository, scp-like git syntax as the ssh URL it means) loses its
//     query and fragment too, and is left out when it is no URL;
//   - an absolute path, or a relative one that leaves the project, becomes
//     <local>/ followed by its last element (a home directory, <local>
//     alone), and a base in a local layout oci:<local>/NAME[:TAG]: the
//     directories name the user's home and differ between machines.
package provenance
