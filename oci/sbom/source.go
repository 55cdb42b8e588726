package sbom

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
)

// cleanURL is a source URL without credentials, query or fragment: a
// registry or git URL may carry a token, and none may reach a document.
func cleanURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // without the URL, which may hold credentials
	}
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", redact(raw), err)
	}
	if u.Scheme == "" || u.Host == "" && u.Scheme != "file" {
		return "", fmt.Errorf("%q is not an absolute URL", redact(raw))
	}
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return u.String(), nil
}

// userinfo is the user and password of a URL in a string.
var userinfo = regexp.MustCompile(`://[^/?#@\s]*@`)

// redact cuts what may be credentials (a URL's user and password) out of a
// URL or a package ID that holds one, for an error message.
func redact(s string) string {
	return userinfo.ReplaceAllString(s, "://REDACTED@")
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

// webURL is u when it is an http(s) URL, with no credentials; else "".
// Cargo.toml's homepage and repository are free text.
func webURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	p.User = nil
	return p.String()
}
