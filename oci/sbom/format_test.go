package sbom

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"", SPDX, false},
		{"spdx", SPDX, false},
		{"SPDX", SPDX, false},
		{" cyclonedx ", CycloneDX, false},
		{"CycloneDX", CycloneDX, false},
		{"none", None, false},
		{"cdx", "", true},
		{"spdx-json", "", true},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("ParseFormat(%q) error = %v, want ErrUnknownFormat", tt.in, err)
			}
			for _, choice := range []string{"spdx", "cyclonedx", "none", tt.in} {
				if err != nil && !strings.Contains(err.Error(), choice) {
					t.Errorf("ParseFormat(%q) error %q does not name %q", tt.in, err, choice)
				}
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatMediaTypeAndFileName(t *testing.T) {
	tests := []struct {
		f         Format
		mediaType string
		file      string
	}{
		{SPDX, "application/spdx+json", "hello.spdx.json"},
		{CycloneDX, "application/vnd.cyclonedx+json", "hello.cdx.json"},
		{None, "", ""},
	}
	for _, tt := range tests {
		if got := tt.f.MediaType(); got != tt.mediaType {
			t.Errorf("%s.MediaType() = %q, want %q", tt.f, got, tt.mediaType)
		}
		if got := tt.f.FileName("hello"); got != tt.file {
			t.Errorf("%s.FileName(hello) = %q, want %q", tt.f, got, tt.file)
		}
	}
}
