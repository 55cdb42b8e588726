package oci

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const testArtifactType = "application/vnd.example.report+json"

func TestNewReferrer(t *testing.T) {
	subject := ocispec.Descriptor{
		MediaType:    ocispec.MediaTypeImageManifest,
		Digest:       baseDiffID1,
		Size:         1234,
		Platform:     &ocispec.Platform{OS: "linux", Architecture: "arm64"},
		Annotations:  map[string]string{ocispec.AnnotationRefName: "v1"},
		ArtifactType: "x",
		URLs:         []string{"https://example.com/m"},
	}
	doc := ocispec.Descriptor{
		MediaType:   testArtifactType,
		Digest:      baseDiffID2,
		Size:        56,
		Annotations: map[string]string{ocispec.AnnotationTitle: "hello.report.json"},
		Data:        []byte("not kept"),
	}
	annotations := map[string]string{ocispec.AnnotationCreated: "2024-05-06T07:08:09Z"}
	m := NewReferrer(testArtifactType, subject, doc, annotations)

	doc.Annotations[ocispec.AnnotationTitle] = "changed"
	annotations["later"] = "changed"
	subject.Platform.OS = "changed"

	if m.SchemaVersion != 2 || m.MediaType != ocispec.MediaTypeImageManifest || m.ArtifactType != testArtifactType {
		t.Errorf("schemaVersion %d, mediaType %q, artifactType %q", m.SchemaVersion, m.MediaType, m.ArtifactType)
	}
	if c := m.Config; c.MediaType != ocispec.MediaTypeEmptyJSON || c.Digest != ocispec.DescriptorEmptyJSON.Digest || c.Size != 2 || digest.FromBytes(c.Data) != c.Digest {
		t.Errorf("config = %+v, want the empty descriptor", c)
	}
	if len(m.Layers) != 1 {
		t.Fatalf("%d layers, want 1", len(m.Layers))
	}
	want := ocispec.Descriptor{MediaType: testArtifactType, Digest: baseDiffID2, Size: 56}
	if l := m.Layers[0]; l.MediaType != want.MediaType || l.Digest != want.Digest || l.Size != want.Size || l.Data != nil {
		t.Errorf("layer = %+v, want %+v", l, want)
	}
	if !maps.Equal(m.Layers[0].Annotations, map[string]string{ocispec.AnnotationTitle: "hello.report.json"}) {
		t.Errorf("layer annotations = %v", m.Layers[0].Annotations)
	}
	if !maps.Equal(m.Annotations, map[string]string{ocispec.AnnotationCreated: "2024-05-06T07:08:09Z"}) {
		t.Errorf("annotations = %v", m.Annotations)
	}

	_, data, err := Encode(ocispec.MediaTypeImageManifest, m)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Subject map[string]any `json:"subject"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Subject) != 3 || raw.Subject["mediaType"] != ocispec.MediaTypeImageManifest || raw.Subject["digest"] != baseDiffID1.String() || raw.Subject["size"] != 1234.0 {
		t.Errorf("subject = %v, want mediaType, digest and size only", raw.Subject)
	}
	var back ocispec.Manifest
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if _, again, _ := Encode(ocispec.MediaTypeImageManifest, back); !bytes.Equal(again, data) {
		t.Errorf("parsed back and encoded again, the manifest changed:\n%s\n%s", data, again)
	}
}

// referrerLayout writes an OCI layout holding a one-layer image tagged v1
// and a referrer of it carrying doc, listed without a ref.name as builds
// list theirs. It returns the layout's directory and the two manifests'
// descriptors.
func referrerLayout(t *testing.T, doc []byte, title string) (dir string, image, referrer ocispec.Descriptor) {
	t.Helper()
	dir = t.TempDir()
	blob := func(b []byte) {
		p := filepath.Join(dir, "blobs", "sha256", digest.FromBytes(b).Encoded())
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	encode := func(mediaType string, v any) ocispec.Descriptor {
		desc, data, err := Encode(mediaType, v)
		if err != nil {
			t.Fatal(err)
		}
		blob(data)
		return desc
	}

	layer, layerBlob := writeLayer(t, []testFile{{path: "app/hello", mode: 0o755, content: "#!/bin/true\n"}}, layerTime)
	blob(layerBlob)
	platform := ocispec.Platform{OS: "linux", Architecture: "amd64"}
	config := encode(ocispec.MediaTypeImageConfig, NewConfig(nil, ConfigOptions{Platform: platform, Entrypoint: []string{"/app/hello"}, Layers: []AddedLayer{{Layer: layer}}, Created: layerTime}))
	image = encode(ocispec.MediaTypeImageManifest, NewImageManifest(config, nil, []AddedLayer{{Layer: layer}}, nil))
	image.Platform = &platform

	blob(ocispec.DescriptorEmptyJSON.Data)
	blob(doc)
	docDesc := ocispec.Descriptor{
		MediaType:   testArtifactType,
		Digest:      digest.FromBytes(doc),
		Size:        int64(len(doc)),
		Annotations: map[string]string{ocispec.AnnotationTitle: title},
	}
	referrer = encode(ocispec.MediaTypeImageManifest, NewReferrer(testArtifactType, image, docDesc, nil))

	tagged := image
	tagged.Annotations = map[string]string{ocispec.AnnotationRefName: "v1"}
	idx, err := json.Marshal(NewIndex([]ocispec.Descriptor{tagged, referrer}, nil))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"index.json": idx, "oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, image, referrer
}

// TestReferrerValidatesWithGGCR has go-containerregistry check the whole
// layout, each layer read (not the fast check), and the referrer alone as
// an image whose subject is the image.
func TestReferrerValidatesWithGGCR(t *testing.T) {
	dir, image, referrer := referrerLayout(t, []byte(`{"report":true}`+"\n"), "hello.report.json")
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("go-containerregistry rejects the layout: %v", err)
	}
	h, err := v1.NewHash(referrer.Digest.String())
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("go-containerregistry rejects the referrer: %v", err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject == nil || m.Subject.Digest.String() != image.Digest.String() || m.Subject.Size != image.Size || m.Subject.Platform != nil {
		t.Errorf("go-containerregistry reads subject %+v, want the image %s", m.Subject, image.Digest)
	}
	if string(m.Config.MediaType) != ocispec.MediaTypeEmptyJSON {
		t.Errorf("config media type %q", m.Config.MediaType)
	}
}

// TestReferrerFoundByOras: the oras CLI, which CI installs, finds the
// referrer of the tagged image in the layout and pulls its document to a
// file named by its title.
func TestReferrerFoundByOras(t *testing.T) {
	oras := orasCLI(t)
	doc := []byte(`{"report":true}` + "\n")
	dir, image, referrer := referrerLayout(t, doc, "hello.report.json")

	out := run(t, oras, "discover", "--oci-layout", dir+":v1", "--format", "json")
	var got struct {
		Digest    string `json:"digest"`
		Referrers []struct {
			Digest       string `json:"digest"`
			ArtifactType string `json:"artifactType"`
		} `json:"referrers"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("oras discover printed no JSON: %v\n%s", err, out)
	}
	if got.Digest != image.Digest.String() {
		t.Errorf("oras discover resolved v1 to %s, want %s", got.Digest, image.Digest)
	}
	if len(got.Referrers) != 1 || got.Referrers[0].Digest != referrer.Digest.String() || got.Referrers[0].ArtifactType != testArtifactType {
		t.Fatalf("oras discover found %+v, want one %s referrer %s:\n%s", got.Referrers, testArtifactType, referrer.Digest, out)
	}

	pulled := t.TempDir()
	run(t, oras, "pull", "--oci-layout", dir+"@"+referrer.Digest.String(), "--output", pulled)
	data, err := os.ReadFile(filepath.Join(pulled, "hello.report.json"))
	if err != nil {
		t.Fatalf("oras pull wrote no file named by the title: %v", err)
	}
	if !bytes.Equal(data, doc) {
		t.Errorf("oras pull wrote %q, want %q", data, doc)
	}
}

// orasCLI finds the oras CLI in PATH or in Go's bin directory, where
// `go install` puts it; a missing oras fails the test, as CI installs it.
func orasCLI(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("oras"); err == nil {
		return p
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "-json", "GOBIN", "GOPATH").Output(); err == nil {
		var env struct{ GOBIN, GOPATH string }
		if json.Unmarshal(out, &env) == nil {
			dirs = append(dirs, env.GOBIN)
			for _, p := range filepath.SplitList(env.GOPATH) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "oras")
		if _, err := os.Stat(p); d != "" && err == nil {
			return p
		}
	}
	t.Fatalf("the oras CLI is not in PATH nor in %q: install it with go install oras.land/oras/cmd/oras@v1.3.6 (.ci/run does)", dirs)
	return ""
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}
