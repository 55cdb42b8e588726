// Package cargo runs cargo to build static Linux executables and reads
// what it built from cargo's own JSON messages.
package cargo

import (
	"fmt"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Libc selects the C library a static executable is linked against.
type Libc string

// The supported C libraries.
const (
	Musl  Libc = "musl"
	Glibc Libc = "glibc"
)

// ParseLibc checks a libc setting's value; its error wraps ErrInvalidLibc.
func ParseLibc(s string) (Libc, error) {
	switch Libc(s) {
	case Musl, Glibc:
		return Libc(s), nil
	}
	return "", fmt.Errorf("libc %q: %w: want musl (the default) or glibc", s, ErrInvalidLibc)
}

type platformTriples struct {
	platform    string
	musl, glibc string
}

// triples lists the supported platforms in the order help text shows them.
func triples() []platformTriples {
	return []platformTriples{
		{"linux/amd64", "x86_64-unknown-linux-musl", "x86_64-unknown-linux-gnu"},
		{"linux/arm64", "aarch64-unknown-linux-musl", "aarch64-unknown-linux-gnu"},
		{"linux/arm/v7", "armv7-unknown-linux-musleabihf", "armv7-unknown-linux-gnueabihf"},
	}
}

// SupportedPlatforms lists the platforms Triple knows, e.g. "linux/arm/v7".
func SupportedPlatforms() []string {
	var out []string
	for _, t := range triples() {
		out = append(out, t.platform)
	}
	return out
}

// Triple returns the Rust target triple that builds for platform with libc.
// platform must already be normalised (see oci.NormalizePlatform).
func Triple(platform ocispec.Platform, libc Libc) (string, error) {
	name := platform.OS + "/" + platform.Architecture
	if platform.Variant != "" {
		name += "/" + platform.Variant
	}
	for _, t := range triples() {
		if t.platform != name {
			continue
		}
		if libc == Glibc {
			return t.glibc, nil
		}
		return t.musl, nil
	}
	return "", fmt.Errorf("%w %q: docker-krust builds for %s", ErrUnsupportedPlatform, name, strings.Join(SupportedPlatforms(), ", "))
}
