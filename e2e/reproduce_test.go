package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestSameSourceSameDigest(t *testing.T) {
	requireTool(t, "cargo")
	first := copyExample(t, t.TempDir())
	second := copyExample(t, filepath.Join(t.TempDir(), "elsewhere", "deeper"))
	digestOf := func(project string) string {
		dir := ociRef(t, krust(t, project, nil, glibcScratch...), "latest")
		return manifestFor(t, dir, "latest").Digest.String()
	}
	a := digestOf(first)
	if again := digestOf(first); again != a {
		t.Errorf("second build in the same directory: %s, first: %s", again, a)
	}
	if other := digestOf(second); other != a {
		t.Errorf("build of a copy in another directory: %s, original: %s", other, a)
	}
}

func TestSourceDateEpochStampsImage(t *testing.T) {
	requireTool(t, "cargo")
	project := copyExample(t, t.TempDir())
	dir := ociRef(t, krust(t, project, []string{"SOURCE_DATE_EPOCH=1700000000"}, glibcScratch...), "latest")
	cfg := configFor(t, dir, "latest")
	if got := cfg.Created.UTC().Unix(); got != 1700000000 {
		t.Errorf("config created %v, want SOURCE_DATE_EPOCH 1700000000", cfg.Created)
	}
	first := manifestFor(t, dir, "latest").Digest
	again := ociRef(t, krust(t, project, []string{"SOURCE_DATE_EPOCH=1700000000"}, glibcScratch...), "latest")
	if d := manifestFor(t, again, "latest").Digest; d != first {
		t.Errorf("same SOURCE_DATE_EPOCH twice: %s then %s", first, d)
	}
	later := ociRef(t, krust(t, project, []string{"SOURCE_DATE_EPOCH=1700000001"}, glibcScratch...), "latest")
	if d := manifestFor(t, later, "latest").Digest; d == first {
		t.Errorf("a different SOURCE_DATE_EPOCH gave the same digest %s", d)
	}
	res := krust(t, project, []string{"SOURCE_DATE_EPOCH=yesterday"}, glibcScratch...)
	if res.code == 0 || res.stdout != "" || !contains(res.stderr, "SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

// manifestFor returns the index.json entry tagged tag in the layout at dir.
func manifestFor(t *testing.T, dir, tag string) ocispec.Descriptor {
	t.Helper()
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
	for _, m := range idx.Manifests {
		if m.Annotations[ocispec.AnnotationRefName] == tag {
			return m
		}
	}
	t.Fatalf("no tag %q in %s/index.json", tag, dir)
	return ocispec.Descriptor{}
}

// imageFor reads the manifest tagged tag in the layout at dir.
func imageFor(t *testing.T, dir, tag string) ocispec.Manifest {
	t.Helper()
	var m ocispec.Manifest
	readJSONFile(t, blobPath(dir, manifestFor(t, dir, tag)), &m)
	return m
}

// configFor reads the config of the image tagged tag.
func configFor(t *testing.T, dir, tag string) ocispec.Image {
	t.Helper()
	var cfg ocispec.Image
	readJSONFile(t, blobPath(dir, imageFor(t, dir, tag).Config), &cfg)
	return cfg
}

func blobPath(dir string, desc ocispec.Descriptor) string {
	return filepath.Join(dir, "blobs", desc.Digest.Algorithm().String(), desc.Digest.Encoded())
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// pathDepProject writes an app whose path dependency lives outside the
// app's directory and embeds its own source path with file!().
func pathDepProject(t *testing.T, parent string) string {
	t.Helper()
	writeCrate(t, filepath.Join(parent, "shared"), map[string]string{
		"Cargo.toml": "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
		"src/lib.rs": "pub fn whereami() -> &'static str { file!() }\n",
	})
	return writeCrate(t, filepath.Join(parent, "app"), map[string]string{
		"Cargo.toml":  "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nshared = { path = \"../shared\" }\n",
		"src/main.rs": "fn main() { println!(\"{}\", shared::whereami()); }\n",
	})
}

func TestPathDependencyOutsideProjectReproduces(t *testing.T) {
	requireTool(t, "cargo")
	var digests []string
	var binaries []string
	for _, parent := range []string{filepath.Join(t.TempDir(), "one"), filepath.Join(t.TempDir(), "two", "deeper")} {
		app := pathDepProject(t, parent)
		dir := ociRef(t, krust(t, app, []string{"SOURCE_DATE_EPOCH=1700000000"}, glibcScratch...), "latest")
		digests = append(digests, manifestFor(t, dir, "latest").Digest.String())
		binaries = append(binaries, filepath.Join(app, "target", "x86_64-unknown-linux-gnu", "release", "app"))
		out := mustRun(t, "", binaries[len(binaries)-1])
		if strings.Contains(out, parent) {
			t.Errorf("the binary still names its build directory: %q", out)
		}
	}
	if digests[0] != digests[1] {
		t.Errorf("same source in two directories gave %s and %s", digests[0], digests[1])
	}
}

func TestStablePathIsPrivateAndLeftClean(t *testing.T) {
	requireTool(t, "cargo")
	parent := filepath.Join(t.TempDir(), "src")
	app := pathDepProject(t, parent)
	res := krust(t, app, nil, glibcScratch...)
	ociRef(t, res, "latest")
	root := fmt.Sprintf("/tmp/krust-build-%d", os.Getuid())
	if !strings.Contains(res.stderr, "building in "+root+"/app ") {
		t.Errorf("the build did not use the per-user stable path %s:\n%s", root, res.stderr)
	}
	info, err := os.Lstat(root)
	if err != nil || !info.IsDir() || info.Mode().Perm() != 0o700 {
		t.Fatalf("stable root %s: %v (%v), want a drwx------ directory", root, info, err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type()&os.ModeSymlink == 0 {
			continue
		}
		// Other builds (other tests) may hold links of their own while
		// they run; this build's link points into parent.
		if target, _ := os.Readlink(filepath.Join(root, e.Name())); strings.HasPrefix(target, parent) {
			t.Errorf("the build left its link %s -> %s behind", e.Name(), target)
		}
	}
}
