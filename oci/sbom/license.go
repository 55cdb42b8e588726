package sbom

import (
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
)

// license is a crate's license as its Cargo.toml declares it, and as an
// SPDX expression when it is one.
type license struct {
	// declared is Cargo.toml's license, "" when it has none.
	declared string
	// expression is declared as a valid SPDX expression, normalised, or
	// "" when it is not one.
	expression string
}

// parseLicense reads a Cargo.toml license. Cargo takes "/" for OR (the
// old syntax many published crates still use, e.g. "MIT/Apache-2.0") and
// lowercase operators; both are rewritten before go-spdx checks the
// expression against the SPDX license list and normalises the case of its
// identifiers. LicenseRef- and DocumentRef- references are not taken: an
// SPDX document must define each LicenseRef it uses, and a Cargo.toml
// only names one. What is not a valid expression then is kept as
// declared, for the documents to state as text.
func parseLicense(declared string) license {
	l := license{declared: strings.TrimSpace(declared)}
	if l.declared == "" {
		return l
	}
	norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions(
		[]string{rewriteCargoLicense(l.declared)},
		spdxexp.ValidateLicensesOptions{FailAllLicenseRefs: true, FailAllDocumentRefs: true})
	if len(invalid) == 0 && len(norm) == 1 {
		l.expression = norm[0]
	}
	return l
}

// rewriteCargoLicense turns cargo's lax license syntax into SPDX's: "/"
// into OR, operators into upper case, single spaces between tokens.
func rewriteCargoLicense(s string) string {
	s = strings.ReplaceAll(s, "/", " OR ")
	s = strings.ReplaceAll(s, "(", " ( ")
	s = strings.ReplaceAll(s, ")", " ) ")
	tokens := strings.Fields(s)
	for i, t := range tokens {
		switch u := strings.ToUpper(t); u {
		case "AND", "OR", "WITH":
			tokens[i] = u
		}
	}
	s = strings.Join(tokens, " ")
	s = strings.ReplaceAll(s, "( ", "(")
	return strings.ReplaceAll(s, " )", ")")
}
