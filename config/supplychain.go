package config

import (
	"errors"
	"fmt"
	"slices"
)

// The SBOM formats a build attaches to each platform's image, and the
// provenance modes: the values of the sbom and provenance settings.
const (
	// SBOMSPDX is an SPDX 2.3 JSON document, the default.
	SBOMSPDX = "spdx"
	// SBOMCycloneDX is a CycloneDX 1.6 JSON document.
	SBOMCycloneDX = "cyclonedx"
	// SBOMNone attaches no SBOM.
	SBOMNone = "none"
	// ProvenanceSLSA is an in-toto Statement v1 with a SLSA provenance v1
	// predicate, the default.
	ProvenanceSLSA = "slsa"
	// ProvenanceNone attaches no provenance.
	ProvenanceNone = "none"
)

// SBOMFormats returns the values the sbom setting takes, the default first.
func SBOMFormats() []string { return []string{SBOMSPDX, SBOMCycloneDX, SBOMNone} }

// ProvenanceModes returns the values the provenance setting takes, the
// default first.
func ProvenanceModes() []string { return []string{ProvenanceSLSA, ProvenanceNone} }

// The rules the two settings' checks and TOML conversions state.
var (
	sbomRule       = errors.New(`want spdx (SPDX 2.3 JSON, the default), cyclonedx (CycloneDX 1.6 JSON) or none`)
	provenanceRule = errors.New(`want slsa (an in-toto statement with SLSA provenance v1, the default) or none`)
)

// checkSupplyChain checks the sbom and provenance values that won the
// merge of layers.
func checkSupplyChain(s Settings, layers []Settings) []error {
	var errs []error
	if s.SBOM != "" && !slices.Contains(SBOMFormats(), s.SBOM) {
		errs = append(errs, invalid("sbom", whereIs(layers, "sbom"), s.SBOM, sbomRule))
	}
	if s.Provenance != "" && !slices.Contains(ProvenanceModes(), s.Provenance) {
		errs = append(errs, invalid("provenance", whereIs(layers, "provenance"), s.Provenance, provenanceRule))
	}
	return errs
}

// switchValue reads an sbom or provenance value from TOML: a string (which
// Settle checks), or a boolean: true for on (the default value), false
// for off ("none").
func switchValue(v any, on, off string, rule error) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		if v {
			return on, nil
		}
		return off, nil
	}
	return "", fmt.Errorf("%s is neither a string nor a boolean: %v, or false for none", tomlValue(v), rule)
}
