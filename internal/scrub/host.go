package scrub

import "strings"

// plainHost reports whether auth is a host name no user information
// could be mistaken for: letters, digits, "-", "_" and at least one dot
// (or localhost), without a port.
func plainHost(auth string) bool {
	return hostName(auth) && (strings.Contains(auth, ".") || strings.EqualFold(auth, "localhost"))
}

// hostName reports whether s is made of host name characters only.
func hostName(s string) bool {
	return s != "" && hostLen(s) == len(s)
}

// hostLen is the length of the host name characters at the start of s.
func hostLen(s string) int {
	n := 0
	for n < len(s) && isHostChar(s[n]) {
		n++
	}
	return n
}

func isHostChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '-' || c == '_'
}

// hostFollows reports whether s starts with a host ([IPv6], an IPv4
// address or a name, see dnsOrIPv4),
// an optional :PORT, and then the end or a character that cannot
// continue a host: "/", "?", "#", a space, a quote...
func hostFollows(s string) bool {
	n := hostLen(s)
	if strings.HasPrefix(s, "[") {
		n = strings.IndexByte(s, ']') + 1
	} else if !dnsOrIPv4(s[:n]) {
		return false
	}
	if n == 0 {
		return false
	}
	if n < len(s) && s[n] == ':' {
		m := n + 1
		for m < len(s) && isDigit(s[m]) {
			m++
		}
		if m == n+1 {
			return false
		}
		n = m
	}
	return n == len(s) || !isHostChar(s[n]) && s[n] != '@' && s[n] != ':'
}

// dnsOrIPv4 reports whether name can be a host: a name whose last label
// is a number must be an IPv4 address, so that a version (app@1.0.0,
// r@v1.2) is not taken for one.
func dnsOrIPv4(name string) bool {
	labels := strings.Split(name, ".")
	last := labels[len(labels)-1]
	if last == "" || strings.Trim(last, "0123456789") != "" {
		return name != ""
	}
	if len(labels) != 4 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.Trim(l, "0123456789") != "" {
			return false
		}
	}
	return true
}
