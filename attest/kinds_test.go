package attest_test

import (
	"slices"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
)

// The media types, artifact types and file names are what consumers and
// earlier builds read: they must not drift.
func TestKinds(t *testing.T) {
	tests := []struct {
		format       attest.Format
		setting      attest.Setting
		mediaType    string
		artifactType string
		file         string
	}{
		{attest.SPDX, attest.SBOM, "application/spdx+json", "application/spdx+json", "hello.spdx.json"},
		{attest.CycloneDX, attest.SBOM, "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+json", "hello.cdx.json"},
		{attest.SLSA, attest.Provenance, "application/vnd.in-toto+json", "application/vnd.in-toto+json", "hello.provenance.json"},
	}
	if n := len(attest.Kinds()); n != len(tests) {
		t.Errorf("%d kinds, want %d", n, len(tests))
	}
	for _, tt := range tests {
		k, ok := attest.KindOf(tt.format)
		if !ok {
			t.Errorf("KindOf(%s): no kind", tt.format)
			continue
		}
		if k.Format != tt.format || k.Setting != tt.setting || k.MediaType != tt.mediaType || k.ArtifactType != tt.artifactType {
			t.Errorf("KindOf(%s) = %+v", tt.format, k)
		}
		if got := k.FileName("hello"); got != tt.file {
			t.Errorf("%s FileName(hello) = %q, want %q", tt.format, got, tt.file)
		}
	}
}

func TestKindOfNoneAndUnknown(t *testing.T) {
	// The settings' values are lower-case: config refuses SPDX, and so
	// does KindOf.
	for _, f := range []attest.Format{attest.None, "", "SPDX", "xml"} {
		if k, ok := attest.KindOf(f); ok {
			t.Errorf("KindOf(%q) = %+v, want none", f, k)
		}
	}
}

func TestFileNameWithoutBinary(t *testing.T) {
	k, _ := attest.KindOf(attest.SLSA)
	if got := k.FileName(""); got != "provenance.json" {
		t.Errorf("FileName(\"\") = %q, want provenance.json", got)
	}
}

// Each setting's values: its default first, none last.
func TestFormats(t *testing.T) {
	tests := []struct {
		setting attest.Setting
		want    []attest.Format
		deflt   attest.Format
	}{
		{attest.SBOM, []attest.Format{attest.SPDX, attest.CycloneDX, attest.None}, attest.SPDX},
		{attest.Provenance, []attest.Format{attest.SLSA, attest.None}, attest.SLSA},
	}
	for _, tt := range tests {
		if got := attest.Formats(tt.setting); !slices.Equal(got, tt.want) {
			t.Errorf("Formats(%s) = %v, want %v", tt.setting, got, tt.want)
		}
		if got := attest.Default(tt.setting); got != tt.deflt {
			t.Errorf("Default(%s) = %v, want %v", tt.setting, got, tt.deflt)
		}
	}
}

func TestArtifactTypes(t *testing.T) {
	want := []string{"application/spdx+json", "application/vnd.cyclonedx+json", "application/vnd.in-toto+json"}
	if got := attest.ArtifactTypes(); !slices.Equal(got, want) {
		t.Errorf("ArtifactTypes() = %v, want %v", got, want)
	}
}
