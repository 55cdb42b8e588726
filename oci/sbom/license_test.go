package sbom

import (
	"testing"

	"github.com/github/go-spdx/v2/spdxexp"
)

func TestParseLicense(t *testing.T) {
	tests := []struct {
		declared, want string // want "" is no SPDX expression
	}{
		{"MIT", "MIT"},
		{"MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"Apache-2.0 OR BSL-1.0", "Apache-2.0 OR BSL-1.0"},
		// The old slash syntax of real crates (cfg-if 1.0.0, quickcheck 1.0.3).
		{"MIT/Apache-2.0", "MIT OR Apache-2.0"},
		{"Unlicense/MIT", "Unlicense OR MIT"},
		{"MIT / Apache-2.0", "MIT OR Apache-2.0"},
		// Lowercase operators and identifiers, which cargo takes.
		{"mit or apache-2.0", "MIT OR Apache-2.0"},
		{"apache-2.0 with LLVM-exception", "Apache-2.0 WITH LLVM-exception"},
		{"(MIT OR Apache-2.0) AND Unicode-3.0", "(MIT OR Apache-2.0) AND Unicode-3.0"},
		{"( MIT OR Apache-2.0 )AND Unicode-3.0", "(MIT OR Apache-2.0) AND Unicode-3.0"},
		{"GPL-2.0+", "GPL-2.0+"},
		// Not SPDX expressions: kept as text.
		{"Proprietary", ""},
		{"MIT AND", ""},
		{"MIT OR OR Apache-2.0", ""},
		// A LicenseRef needs a definition in the document, which Cargo.toml
		// does not give.
		{"LicenseRef-Acme", ""},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		l := parseLicense(tt.declared)
		if l.expression != tt.want {
			t.Errorf("parseLicense(%q).expression = %q, want %q", tt.declared, l.expression, tt.want)
		}
		if l.expression != "" {
			if ok, bad := spdxexp.ValidateLicenses([]string{l.expression}); !ok {
				t.Errorf("parseLicense(%q) = %q, which go-spdx rejects: %v", tt.declared, l.expression, bad)
			}
		}
	}
}
