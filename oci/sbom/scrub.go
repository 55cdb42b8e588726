package sbom

import (
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
)

// ScrubCrate returns c with what its Cargo.toml and cargo say of it made
// fit for a document (package scrub): anyone who publishes a crate writes
// its description, homepage and repository, and a path crate's directory
// or license file may be anywhere on the build machine. Its description
// and git ref lose the user information of their URLs, its homepage and
// repository are kept only as http(s) URLs without credentials, query or
// fragment, and a path that leaves the workspace becomes <local>/NAME.
// The crate's identity (crateRef) is derived from the result, so it is
// the same on every machine.
func ScrubCrate(c cargo.Crate) cargo.Crate {
	c.Description = scrub.Prose(strings.TrimSpace(c.Description))
	c.Homepage, c.Repository = webURL(c.Homepage), webURL(c.Repository)
	c.LicenseFile = scrub.Path(c.LicenseFile)
	c.Source.Path = scrub.Path(c.Source.Path)
	c.Source.Ref = scrub.Value(c.Source.Ref)
	return c
}
