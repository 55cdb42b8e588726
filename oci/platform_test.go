package oci

import (
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		want       ocispec.Platform
		regression string // the bug this case once caught
	}{
		{"amd64", "linux/amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, ""},
		{"arm64", "linux/arm64", ocispec.Platform{OS: "linux", Architecture: "arm64"}, ""},
		{"arm64 v8 drops variant", "linux/arm64/v8", ocispec.Platform{OS: "linux", Architecture: "arm64"}, ""},
		{"arm defaults to v7", "linux/arm", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, ""},
		{"arm v7", "linux/arm/v7", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, ""},
		{"arm v6 kept", "linux/arm/v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, ""},
		{"x86_64 alias", "linux/x86_64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, ""},
		{"x86-64 alias", "linux/x86-64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, ""},
		{"aarch64 alias", "linux/aarch64", ocispec.Platform{OS: "linux", Architecture: "arm64"}, ""},
		{"aarch64 v8 alias", "linux/aarch64/v8", ocispec.Platform{OS: "linux", Architecture: "arm64"}, ""},
		{"armhf alias", "linux/armhf", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, ""},
		{
			"armel alias is armv6 as in containerd", "linux/armel",
			ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"},
			"armel (Debian's ARMv5/v6 soft-float port) is normalised to arm/v7 (oci/platform.go:18 canonicalArch, then NormalizePlatform adds v7); containerd's platforms package maps it to arm/v6",
		},
		{"upper case lowered", "Linux/AMD64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, ""},
		{"surrounding space trimmed", "  linux/arm64\n", ocispec.Platform{OS: "linux", Architecture: "arm64"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePlatform(tc.in)
			if err != nil {
				t.Fatalf("ParsePlatform(%q): %v", tc.in, err)
			}
			if got.OS != tc.want.OS || got.Architecture != tc.want.Architecture || got.Variant != tc.want.Variant ||
				got.OSVersion != "" || len(got.OSFeatures) != 0 {
				t.Fatalf("ParsePlatform(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParsePlatformInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"os only", "linux"},
		{"empty arch", "linux/"},
		{"empty os", "/amd64"},
		{"empty variant", "linux/arm/"},
		{"double slash", "linux//amd64"},
		{"four parts", "a/b/c/d"},
		{"list", "linux/amd64,linux/arm64"},
		{"inner space", "linux/amd 64"},
		{"space after slash", "linux/ amd64"},
		{"tab", "linux\t/amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePlatform(tc.in)
			if err == nil {
				t.Fatalf("ParsePlatform(%q) = %+v, want an error", tc.in, got)
			}
			if !strings.Contains(err.Error(), "OS/ARCH") {
				t.Errorf("error %q does not mention OS/ARCH", err)
			}
			if !strings.Contains(err.Error(), "linux/amd64") {
				t.Errorf("error %q gives no example", err)
			}
			if got.OS != "" || got.Architecture != "" || got.Variant != "" {
				t.Errorf("ParsePlatform(%q) returned %+v with its error, want the zero value", tc.in, got)
			}
		})
	}
}

func TestPlatformStringRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"amd64", "linux/amd64", "linux/amd64"},
		{"arm64", "linux/arm64", "linux/arm64"},
		{"arm64 v8", "linux/arm64/v8", "linux/arm64"},
		{"arm", "linux/arm", "linux/arm/v7"},
		{"arm v7", "linux/arm/v7", "linux/arm/v7"},
		{"arm v6", "linux/arm/v6", "linux/arm/v6"},
		{"alias", "linux/x86_64", "linux/amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePlatform(tc.in)
			if err != nil {
				t.Fatalf("ParsePlatform(%q): %v", tc.in, err)
			}
			s := PlatformString(p)
			if s != tc.want {
				t.Fatalf("PlatformString(ParsePlatform(%q)) = %q, want %q", tc.in, s, tc.want)
			}
			again, err := ParsePlatform(s)
			if err != nil {
				t.Fatalf("ParsePlatform(%q) (round trip): %v", s, err)
			}
			if !SamePlatform(p, again) || PlatformString(again) != s {
				t.Fatalf("round trip of %q gave %+v, want %+v", s, again, p)
			}
		})
	}
}

func TestPlatformString(t *testing.T) {
	tests := []struct {
		name string
		in   ocispec.Platform
		want string
	}{
		{"no variant", ocispec.Platform{OS: "linux", Architecture: "amd64"}, "linux/amd64"},
		{"variant", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "linux/arm/v7"},
		{"os version ignored", ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763"}, "windows/amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlatformString(tc.in); got != tc.want {
				t.Fatalf("PlatformString(%+v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSamePlatform(t *testing.T) {
	p := func(os, arch, variant string) ocispec.Platform {
		return ocispec.Platform{OS: os, Architecture: arch, Variant: variant}
	}
	tests := []struct {
		name string
		a, b ocispec.Platform
		want bool
	}{
		{"identical", p("linux", "amd64", ""), p("linux", "amd64", ""), true},
		{"alias x86_64", p("linux", "x86_64", ""), p("linux", "amd64", ""), true},
		{"alias aarch64", p("linux", "aarch64", ""), p("linux", "arm64", ""), true},
		{"arm64 v8 vs none", p("linux", "arm64", "v8"), p("linux", "arm64", ""), true},
		{"arm none vs v7", p("linux", "arm", ""), p("linux", "arm", "v7"), true},
		{"arm v6 vs v7", p("linux", "arm", "v6"), p("linux", "arm", "v7"), false},
		{"arm v6 vs none", p("linux", "arm", "v6"), p("linux", "arm", ""), false},
		{"different arch", p("linux", "amd64", ""), p("linux", "arm64", ""), false},
		{"different os", p("linux", "amd64", ""), p("windows", "amd64", ""), false},
		{
			"os version and features ignored",
			ocispec.Platform{OS: "linux", Architecture: "amd64", OSVersion: "1", OSFeatures: []string{"x"}},
			p("linux", "amd64", ""), true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SamePlatform(tc.a, tc.b); got != tc.want {
				t.Errorf("SamePlatform(%+v, %+v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := SamePlatform(tc.b, tc.a); got != tc.want {
				t.Errorf("SamePlatform(%+v, %+v) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
			}
		})
	}
}
