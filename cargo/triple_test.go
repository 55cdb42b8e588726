package cargo

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestTriple(t *testing.T) {
	tests := []struct {
		platform string
		libc     Libc
		want     string
	}{
		{"linux/amd64", Musl, "x86_64-unknown-linux-musl"},
		{"linux/arm64", Musl, "aarch64-unknown-linux-musl"},
		{"linux/arm/v7", Musl, "armv7-unknown-linux-musleabihf"},
		{"linux/amd64", Glibc, "x86_64-unknown-linux-gnu"},
		{"linux/arm64", Glibc, "aarch64-unknown-linux-gnu"},
		{"linux/arm/v7", Glibc, "armv7-unknown-linux-gnueabihf"},
		// Aliases and defaults, once normalised, reach the same triples.
		{"linux/x86_64", Musl, "x86_64-unknown-linux-musl"},
		{"linux/aarch64", Glibc, "aarch64-unknown-linux-gnu"},
		{"linux/arm64/v8", Musl, "aarch64-unknown-linux-musl"},
		{"linux/arm", Musl, "armv7-unknown-linux-musleabihf"},
	}
	for _, tc := range tests {
		t.Run(tc.platform+"/"+string(tc.libc), func(t *testing.T) {
			p, err := oci.ParsePlatform(tc.platform)
			if err != nil {
				t.Fatalf("ParsePlatform(%q): %v", tc.platform, err)
			}
			got, err := Triple(p, tc.libc)
			if err != nil {
				t.Fatalf("Triple(%q, %s): %v", tc.platform, tc.libc, err)
			}
			if got != tc.want {
				t.Errorf("Triple(%q, %s) = %q, want %q", tc.platform, tc.libc, got, tc.want)
			}
		})
	}
}

func TestTripleUnsupported(t *testing.T) {
	tests := []struct {
		name     string
		platform ocispec.Platform
	}{
		{"s390x", ocispec.Platform{OS: "linux", Architecture: "s390x"}},
		{"windows", ocispec.Platform{OS: "windows", Architecture: "amd64"}},
		{"darwin", ocispec.Platform{OS: "darwin", Architecture: "arm64"}},
		{"arm v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}},
		{"amd64 v3", ocispec.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}},
		{"empty", ocispec.Platform{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, libc := range []Libc{Musl, Glibc} {
				got, err := Triple(tc.platform, libc)
				if err == nil {
					t.Fatalf("Triple(%+v, %s) = %q, want an error", tc.platform, libc, got)
				}
				if !errors.Is(err, ErrUnsupportedPlatform) {
					t.Errorf("error %q does not wrap ErrUnsupportedPlatform", err)
				}
				msg := err.Error()
				if !strings.Contains(msg, "unsupported platform") || !strings.Contains(msg, oci.PlatformString(tc.platform)) {
					t.Errorf("error %q does not name the unsupported platform", msg)
				}
				for _, p := range []string{"linux/amd64", "linux/arm64", "linux/arm/v7"} {
					if !strings.Contains(msg, p) {
						t.Errorf("error %q does not list %s", msg, p)
					}
				}
			}
		})
	}
}

func TestSupportedPlatforms(t *testing.T) {
	want := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}
	got := SupportedPlatforms()
	if !slices.Equal(got, want) {
		t.Fatalf("SupportedPlatforms() = %q, want %q", got, want)
	}
	tests := []struct {
		name string
		libc Libc
	}{
		{"musl", Musl},
		{"glibc", Glibc},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Every listed platform must parse to itself and have a triple.
			seen := map[string]bool{}
			for _, s := range got {
				p, err := oci.ParsePlatform(s)
				if err != nil {
					t.Fatalf("ParsePlatform(%q): %v", s, err)
				}
				if oci.PlatformString(p) != s {
					t.Errorf("%q is not in normal form: parses to %q", s, oci.PlatformString(p))
				}
				triple, err := Triple(p, tc.libc)
				if err != nil {
					t.Fatalf("Triple(%q, %s): %v", s, tc.libc, err)
				}
				if seen[triple] {
					t.Errorf("triple %q used twice", triple)
				}
				seen[triple] = true
			}
		})
	}
}

func TestParseLibc(t *testing.T) {
	tests := []struct {
		in      string
		want    Libc
		wantErr bool
	}{
		{"musl", Musl, false},
		{"glibc", Glibc, false},
		{"", "", true},
		{"gnu", "", true},
		{"MUSL", "", true},
		{"musl ", "", true},
		{"uclibc", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLibc(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseLibc(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseLibc(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidLibc) || strings.Contains(err.Error(), "--libc") {
					t.Errorf("error %q: want ErrInvalidLibc, naming no flag", err)
				}
				for _, s := range []string{"libc " + strconv.Quote(tc.in), "musl", "glibc"} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
			}
		})
	}
}
