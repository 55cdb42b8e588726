package cargo

import (
	"net/url"
	"path"
	"strings"
)

// packageID is one of cargo's package IDs, read: the package's name and
// version, and its source as both of cargo's ID formats hold it.
type packageID struct {
	name, version string
	// source is the source without a git commit: "registry+URL",
	// "sparse+URL", "git+URL?REF" or "path+file:///DIR".
	source string
}

// kind is the source's kind: "registry", "sparse", "git" or "path".
func (p packageID) kind() string {
	kind, _, _ := strings.Cut(p.source, "+")
	return kind
}

// parsePackageID reads an ID in either of cargo's formats: since cargo
// 1.77 a package ID spec, "SOURCE#NAME@VERSION" (or "SOURCE#VERSION" when
// the source URL ends in the name); before, "NAME VERSION (SOURCE)", a git
// SOURCE with "#COMMIT".
func parsePackageID(id string) (packageID, bool) {
	if name, rest, ok := strings.Cut(id, " "); ok {
		version, source, ok := strings.Cut(rest, " (")
		source, closed := strings.CutSuffix(source, ")")
		if !ok || !closed || name == "" || version == "" {
			return packageID{}, false
		}
		return packageID{name: name, version: version, source: sourceKey(source)}, true
	}
	i := strings.LastIndexByte(id, '#')
	if i < 0 {
		return packageID{}, false
	}
	source, frag := id[:i], id[i+1:]
	name, version, ok := strings.Cut(frag, "@")
	if !ok {
		name, version = lastSegment(source), frag
	}
	if name == "" || version == "" || !strings.Contains(source, "+") {
		return packageID{}, false
	}
	return packageID{name: name, version: version, source: source}, true
}

// sourceKey is a source string (as Cargo.lock and cargo metadata write
// it) without its git commit, as package IDs since cargo 1.77 hold it.
func sourceKey(source string) string {
	if strings.HasPrefix(source, "git+") {
		source, _, _ = strings.Cut(source, "#")
	}
	return source
}

// lastSegment is the last segment of the path of the URL in source
// ("KIND+URL"), which a package ID spec leaves out when it is the name.
func lastSegment(source string) string {
	_, raw, _ := strings.Cut(source, "+")
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return path.Base(u.Path)
}

// dir is the directory of a path package's ID, "" for another source.
func (p packageID) dir() string {
	raw, ok := strings.CutPrefix(p.source, "path+")
	if !ok {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return u.Path
}
