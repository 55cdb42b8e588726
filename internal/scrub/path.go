package scrub

import (
	"path"
	"strings"
)

// Path returns p, a path on the build machine, fit to leave it: an
// absolute path, ~NAME/..., or a relative path that leaves its directory
// ("../x", "a/../../x") becomes LocalPrefix and its last element; a home
// directory becomes "<local>". Any other relative path, and "~/...", is
// returned as it is.
func Path(p string) string {
	if isLocal(p) {
		return localName(p)
	}
	return p
}

// isLocal reports whether p names a place outside the directory it is
// relative to: an absolute path, a user's home (~NAME), or a relative
// path that climbs out with "..".
func isLocal(p string) bool {
	if strings.HasPrefix(p, "/") || len(p) > 1 && p[0] == '~' && p[1] != '/' {
		return true
	}
	c := path.Clean(p)
	return c == ".." || strings.HasPrefix(c, "../")
}

// localName is LocalPrefix and the last element of p, or "<local>" when
// that element names a user (a home directory) or nothing (/, ..).
func localName(p string) string {
	c := path.Clean(p)
	dir, name := path.Split(c)
	switch {
	case name == "" || name == "." || name == "..":
		return local
	case strings.HasPrefix(c, "~") && dir == "":
		return local // ~NAME
	case c == "/root":
		return local
	}
	switch path.Base(path.Clean(dir)) {
	case "home", "Users":
		return local // /home/NAME, /Users/NAME, /var/home/NAME
	}
	return LocalPrefix + name
}

// Value returns s, a string of a build setting (a rustflag, a linker, a
// profile's value), with the user information of its URLs removed (up to
// the next URL: a password may hold spaces) and the local paths in it
// scrubbed (see Path): s as a whole when it is one path, else each path in
// it, found between the separators of a command line, a KEY=VALUE or a
// TOML value (space, "=", ",", ";", quotes, brackets), in a list joined by
// ":" (oci:DIR:TAG, a PATH), after an option's letters (-L/usr/lib), or
// in a file:// URL.
func Value(s string) string {
	s = userinfoIn(s, false)
	if isLocal(s) && !strings.ContainsAny(s, "=,;:\"'") {
		return Path(s)
	}
	var b strings.Builder
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSeparator(s[i]) {
			continue
		}
		b.WriteString(pathsInWord(s[start:i]))
		if i < len(s) {
			b.WriteByte(s[i])
		}
		start = i + 1
	}
	return b.String()
}

func isSeparator(c byte) bool {
	return strings.IndexByte(" \t\n\r=,;\"'[](){}", c) >= 0
}

// pathsInWord scrubs the paths of one word of a setting.
func pathsInWord(w string) string {
	if i, start := nextURL(w); i >= 0 {
		if !strings.EqualFold(w[start:i], "file") {
			return w
		}
		rest := w[i+3:]
		if scrubbedFileURL(rest) {
			return w
		}
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return w[:i+3] + rest[:j] + Path(rest[j:])
		}
		return w
	}
	parts := strings.Split(w, ":")
	for i, p := range parts {
		parts[i] = optionPath(p)
	}
	return strings.Join(parts, ":")
}

// optionPath scrubs p, a path or an option glued to one (-L/usr/lib,
// -I../include).
func optionPath(p string) string {
	if isLocal(p) {
		return localName(p)
	}
	n := 0
	if strings.HasPrefix(p, "-") {
		n = 1
		for n < len(p) && (isLetter(p[n]) || p[n] == '-') {
			n++
		}
	}
	if n > 1 && n < len(p) && isLocal(p[n:]) {
		return p[:n] + localName(p[n:])
	}
	return p
}

// scrubbedFileURL reports whether rest, what follows a file URL's "://",
// is what pathsInWord writes: an optional host, then "<local>" and at
// most one name.
func scrubbedFileURL(rest string) bool {
	i := strings.Index(rest, local)
	if i < 0 || strings.IndexByte(rest[:i], '/') >= 0 {
		return false
	}
	tail := rest[i+len(local):]
	return tail == "" || tail[0] == '/' && !strings.Contains(tail[1:], "/")
}
