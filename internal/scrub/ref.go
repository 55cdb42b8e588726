package scrub

import "strings"

// layoutPrefix starts a reference to an image in an OCI layout
// (oci:DIR[:TAG]), as skopeo, podman and krust read one.
const layoutPrefix = "oci:"

// ImageRef returns an image reference fit for a document: a layout's
// directory, relative or absolute, becomes LocalPrefix and its last
// element (oci:<local>/NAME[:TAG]), so that the document is the same
// wherever the layout was and whoever ran the build; a registry
// reference is scrubbed as any setting (see Value), which leaves a valid
// one as it is.
func ImageRef(ref string) string {
	rest, ok := strings.CutPrefix(ref, layoutPrefix)
	if !ok {
		return Value(ref)
	}
	// The path ends at the first colon, as skopeo and krust read it.
	dir, tag, hasTag := strings.Cut(rest, ":")
	out := layoutPrefix + localName(dir)
	if hasTag {
		out += ":" + Value(tag)
	}
	return out
}

// Reference returns s, an image reference or URL as a user typed it (for
// an error that quotes --repo or --base), without user information: a
// URL's (see Userinfo), or, without a scheme, everything up to the last
// "@" followed by a host (USER:PASSWORD@HOST/..., curl's proxy syntax). A
// digest (NAME@sha256:HEX) is no host and is kept.
func Reference(s string) string {
	if i, start := nextURL(s); i >= 0 && start == 0 {
		return userinfoIn(s, false)
	}
	for i := len(s) - 1; i > 0; i-- {
		if s[i] == '@' && hostFollows(s[i+1:]) {
			return userinfoIn(s[i+1:], false)
		}
	}
	return userinfoIn(s, false)
}
