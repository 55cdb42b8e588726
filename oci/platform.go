package oci

import (
	"fmt"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// canonicalArch maps the names other tools use for an architecture to the
// GOARCH-style name the OCI image spec uses.
func canonicalArch(arch string) string {
	switch arch {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "armhf", "armel":
		return "arm"
	}
	return arch
}

// ParsePlatform parses "os/arch[/variant]" into an OCI platform and
// normalises it the way container runtimes compare platforms: arm64/v8 is
// arm64, and arm without a variant is arm/v7.
func ParsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: want OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7", s)
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t,") {
			return ocispec.Platform{}, fmt.Errorf("invalid platform %q: want OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7", s)
		}
	}
	p := ocispec.Platform{OS: strings.ToLower(parts[0]), Architecture: strings.ToLower(parts[1])}
	if len(parts) == 3 {
		p.Variant = strings.ToLower(parts[2])
	}
	return NormalizePlatform(p), nil
}

// NormalizePlatform returns p with architecture aliases resolved and the
// default variants applied, so that equal platforms compare equal.
func NormalizePlatform(p ocispec.Platform) ocispec.Platform {
	if p.Architecture == "armel" && p.Variant == "" {
		p.Variant = "v6" // Debian's armel port is ARMv5/v6, as containerd reads it
	}
	p.Architecture = canonicalArch(p.Architecture)
	switch {
	case p.Architecture == "arm64" && p.Variant == "v8":
		p.Variant = ""
	case p.Architecture == "arm" && p.Variant == "":
		p.Variant = "v7"
	}
	return p
}

// PlatformString formats p as "os/arch[/variant]".
func PlatformString(p ocispec.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// SamePlatform reports whether a and b name the same platform after
// normalisation. OS version and features are not compared.
func SamePlatform(a, b ocispec.Platform) bool {
	a, b = NormalizePlatform(a), NormalizePlatform(b)
	return a.OS == b.OS && a.Architecture == b.Architecture && a.Variant == b.Variant
}
