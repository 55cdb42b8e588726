package config

import (
	"errors"
	"fmt"
	"slices"

	"github.com/docker-krust/docker-krust/attest"
)

// The rules the two settings' checks and TOML conversions state.
var (
	sbomRule       = errors.New(`want spdx (SPDX 2.3 JSON, the default), cyclonedx (CycloneDX 1.6 JSON) or none`)
	provenanceRule = errors.New(`want slsa (an in-toto statement with SLSA provenance v1, the default) or none`)
)

// checkSupplyChain checks the sbom and provenance values that won the
// merge of layers.
func checkSupplyChain(s Settings, layers []Settings) []error {
	var errs []error
	if s.SBOM != "" && !slices.Contains(attest.Formats(attest.SBOM), attest.Format(s.SBOM)) {
		errs = append(errs, invalid("sbom", whereIs(layers, "sbom"), s.SBOM, sbomRule))
	}
	if s.Provenance != "" && !slices.Contains(attest.Formats(attest.Provenance), attest.Format(s.Provenance)) {
		errs = append(errs, invalid("provenance", whereIs(layers, "provenance"), s.Provenance, provenanceRule))
	}
	return errs
}

// switchValue reads the value of setting from TOML: a string (which
// Settle checks), or a boolean: true for on (the setting's default), false
// for off (attest.None).
func switchValue(v any, setting attest.Setting, rule error) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		if v {
			return string(attest.Default(setting)), nil
		}
		return string(attest.None), nil
	}
	return "", fmt.Errorf("%s is neither a string nor a boolean: %v, or false for none", tomlValue(v), rule)
}
