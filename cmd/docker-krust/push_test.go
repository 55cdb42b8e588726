package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker/cli/cli/config/configfile"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPushCarriesTheReferrers: `krust push` of a layout holding one image
// with its SBOM and provenance takes that image as "the only image",
// pushes the referrers with it and says so on stderr.
func TestPushCarriesTheReferrers(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Options{})
	for _, source := range []string{"oci:DIR", "oci:DIR:latest", "DIR"} {
		t.Run(source, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "layout")
			img, refs := writeAttachedImage(t, dir)
			var stdout, stderr bytes.Buffer
			env := testEnv(map[string]string{"HOME": t.TempDir()})
			env.stdout, env.stderr, env.face = &stdout, &stderr, "krust"
			env.dockerConfig = func() (*configfile.ConfigFile, error) { return configfile.New(""), nil }
			cmd := newKrustCommand(env)
			cmd.SetArgs([]string{"push", strings.Replace(source, "DIR", dir, 1), reg.Host + "/app:v1"})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("push: %v\n%s", err, stderr.String())
			}
			if want := reg.Host + "/app@" + img.Digest.String() + "\n"; stdout.String() != want {
				t.Errorf("stdout %q, want %q", stdout.String(), want)
			}
			line := "with 2 referrers: 1 application/spdx+json, 1 application/vnd.in-toto+json\n"
			if !strings.Contains(stderr.String(), line) {
				t.Errorf("stderr lacks %q:\n%s", line, stderr.String())
			}
			listed := referrersTag(t, reg, "app", img)
			if want := []string{refs[0].Digest.String(), refs[1].Digest.String()}; !slices.Equal(listed, sorted(want)) {
				t.Errorf("the registry lists referrers %v, want %v", listed, want)
			}
		})
	}
}

// writeAttachedImage writes a layout holding an image tagged latest with
// an SBOM and a provenance referrer, recorded as a build records them.
func writeAttachedImage(t *testing.T, dir string) (ocispec.Descriptor, []ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	store, err := layout.Create(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	write := func(mediaType string, data []byte) ocispec.Descriptor {
		d, err := store.WriteBlob(ctx, mediaType, data)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	manifest := func(m ocispec.Manifest) ocispec.Descriptor {
		desc, data, err := oci.Encode(ocispec.MediaTypeImageManifest, m)
		if err != nil {
			t.Fatal(err)
		}
		return write(desc.MediaType, data)
	}
	cfg := write(ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
	img := manifest(oci.NewManifest(cfg, nil, nil))
	empty := write(ocispec.MediaTypeEmptyJSON, []byte("{}"))
	var refs []ocispec.Descriptor
	for _, typ := range []string{"application/spdx+json", "application/vnd.in-toto+json"} {
		m := oci.NewManifest(empty, []ocispec.Descriptor{write(typ, []byte(`{"of":"`+typ+`"}`))}, nil)
		m.ArtifactType, m.Subject = typ, &img
		refs = append(refs, manifest(m))
	}
	if err := store.Apply(ctx, layout.Update{Desc: img, Tags: []string{"latest"}, Referrers: refs}); err != nil {
		t.Fatal(err)
	}
	return img, refs
}

// referrersTag returns the sorted digests the sha256- referrers tag of
// subject lists in repo.
func referrersTag(t *testing.T, reg *testregistry.Registry, repo string, subject ocispec.Descriptor) []string {
	t.Helper()
	status, idx := testregistry.GetIndex(t, reg.URL()+"/v2/"+repo+"/manifests/sha256-"+subject.Digest.Encoded())
	if status != http.StatusOK {
		t.Fatalf("referrers tag of %s: status %d", subject.Digest, status)
	}
	var out []string
	for _, d := range idx.Manifests {
		out = append(out, d.Digest.String())
	}
	return sorted(out)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
