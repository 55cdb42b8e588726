package remote

import (
	"net/url"
	"sort"
	"strings"
)

// secretParams are query parameters that may carry secrets.
func isSecretParam(name string) bool {
	switch strings.ToLower(name) {
	case "password", "token", "access_token", "refresh_token", "signature", "x-amz-signature", "sig", "_state":
		return true
	}
	return false
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
