package remote

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// isSecretParam reports whether a query parameter may carry a secret:
// every one but those of the registry API known to be harmless, since
// storage back ends sign redirect URLs with names of their own
// (X-Amz-Signature, X-Goog-Credential, sig, ...).
func isSecretParam(name string) bool {
	switch strings.ToLower(name) {
	case "digest", "mount", "from", "n", "last", "scope", "service":
		return false
	}
	return true
}

// redactQuery encodes q with the values of secret parameters replaced.
func redactQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			if isSecretParam(k) {
				v = "REDACTED"
			}
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// urlPattern finds the URLs in an error or a log line. A compiled Regexp
// is safe for concurrent use: compile it once, not per line.
var urlPattern = regexp.MustCompile(`https?://[^\s"'<>]+`)

// redactURLs replaces secret query values in every URL in s.
func redactURLs(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil || u.RawQuery == "" && u.User == nil {
			return raw
		}
		u.User = nil
		u.RawQuery = redactQuery(u.Query())
		return u.String()
	})
}

// redactedError is an error whose text has its URLs' secrets removed;
// errors.Is and errors.As still see the original.
type redactedError struct {
	err error
	msg string
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// redact returns err with secrets in the URLs of its text removed.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := redactURLs(err.Error())
	if msg == err.Error() {
		return err
	}
	return redactedError{err: err, msg: msg}
}
