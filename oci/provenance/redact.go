package provenance

import (
	"path"
	"strings"
)

// Redacted replaces a value that may be a secret.
const Redacted = "<redacted>"

// localPrefix replaces the directories of an absolute path: what is left,
// the last element, is the same on every machine and names no user.
const localPrefix = "<local>/"

// secretWords are the words that make a cargo --config key, or an inline
// table given to it, hold a secret: registries.NAME.token,
// registry.secret-key, a credential provider's arguments, an auth header.
var secretWords = [...]string{"token", "password", "passwd", "secret", "auth", "credential"}

// redactArgs returns cargo's arguments fit for a document others read:
// the value of each --config that names a secret replaced by Redacted,
// then every argument scrubbed (see scrub).
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config" && i+1 < len(args):
			out[i] = a
			i++
			out[i] = scrub(redactConfig(args[i]))
			continue
		case strings.HasPrefix(a, "--config="):
			a = "--config=" + redactConfig(strings.TrimPrefix(a, "--config="))
		}
		out[i] = scrub(a)
	}
	return out
}

// redactConfig redacts the value of one --config KEY=VALUE when the key
// or the value names a secret. A --config without "=" is a file's path,
// which scrub shortens.
func redactConfig(kv string) string {
	key, _, ok := strings.Cut(kv, "=")
	if !ok || !namesSecret(kv) {
		return kv
	}
	return strings.TrimRight(key, " \t") + `="` + Redacted + `"`
}

func namesSecret(s string) bool {
	s = strings.ToLower(s)
	for _, w := range secretWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// scrub removes from s what must not leave the machine: the user
// information of URLs (user:password@, a token as user name) and the
// directories of absolute paths, which name the user's home or layout and
// differ from machine to machine. It works on the words of s, split where
// a shell, a KEY=VALUE or a TOML value would split them, so a path or URL
// inside a --config value or an oci:DIR:TAG reference is found too.
func scrub(s string) string {
	var b strings.Builder
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSeparator(s[i]) {
			continue
		}
		b.WriteString(scrubWord(s[start:i]))
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

// scrubWord scrubs one word: a URL, user:password@host without a scheme
// (curl's proxy syntax, which cargo's http.proxy takes), or words joined
// by ":" (oci:DIR:TAG, a PATH list), each an absolute path or not.
func scrubWord(w string) string {
	if scheme, rest, ok := strings.Cut(w, "://"); ok && isScheme(scheme) {
		return scrubURL(scheme, rest)
	}
	if at := strings.LastIndexByte(w, '@'); at > 0 && strings.Contains(w[:at], ":") && !strings.Contains(w[:at], "/") {
		w = w[at+1:]
	}
	parts := strings.Split(w, ":")
	for i, p := range parts {
		parts[i] = shortenPath(p)
	}
	return strings.Join(parts, ":")
}

// scrubURL drops a URL's user information; a file URL's path is local, so
// it is shortened too.
func scrubURL(scheme, rest string) string {
	authority, p, hasPath := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:]
	}
	if hasPath {
		p = "/" + p
	}
	if strings.EqualFold(scheme, "file") {
		p = shortenPath(p)
	}
	return scheme + "://" + authority + p
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, "+", "-" or ".".
func isScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// shortenPath replaces an absolute path's directories with localPrefix;
// any other word is returned as it is. A relative path names nothing
// outside the project, and "~" names no user.
func shortenPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	base := path.Base(p)
	if base == "/" {
		base = ""
	}
	return localPrefix + base
}

// scrubRepository returns a source repository's URL fit for the document:
// scp-like git syntax (user@host:path) as the ssh URL it means, then
// scrubbed as any URL, so no user name or token is left in it.
func scrubRepository(repo string) string {
	if !strings.Contains(repo, "://") {
		if at := strings.IndexByte(repo, '@'); at >= 0 {
			if host, p, ok := strings.Cut(repo[at+1:], ":"); ok && !strings.Contains(host, "/") {
				repo = "ssh://" + repo[:at+1] + host + "/" + strings.TrimPrefix(p, "/")
			}
		}
	}
	return scrub(repo)
}
