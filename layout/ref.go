package layout

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/docker-krust/docker-krust/imageref"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ParseRef splits an "oci:PATH[:TAG]" reference the way skopeo and podman
// read it (the path ends at the first colon) and makes PATH absolute. ok
// is false when s does not start with "oci:" or names no path.
func ParseRef(s string) (dir, tag string, ok bool) {
	rest, ok := strings.CutPrefix(s, refPrefix)
	if !ok || rest == "" {
		return "", "", false
	}
	dir, tag, _ = strings.Cut(rest, ":")
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir, tag, true
}

// FormatRef is ParseRef's inverse: "oci:DIR:TAG", or "oci:DIR" when tag
// is empty, the reference skopeo and podman take as it is. ParseRef ends
// the path at its first colon, so a dir holding one does not round-trip
// (builds refuse such a layout directory before they start).
func FormatRef(dir, tag string) string {
	if tag == "" {
		return refPrefix + dir
	}
	return refPrefix + dir + ":" + tag
}

// ImageRef names desc, the image FindImage found for tag in the layout in
// dir, so that skopeo, podman and krust reach it again: oci:DIR:TAG with
// the tag asked for, or else the image's own (its ref.name), or oci:DIR
// for an untagged image. It names no digest: an oci: reference cannot
// ("oci:DIR@sha256:..." reads as a directory of that name). The image's
// own name comes from a layout that may be anyone's: one that is neither
// a tag krust writes nor in the spec's grammar (a newline, a terminal
// escape) is not repeated, and the image is named as it was asked for,
// oci:DIR.
func ImageRef(dir, tag string, desc ocispec.Descriptor) string {
	if name := desc.Annotations[ocispec.AnnotationRefName]; tag == "" && sayable(name) {
		tag = name
	}
	return FormatRef(dir, tag)
}

// sayable reports whether a layout's image name can be repeated as it is,
// in a reference or a message: a tag krust writes, or a name in the
// image-spec's grammar for ref.name.
func sayable(name string) bool {
	return imageref.ValidTag(name) == nil || validRefName(name)
}

// shown is name for a message: as it is when sayable, else quoted, so
// that a newline or a terminal escape in a layout reaches no terminal.
func shown(name string) string {
	if sayable(name) {
		return name
	}
	return strconv.Quote(name)
}

// validRefName reports whether name follows the image-spec's grammar for
// org.opencontainers.image.ref.name: components of alphanumerics joined
// by one of -._:@+ or by "--", the components separated by "/".
func validRefName(name string) bool {
	if name == "" {
		return false
	}
	for _, component := range strings.Split(name, "/") {
		if !validRefComponent(component) {
			return false
		}
	}
	return true
}

// validRefComponent: alphanum (separator alphanum)*, where a separator
// is one of -._:@+ or "--".
func validRefComponent(c string) bool {
	alnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
	for i := 0; i < len(c); {
		if !alnum(c[i]) {
			return false // a component, and each part after a separator, starts with one
		}
		for i < len(c) && alnum(c[i]) {
			i++
		}
		if i == len(c) {
			return true
		}
		switch {
		case strings.HasPrefix(c[i:], "--"):
			i += 2
		case strings.IndexByte("-._:@+", c[i]) >= 0:
			i++
		default:
			return false
		}
		if i == len(c) {
			return false // a separator must be followed by alphanumerics
		}
	}
	return false
}

// refPrefix starts a reference to an image in an OCI layout.
const refPrefix = "oci:"

// maxTagsShown is how many tags the error of FindImage lists: a layout of
// 20,000 tags would otherwise give a 200 kB message.
const maxTagsShown = 20

// FindImage resolves tag, or when tag is empty the layout's only image;
// with several images the error lists their tags. Referrers (SBOMs,
// provenance, signatures: untagged entries whose manifest has a subject)
// are not images here, and an image listed under several tags is one
// image.
func (l *Layout) FindImage(ctx context.Context, tag string) (ocispec.Descriptor, error) {
	if tag != "" {
		desc, err := l.Resolve(ctx, tag)
		if err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("no image tagged %q: %w", tag, err)
		}
		return desc, nil
	}
	idx, err := l.Index(ctx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	images, tags, err := l.images(ctx, idx.Manifests)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if len(images) == 1 {
		return images[0], nil
	}
	sort.Strings(tags)
	for i, tag := range tags {
		tags[i] = shown(tag)
	}
	return ocispec.Descriptor{}, fmt.Errorf("%s holds %d images: name one as %s (tags: %s)", l.dir, len(images), FormatRef(l.dir, "TAG"), listSome(tags, maxTagsShown))
}

// images returns the entries that are not referrers (nor legacy
// signatures, sha256-HEX.sig), the last one of each digest, and the tags
// of them all.
func (l *Layout) images(ctx context.Context, entries []ocispec.Descriptor) (out []ocispec.Descriptor, tags []string, err error) {
	docs, err := l.docs()
	if err != nil {
		return nil, nil, err
	}
	defer docs.Close()
	at := map[digest.Digest]int{}
	for _, e := range entries {
		if _, ok, _ := docs.asReferrer(ctx, e, nil); ok {
			continue
		}
		if _, ok := signatureOf(e); ok {
			continue // a legacy signature goes with its image, as a referrer does
		}
		tags = append(tags, e.Annotations[ocispec.AnnotationRefName])
		if i, ok := at[e.Digest]; ok {
			out[i] = e
			continue
		}
		at[e.Digest] = len(out)
		out = append(out, e)
	}
	return out, tags, ctx.Err()
}
