package builder

import (
	"strings"
	"testing"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestAnnotationsHoldNoSecret: Cargo.toml's repository, description and
// license are free text; what krust copies of them into annotations holds
// no credentials whatever the password holds, and a repository that is no
// URL is left out.
func TestAnnotationsHoldNoSecret(t *testing.T) {
	tests := []struct {
		name    string
		pkg     cargo.Package
		source  string // the source annotation, "" for none
		descrip string
	}{
		{"plain", cargo.Package{Repository: "https://github.com/o/r", Description: "A tool"}, "https://github.com/o/r", "A tool"},
		{"token as user", cargo.Package{Repository: "https://bob:SECRET@host.example/x"}, "https://host.example/x", ""},
		{"slash in the password", cargo.Package{Repository: "https://bob:p/SECRET@host.example/x"}, "https://host.example/x", ""},
		{"= ; , ( and a space", cargo.Package{Repository: "https://bob:p=s;s,(x) SECRET@host.example/x"}, "https://host.example/x", ""},
		{"query token", cargo.Package{Repository: "https://host.example/x?private_token=SECRET"}, "https://host.example/x", ""},
		{"scp syntax", cargo.Package{Repository: "SECRET@host.example:o/r.git"}, "ssh://host.example/o/r.git", ""},
		{"no URL", cargo.Package{Repository: "/home/SECRET/src/r"}, "", ""},
		{"URL in the description", cargo.Package{Description: "Mirror of https://u:SECRET@host.example/x"}, "", "Mirror of https://host.example/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pkg.License = "MIT OR https://u:SECRET@host.example/l"
			a := imageAnnotations(tt.pkg, "", nil, time.Unix(0, 0), false)
			for k, v := range a {
				if strings.Contains(v, "SECRET") {
					t.Errorf("annotation %s = %q holds the secret", k, v)
				}
			}
			if got := a[ocispec.AnnotationSource]; got != tt.source {
				t.Errorf("source annotation %q, want %q", got, tt.source)
			}
			if got := a[ocispec.AnnotationDescription]; got != tt.descrip {
				t.Errorf("description annotation %q, want %q", got, tt.descrip)
			}
		})
	}
}

// TestBaseNameOnlyForRegistryBases: a registry base is named by its
// reference; a base from a local layout has only its digest, since its
// path names the machine's directories.
func TestBaseNameOnlyForRegistryBases(t *testing.T) {
	named, err := reference.ParseNormalizedNamed("gcr.io/distroless/static:nonroot")
	if err != nil {
		t.Fatal(err)
	}
	d := digest.FromString("base")
	registry := &base{name: named.String(), ref: named, digest: d, store: &layout.Layout{}}
	local := &base{name: "oci:/home/SECRET/layouts/base:v1", digest: d, store: &layout.Layout{}}
	if got := manifestAnnotations(map[string]string{}, registry)[ocispec.AnnotationBaseImageName]; got != named.String() {
		t.Errorf("registry base: base.name %q, want %s", got, named)
	}
	a := manifestAnnotations(map[string]string{}, local)
	if got, ok := a[ocispec.AnnotationBaseImageName]; ok {
		t.Errorf("layout base: base.name %q, want none", got)
	}
	if a[ocispec.AnnotationBaseImageDigest] != d.String() {
		t.Errorf("layout base: base.digest %q, want %s", a[ocispec.AnnotationBaseImageDigest], d)
	}
}
