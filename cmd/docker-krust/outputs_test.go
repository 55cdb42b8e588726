package main

import (
	"slices"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/config"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// documentNames must name the files writeDocuments writes, so that the
// check before cargo covers them.
func TestDocumentNames(t *testing.T) {
	amd64 := ocispec.Platform{OS: "linux", Architecture: "amd64"}
	armv7 := ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	tests := []struct {
		name string
		r    config.Settled
		want []string
	}{
		{"one platform", config.Settled{SBOM: attest.SPDX, Provenance: attest.SLSA, Platforms: []ocispec.Platform{amd64}},
			[]string{"app.spdx.json", "app.provenance.json"}},
		{"cyclonedx alone", config.Settled{SBOM: attest.CycloneDX, Provenance: attest.None, Platforms: []ocispec.Platform{amd64}},
			[]string{"app.cdx.json"}},
		{"provenance alone", config.Settled{SBOM: attest.None, Provenance: attest.SLSA},
			[]string{"app.provenance.json"}},
		{"two platforms", config.Settled{SBOM: attest.SPDX, Provenance: attest.SLSA, Platforms: []ocispec.Platform{amd64, armv7}},
			[]string{"app-linux-amd64.spdx.json", "app-linux-amd64.provenance.json", "app-linux-arm-v7.spdx.json", "app-linux-arm-v7.provenance.json"}},
		{"every platform the base has: not known yet", config.Settled{SBOM: attest.SPDX, Provenance: attest.SLSA, AllPlatforms: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := documentNames("app", tt.r); !slices.Equal(got, tt.want) {
				t.Errorf("documentNames = %q, want %q", got, tt.want)
			}
		})
	}
}
