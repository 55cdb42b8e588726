// Package provenance writes the SLSA provenance of an image docker-krust
// built: an in-toto Statement v1 whose subject is the image manifest and
// whose predicate is SLSA Provenance v1 (Encode). The document is built
// with the in-toto attestation framework's own Go bindings and checked by
// their validation, then written in a canonical JSON form, so the same
// Input gives the same bytes on every machine and with every build of
// this program.
//
// The predicate follows BuildType, whose page (buildtype-v1.md beside
// this file) describes every field. It records no wall clock, no random
// invocation ID and nothing of the machine but the Rust toolchain it used.
//
// What must not leave the machine is removed from every string written:
//   - the value of a cargo --config KEY=VALUE whose key or value names a
//     secret (token, password, passwd, secret, auth, credential, in any
//     case) becomes KEY="<redacted>";
//   - the user information of a URL (https://user:token@host/...), and of
//     curl's user:password@host[:port] without a scheme, is dropped;
//   - an absolute path, alone, after "=", inside a TOML value, in an
//     oci:DIR:TAG reference or a file:// URL, becomes <local>/ followed by
//     its last element: the directories name the user's home and differ
//     between machines. Relative paths and ~ are kept.
//
// A source repository in scp-like git syntax (git@host:org/repo) is
// written as the ssh URL it means, without the user.
package provenance
