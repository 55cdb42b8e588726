package builder

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// basePlatforms answers --platform all: the supported platforms the base
// spec names offers (all of them for scratch), in the order docker-krust
// lists them. The platforms the base offers that docker-krust cannot build
// are named in a note to log.
func basePlatforms(ctx context.Context, log io.Writer, puller Puller, spec string) ([]ocispec.Platform, error) {
	var offered []ocispec.Platform
	var err error
	switch dir, tag, isLayout := layout.ParseRef(spec); {
	case spec == Scratch:
	case isLayout:
		offered, err = layoutPlatforms(ctx, dir, tag)
	case checkBaseRef(spec) != nil:
		return nil, checkBaseRef(spec)
	case puller == nil:
		return nil, fmt.Errorf("base image %q: pulling from a registry is not available here", spec)
	default:
		offered, err = puller.BasePlatforms(ctx, spec)
	}
	if err != nil {
		return nil, fmt.Errorf("platforms of base image %s: %w", spec, err)
	}
	var out []ocispec.Platform
	var names []string
	for _, name := range cargo.SupportedPlatforms() {
		p, _ := oci.ParsePlatform(name)
		if spec == Scratch || containsPlatform(offered, p) {
			out = append(out, p)
		}
		names = append(names, name)
	}
	if skipped := unbuildable(offered); len(skipped) > 0 {
		logf(log, "note: platform all: base image %s also offers %s, which docker-krust does not build (it builds %s)\n",
			spec, strings.Join(skipped, ", "), strings.Join(names, ", "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("base image %s offers none of the platforms docker-krust builds (%s)", spec, strings.Join(names, ", "))
	}
	return out, nil
}

// unbuildable names the platforms of offered that no Rust target triple
// builds, once each, in their order.
func unbuildable(offered []ocispec.Platform) []string {
	var out []string
	for _, p := range offered {
		name := oci.PlatformString(p)
		if _, err := cargo.Triple(oci.NormalizePlatform(p), cargo.Glibc); err != nil && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func containsPlatform(list []ocispec.Platform, p ocispec.Platform) bool {
	for _, q := range list {
		if oci.SamePlatform(q, p) {
			return true
		}
	}
	return false
}

// layoutPlatforms lists the platforms of the image tag names in a layout.
func layoutPlatforms(ctx context.Context, dir, tag string) ([]ocispec.Platform, error) {
	src, err := layout.Open(dir)
	if err != nil {
		return nil, err
	}
	desc, err := src.FindImage(ctx, tag)
	if err != nil {
		return nil, err
	}
	return oci.Platforms(ctx, src, desc)
}
