package sbom

import (
	"path"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
	digest "github.com/opencontainers/go-digest"
	packageurl "github.com/package-url/packageurl-go"
)

// cratePurl is a crate's package URL: pkg:cargo/NAME@VERSION for
// crates.io, with a repository_url qualifier for another registry and a
// vcs_url (git+URL@REV) for a git crate. A path crate has none: a cargo
// purl names a package a registry serves, and a scanner would match a
// local crate that shares a crates.io crate's name and version against
// that crate's advisories.
func cratePurl(c cargo.Crate, cleanURL string) string {
	var q packageurl.Qualifiers
	switch {
	case c.Source.IsCratesIO():
	case c.Source.Kind == cargo.SourceRegistry:
		q = packageurl.Qualifiers{{Key: "repository_url", Value: cleanURL}}
	case c.Source.Kind == cargo.SourceGit:
		q = packageurl.Qualifiers{{Key: "vcs_url", Value: gitLocation(cleanURL, c.Source.Rev)}}
	default:
		return ""
	}
	return packageurl.NewPackageURL(packageurl.TypeCargo, "", c.Name, c.Version, q, "").ToString()
}

// ociPurl is an OCI artifact's package URL, as the purl spec's oci type
// has it: the name is the repository's last segment, lowercased; the
// version is the digest; repository, tag and architecture are qualifiers.
func ociPurl(repo, name, tag string, d digest.Digest, arch string) string {
	var q packageurl.Qualifiers
	if arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: arch})
	}
	if repo != "" {
		q = append(q, packageurl.Qualifier{Key: "repository_url", Value: repo})
	}
	if tag != "" {
		q = append(q, packageurl.Qualifier{Key: "tag", Value: tag})
	}
	return packageurl.NewPackageURL(packageurl.TypeOCI, "", strings.ToLower(name), d.String(), q, "").ToString()
}

// imagePurl is the image's purl. A name with a "/" is a repository; one
// without is the package name of an image that has none, and gives no
// repository_url.
func imagePurl(img Image) string {
	repo, tag := splitTag(img.Name)
	name := path.Base(repo)
	if !strings.Contains(repo, "/") {
		repo = ""
	}
	return ociPurl(repo, name, tag, img.Digest, img.Platform.Architecture)
}

// newBase is the base image. A registry base is named as given and its
// purl carries the full repository (docker.io/library/debian for debian);
// a base from a local OCI layout is named oci:<local>/NAME[:TAG] by the
// layout directory's last element (scrub.ImageRef), since its path would
// make the document depend on the machine and name its user.
func newBase(b Base, arch string) imageModel {
	m := imageModel{ref: "base-image", name: b.Name, digest: b.Digest}
	if dir, ok := strings.CutPrefix(b.Name, "oci:"); ok {
		dir, tag := splitTag(dir)
		m.name = scrub.ImageRef(b.Name)
		m.purl = ociPurl("", layoutName(dir), tag, b.Digest, arch)
		m.comment = "The base image, from a local OCI layout (its directory is left out, so that the document does not depend on where the layout was): its manifest's digest is " + b.Digest.String() + "."
		return m
	}
	repo, tag := splitTag(b.Name)
	if named, err := reference.ParseNormalizedNamed(b.Name); err == nil {
		repo = named.Name()
		if t, ok := named.(reference.Tagged); ok {
			tag = t.Tag()
		}
	}
	m.name = scrub.ImageRef(b.Name)
	m.purl = ociPurl(repo, path.Base(repo), tag, b.Digest, arch)
	m.comment = "The base image: its manifest's digest is " + b.Digest.String() + "."
	return m
}

// layoutName is the name a layout base's purl gives it: its directory's
// last element, or "base" when that names a user's home or nothing.
func layoutName(dir string) string {
	name, ok := strings.CutPrefix(scrub.Path(path.Clean("/"+dir)), scrub.LocalPrefix)
	if !ok || name == "" {
		return "base"
	}
	return name
}

// splitTag splits "REPO[:TAG][@DIGEST]" into REPO and TAG; a ":" before the
// last "/" is a registry's port.
func splitTag(ref string) (repo, tag string) {
	repo, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		return repo[:i], repo[i+1:]
	}
	return repo, ""
}
