package sbom

import (
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	packageurl "github.com/package-url/packageurl-go"
)

func TestCratePurl(t *testing.T) {
	tests := []struct {
		name  string
		crate cargo.Crate
		want  string
		quals map[string]string
	}{
		{"crates.io", cargo.Crate{Name: "serde_json", Version: "1.0.87", Source: cratesIO},
			"pkg:cargo/serde_json@1.0.87", nil},
		{"build metadata is escaped", cargo.Crate{Name: "foo", Version: "1.0.0+build.5", Source: cratesIO},
			"pkg:cargo/foo@1.0.0%2Bbuild.5", nil},
		{"another registry", cargo.Crate{Name: "auth", Version: "2.1.0",
			Source: cargo.Source{Kind: cargo.SourceRegistry, URL: "https://crates.example.com/index/"}},
			"pkg:cargo/auth@2.1.0?repository_url=https:%2F%2Fcrates.example.com%2Findex%2F",
			map[string]string{"repository_url": "https://crates.example.com/index/"}},
		{"git", cargo.Crate{Name: "my_crate", Version: "0.3.0",
			Source: cargo.Source{Kind: cargo.SourceGit, URL: "https://github.com/acme/my_crate", Rev: "4f1b5c0e"}},
			"pkg:cargo/my_crate@0.3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fmy_crate%404f1b5c0e",
			map[string]string{"vcs_url": "git+https://github.com/acme/my_crate@4f1b5c0e"}},
		{"path crates have none", cargo.Crate{Name: "util", Version: "0.1.0",
			Source: cargo.Source{Kind: cargo.SourcePath, Path: "crates/util"}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cratePurl(tt.crate, tt.crate.Source.URL)
			if got != tt.want {
				t.Fatalf("cratePurl = %q, want %q", got, tt.want)
			}
			if got == "" {
				return
			}
			p, err := packageurl.FromString(got)
			if err != nil {
				t.Fatalf("packageurl-go cannot parse %q: %v", got, err)
			}
			if p.Type != "cargo" || p.Name != tt.crate.Name || p.Version != tt.crate.Version || p.Namespace != "" {
				t.Errorf("parsed %q as %+v", got, p)
			}
			for k, v := range tt.quals {
				if p.Qualifiers.Map()[k] != v {
					t.Errorf("qualifier %s = %q, want %q", k, p.Qualifiers.Map()[k], v)
				}
			}
		})
	}
}

func TestOCIPurl(t *testing.T) {
	amd64 := ocispec.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name  string
		purl  string
		want  string
		quals map[string]string
	}{
		{"image in a registry",
			imagePurl(Image{Name: "127.0.0.1:5000/team/App", Digest: imageDigest, Platform: amd64}),
			"pkg:oci/app@" + imageDigest.String() + "?arch=amd64&repository_url=127.0.0.1:5000%2Fteam%2FApp",
			map[string]string{"repository_url": "127.0.0.1:5000/team/App", "arch": "amd64"}},
		{"unnamed image: its package name",
			imagePurl(Image{Name: "hello", Digest: imageDigest, Platform: amd64}),
			"pkg:oci/hello@" + imageDigest.String() + "?arch=amd64", nil},
		{"image name with a tag",
			imagePurl(Image{Name: "localhost:5000/app:v1", Digest: imageDigest, Platform: amd64}),
			"pkg:oci/app@" + imageDigest.String() + "?arch=amd64&repository_url=localhost:5000%2Fapp&tag=v1",
			map[string]string{"tag": "v1"}},
		{"registry base",
			newBase(Base{Name: "gcr.io/distroless/static:nonroot", Digest: baseDigest}, "amd64").purl,
			"pkg:oci/static@" + baseDigest.String() + "?arch=amd64&repository_url=gcr.io%2Fdistroless%2Fstatic&tag=nonroot",
			map[string]string{"repository_url": "gcr.io/distroless/static", "tag": "nonroot"}},
		{"Docker Hub short name",
			newBase(Base{Name: "debian:12", Digest: baseDigest}, "arm64").purl,
			"pkg:oci/debian@" + baseDigest.String() + "?arch=arm64&repository_url=docker.io%2Flibrary%2Fdebian&tag=12",
			map[string]string{"repository_url": "docker.io/library/debian"}},
		{"base by digest",
			newBase(Base{Name: "alpine@" + baseDigest.String(), Digest: baseDigest}, "amd64").purl,
			"pkg:oci/alpine@" + baseDigest.String() + "?arch=amd64&repository_url=docker.io%2Flibrary%2Falpine", nil},
		{"layout base: no path",
			newBase(Base{Name: "oci:/home/dev/layouts/Base-Layout:v1", Digest: baseDigest}, "amd64").purl,
			"pkg:oci/base-layout@" + baseDigest.String() + "?arch=amd64&tag=v1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.purl != tt.want {
				t.Fatalf("purl = %q, want %q", tt.purl, tt.want)
			}
			p, err := packageurl.FromString(tt.purl)
			if err != nil {
				t.Fatalf("packageurl-go cannot parse %q: %v", tt.purl, err)
			}
			if p.Type != "oci" || p.Version == "" {
				t.Errorf("parsed %q as %+v", tt.purl, p)
			}
			for k, v := range tt.quals {
				if p.Qualifiers.Map()[k] != v {
					t.Errorf("qualifier %s = %q, want %q", k, p.Qualifiers.Map()[k], v)
				}
			}
		})
	}
}

// The purl spec's older examples write the digest's colon as %3A; its
// current text (ECMA-427) and packageurl-go do not encode it. Both parse
// to the same purl, so consumers of either form see the same package.
func TestOCIPurlColonEncodings(t *testing.T) {
	ours := imagePurl(Image{Name: "hello", Digest: imageDigest, Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}})
	legacy := "pkg:oci/hello@sha256%3A" + imageDigest.Encoded() + "?arch=amd64"
	a, err := packageurl.FromString(ours)
	if err != nil {
		t.Fatal(err)
	}
	b, err := packageurl.FromString(legacy)
	if err != nil {
		t.Fatal(err)
	}
	if a.ToString() != b.ToString() || a.Version != imageDigest.String() {
		t.Errorf("%q and %q parse differently: %+v, %+v", ours, legacy, a, b)
	}
}
