package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/google/uuid"
	digest "github.com/opencontainers/go-digest"
)

// idBase is the stable URI under which documents are named. Nothing needs
// to be served there: SPDX namespaces and CycloneDX serial numbers need
// only be unique, and deriving them from it and the image keeps them the
// same for the same image.
const idBase = "https://docker-krust.dev/"

// crateRef is the identifier of a crate in both documents (the SPDX ID
// without "SPDXRef-", the CycloneDX bom-ref): its sanitised name and
// version, readable, then a hash of its whole identity (name, version and
// source), so that two crates never share one even when sanitising makes
// their names alike (foo_bar and foo-bar, 1.0.0+a and 1.0.0-a) or a path
// crate has a registry crate's name and version. Source URLs are hashed
// without credentials, and path crates by their workspace-relative path,
// so that it is the same on every machine.
func crateRef(c cargo.Crate, cleanURL string) string {
	identity := strings.Join([]string{
		c.Name, c.Version, string(c.Source.Kind), cleanURL, c.Source.Rev, c.Source.Ref, c.Source.Path,
	}, "\x00")
	sum := sha256.Sum256([]byte(identity))
	return "crate-" + sanitizeID(c.Name) + "-" + sanitizeID(c.Version) + "-" + hex.EncodeToString(sum[:6])
}

// sanitizeID replaces what SPDX IDs may not hold (anything but letters,
// digits, "." and "-") with "-".
func sanitizeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// documentPath is the image's name and digest as a URI path:
// NAME/ALGORITHM-HEX, each segment of the name escaped.
func documentPath(name string, d digest.Digest) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/") + "/" + d.Algorithm().String() + "-" + d.Encoded()
}

// spdxNamespace is the SPDX document's namespace, derived from the image.
func spdxNamespace(name string, d digest.Digest) string {
	return idBase + "spdx/" + documentPath(name, d)
}

// cycloneDXSerial is the CycloneDX serial number: the name-based (SHA-1,
// version 5) UUID of the image's URI, as a URN.
func cycloneDXSerial(name string, d digest.Digest) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(idBase+"cyclonedx/"+documentPath(name, d))).URN()
}
