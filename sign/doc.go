// Package sign signs the images krust builds, and the documents about
// them, so that cosign verifies them with the public key alone: no
// certificate authority, no transparency log, no network.
//
// A Key is loaded once, before anything is built: cosign's own encrypted
// key files or an unencrypted PKCS#8 PEM key, ECDSA P-256 or Ed25519
// (LoadKey). With it, Image signs an image digest the way `cosign sign`
// does, and Attestation signs an in-toto statement the way `cosign attest`
// does; both return a Sigstore bundle (v0.3). Verify checks such a bundle
// against a public key before anything is published.
package sign
