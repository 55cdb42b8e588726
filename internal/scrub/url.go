package scrub

import (
	"net/url"
	"path"
	"strings"
)

// URL returns raw, a string meant to be one URL (a repository, a
// homepage, a registry's index), without its user information, query and
// fragment, parsed and written again by net/url. A git address in scp
// syntax (USER@HOST:PATH) becomes the ssh:// URL it means, without the
// user; a file URL's path is scrubbed as a local path (see Path). It
// returns "" when raw is no absolute URL: the caller leaves the field out
// rather than write what it cannot vouch for.
func URL(raw string) string {
	s := strings.TrimSpace(raw)
	i, start := nextURL(s)
	if i < 0 || start != 0 {
		ssh, ok := scpURL(s)
		if !ok {
			return ""
		}
		s, i = ssh, len("ssh")
	}
	scheme := strings.ToLower(s[:i])
	u, err := url.Parse(scheme + "://" + Userinfo(s[i+3:]))
	if err != nil {
		return ""
	}
	if scheme == "file" {
		if u.Host == local {
			// Scrubbed already ("file://" + Path's "<local>/NAME" reads
			// as host <local>); keep no more than Path would.
			if name := path.Base(u.Path); name != "." && name != "/" {
				return "file://" + LocalPrefix + name
			}
			return "file://" + local
		}
		return "file://" + Path(u.Path)
	}
	if u.Host == "" {
		return ""
	}
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return u.String()
}

// Userinfo returns rest, what follows "://" in a URL, without the user
// information at its start. The user information ends at the last "@" of
// the authority as RFC 3986 reads it (up to the first "/", "?" or "#").
// Since a password typed as it is may hold those characters too, it also
// ends at a later "@" followed by a host ([IPv6] or a name, then an
// optional :PORT), unless the URL starts with a plain host name (one with
// a dot, or localhost, and no port) and had no user information: then a
// later "@" is part of its path (https://medium.com/@alice,
// https://github.com/o/r@v1). Whatever the characters before that "@"
// are, they go. What is left starts again with a host and is read again
// the same way, so "a:b@c/d@host" loses "a:b@c/d@".
func Userinfo(rest string) string {
	for found := false; ; found = true {
		n := userinfoEnd(rest, found)
		if n == 0 {
			return rest
		}
		rest = rest[n:]
	}
}

// userinfoEnd returns the length of the user information at the start of
// rest, with its "@", or 0. found says user information was cut before:
// the URL holds credentials, so any later "@" before a host may end them.
func userinfoEnd(rest string, found bool) int {
	auth := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth = rest[:i]
	}
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		return i + 1
	}
	if !found && plainHost(auth) {
		return 0
	}
	for i := len(rest) - 1; i > len(auth); i-- {
		if rest[i] == '@' && hostFollows(rest[i+1:]) {
			return i + 1
		}
	}
	return 0
}

// nextURL finds the first "://" in s that follows a URL scheme (a letter,
// then letters, digits, "+", "-" or "."), and returns its index and the
// index where the scheme starts; i is -1 when s holds no URL.
func nextURL(s string) (i, start int) {
	for off := 0; ; {
		j := strings.Index(s[off:], "://")
		if j < 0 {
			return -1, -1
		}
		j += off
		start := j
		for start > 0 && isSchemeChar(s[start-1]) {
			start--
		}
		for start < j && !isLetter(s[start]) {
			start++
		}
		if start < j {
			return j, start
		}
		off = j + 3
	}
}

func isSchemeChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scpURL reads git's scp syntax, USER@HOST:PATH, as the ssh URL it means
// (without the user, which may be a token).
func scpURL(s string) (string, bool) {
	for at := strings.LastIndexByte(s, '@'); at > 0; at = strings.LastIndexByte(s[:at], '@') {
		host, p, ok := strings.Cut(s[at+1:], ":")
		if ok && hostName(host) {
			return "ssh://" + host + "/" + strings.TrimPrefix(p, "/"), true
		}
	}
	return "", false
}

// userinfoIn removes the user information of every URL in s. A URL's
// user information is looked for up to the end of s (a password may hold
// spaces, and even "://"), or with toSpace up to the next white space (in
// prose, where a URL ends at a space).
func userinfoIn(s string, toSpace bool) string {
	var b strings.Builder
	for {
		i, _ := nextURL(s)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+3])
		rest, after := s[i+3:], ""
		if k := strings.IndexAny(rest, " \t\r\n"); toSpace && k >= 0 {
			rest, after = rest[:k], rest[k:]
		}
		// What is left starts with the host: the next URL is after it.
		s = Userinfo(rest) + after
	}
}

// Prose returns free text (a description, a license) with the user
// information of the URLs in it removed. In prose a URL ends at a space,
// unless the whole text is one URL; paths are left alone, since "/usr/bin"
// in a sentence is no path of this machine.
func Prose(s string) string {
	t := strings.TrimSpace(s)
	if i, start := nextURL(t); i >= 0 && start == 0 {
		return userinfoIn(s, false)
	}
	return userinfoIn(s, true)
}
