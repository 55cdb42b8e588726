package sbom

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
)

// cleanURL is a source URL without credentials, query or fragment: a
// registry or git URL may carry a token, and none may reach a document.
// scrub.URL parses it whatever the password holds; a file URL (a local
// registry) keeps only its last element.
func cleanURL(raw string) (string, error) {
	u := scrub.URL(raw)
	if u == "" {
		return "", fmt.Errorf("%q is not an absolute URL", scrub.Prose(raw))
	}
	return u, nil
}

// downloadLocation is SPDX's downloadLocation of a crate: the .crate file
// on crates.io (the file Cargo.lock's checksum is of); the git repository
// and commit in SPDX's VCS form; NOASSERTION for another registry, whose
// download URL only its index's config knows, and for a path crate, which
// is not downloaded from anywhere cargo knows.
func downloadLocation(c cargo.Crate, cleanURL string) string {
	switch {
	case c.Source.IsCratesIO():
		return crateDownloadURL(c)
	case c.Source.Kind == cargo.SourceGit:
		return gitLocation(cleanURL, c.Source.Rev)
	}
	return noAssertion
}

// crateDownloadURL is crates.io's download URL for a crate.
func crateDownloadURL(c cargo.Crate) string {
	return "https://crates.io/api/v1/crates/" + url.PathEscape(c.Name) + "/" + url.PathEscape(c.Version) + "/download"
}

// gitLocation is a git URL and commit as SPDX's and purl's vcs_url write
// it: git+URL@REV.
func gitLocation(cleanURL, rev string) string {
	loc := cleanURL
	if !strings.HasPrefix(loc, "git+") {
		loc = "git+" + loc
	}
	if rev != "" {
		loc += "@" + rev
	}
	return loc
}

// sourceInfo says in a sentence where cargo took a crate from.
func sourceInfo(c crateModel) string {
	var s string
	switch c.Source.Kind {
	case cargo.SourceRegistry:
		s = "cargo registry " + c.url
		if c.Source.IsCratesIO() {
			s = "crates.io (cargo registry " + c.url + ")"
		}
	case cargo.SourceGit:
		s = "git repository " + c.url
		if c.Source.Rev != "" {
			s += ", commit " + c.Source.Rev
		}
		if c.Source.Ref != "" {
			s += " (" + c.Source.Ref + ")"
		}
	case cargo.SourcePath:
		s = "path " + c.Source.Path + ", relative to the workspace root"
	}
	return "From " + s + "."
}

// webURL is u when it is an http(s) URL, with no credentials, query or
// fragment; else "". Cargo.toml's homepage and repository are free text
// that anyone publishing a crate writes.
func webURL(u string) string {
	clean := scrub.URL(u)
	if !strings.HasPrefix(clean, "https://") && !strings.HasPrefix(clean, "http://") {
		return ""
	}
	return clean
}
