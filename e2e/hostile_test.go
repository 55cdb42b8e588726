package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// baseLayout is a base image in an OCI layout that a test may damage.
type baseLayout struct {
	t   *testing.T
	dir string
}

func (b baseLayout) index() ocispec.Index {
	var idx ocispec.Index
	readJSONFile(b.t, filepath.Join(b.dir, "index.json"), &idx)
	return idx
}

func (b baseLayout) setIndex(idx ocispec.Index) {
	data, err := json.Marshal(idx)
	if err != nil {
		b.t.Fatal(err)
	}
	writeFile(b.t, filepath.Join(b.dir, "index.json"), string(data))
}

// editEntry changes the descriptor tagged v1 in index.json.
func (b baseLayout) editEntry(edit func(d *ocispec.Descriptor)) {
	idx := b.index()
	edit(&idx.Manifests[0])
	b.setIndex(idx)
}

// putBlob stores data as a blob and returns its descriptor.
func (b baseLayout) putBlob(mediaType string, data []byte) ocispec.Descriptor {
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	writeFile(b.t, filepath.Join(b.dir, "blobs", "sha256", hexSum), string(data))
	return ocispec.Descriptor{MediaType: mediaType, Digest: digest.Digest("sha256:" + hexSum), Size: int64(len(data))}
}

// manifest returns the base's manifest.
func (b baseLayout) manifest() ocispec.Manifest {
	var m ocispec.Manifest
	readJSONFile(b.t, blobPath(b.dir, b.index().Manifests[0]), &m)
	return m
}

// replaceManifest stores m and points the v1 entry at it.
func (b baseLayout) replaceManifest(m ocispec.Manifest) {
	data, err := json.Marshal(m)
	if err != nil {
		b.t.Fatal(err)
	}
	desc := b.putBlob(ocispec.MediaTypeImageManifest, data)
	b.editEntry(func(d *ocispec.Descriptor) { d.Digest, d.Size = desc.Digest, desc.Size })
}

func TestHostileBaseLayoutsFailCleanly(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name   string
		damage func(b baseLayout)
		want   []string
	}{
		{"index.json points outside blobs/", func(b baseLayout) {
			b.editEntry(func(d *ocispec.Descriptor) { d.Digest = "sha256:../../../../etc/passwd" })
		}, []string{"invalid"}},
		{"index.json points at a missing blob", func(b baseLayout) {
			b.editEntry(func(d *ocispec.Descriptor) { d.Digest = digest.Digest("sha256:" + strings.Repeat("ab", 32)) })
		}, []string{"not found"}},
		{"index.json has the wrong size", func(b baseLayout) {
			b.editEntry(func(d *ocispec.Descriptor) { d.Size-- })
		}, []string{"does not match"}},
		{"manifest does not match its digest", func(b baseLayout) {
			path := blobPath(b.dir, b.index().Manifests[0])
			data, _ := os.ReadFile(path)
			data[len(data)/2] ^= 0xff
			writeFile(b.t, path, string(data))
		}, []string{"does not match"}},
		{"manifest is not JSON", func(b baseLayout) {
			desc := b.putBlob(ocispec.MediaTypeImageManifest, []byte("{not json"))
			b.editEntry(func(d *ocispec.Descriptor) { d.Digest, d.Size = desc.Digest, desc.Size })
		}, []string{"decode"}},
		{"manifest is oversized", func(b baseLayout) {
			b.editEntry(func(d *ocispec.Descriptor) { d.Size = 64 << 20 })
		}, []string{"exceeds limit"}},
		{"config is not JSON", func(b baseLayout) {
			m := b.manifest()
			m.Config = b.putBlob(ocispec.MediaTypeImageConfig, []byte(`{"rootfs": 5`))
			b.replaceManifest(m)
		}, []string{"decode"}},
		{"config is oversized", func(b baseLayout) {
			m := b.manifest()
			m.Config.Size = 1 << 30
			b.replaceManifest(m)
		}, []string{"exceeds limit"}},
		{"config lists fewer diff_ids than layers", func(b baseLayout) {
			m := b.manifest()
			m.Layers = append(m.Layers, m.Layers[0])
			b.replaceManifest(m)
		}, []string{"diff_ids"}},
		{"index is not JSON", func(b baseLayout) {
			desc := b.putBlob(ocispec.MediaTypeImageIndex, []byte(`{"manifests": [`))
			b.editEntry(func(d *ocispec.Descriptor) { d.MediaType, d.Digest, d.Size = desc.MediaType, desc.Digest, desc.Size })
		}, []string{"decode"}},
		{"index.json is not JSON", func(b baseLayout) {
			writeFile(b.t, filepath.Join(b.dir, "index.json"), "[[[")
		}, []string{"index.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := baseLayout{t: t, dir: makeBase(t)}
			tt.damage(b)
			project := t.TempDir()
			helloCrate(t, project)
			res := krust(t, project, isolatedEnv(t), "build", "--no-push", "--libc", "glibc", "--base", "oci:"+b.dir+":v1")
			assertCleanFailure(t, res, tt.want...)
			assertNoLayout(t, filepath.Join(project, "target", "krust"))
		})
	}
}

func TestHostileNamesAndEnvironment(t *testing.T) {
	requireTool(t, "cargo")
	t.Run("package name with no valid repository name", func(t *testing.T) {
		project := writeCrate(t, t.TempDir(), map[string]string{"Cargo.toml": crateToml("___"), "src/main.rs": "fn main() {}\n"})
		res := krust(t, project, isolatedEnv(t), append(glibcScratch, "--repo", "registry.example.com/team")...)
		assertCleanFailure(t, res, `package name "___"`, "--image")
		assertNoLayout(t, filepath.Join(project, "target", "krust"))
	})
	t.Run("nothing from the host environment enters the image", func(t *testing.T) {
		project := copyExample(t, t.TempDir())
		env := append(isolatedEnv(t), "KRUST_LEAK_CANARY=do-not-ship", "AWS_SECRET_ACCESS_KEY=canary-secret")
		dir := ociRef(t, krust(t, project, env, glibcScratch...), "latest")
		data, err := os.ReadFile(blobPath(dir, imageFor(t, dir, "latest").Config))
		if err != nil {
			t.Fatal(err)
		}
		for _, canary := range []string{"do-not-ship", "canary-secret", "KRUST_LEAK_CANARY", os.Getenv("HOME")} {
			if canary != "" && strings.Contains(string(data), canary) {
				t.Errorf("the image config contains %q from the build environment:\n%s", canary, data)
			}
		}
	})
}
