package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestTwentyThousandTagLayoutBuildsAndPushes gives a layout the index.json
// of a CI that tags every commit (20,000 tags, about 5 MB, more than the
// 4 MiB krust once refused), then builds into it with several tags and
// pushes from it.
func TestTwentyThousandTagLayoutBuildsAndPushes(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{})
	project := copyExample(t, t.TempDir())
	dir := filepath.Join(t.TempDir(), "oci")
	env := isolatedEnv(t)
	ociRef(t, krust(t, project, env, append(glibcScratch, "--oci-layout", dir, "--tag", "ci-0")...), "ci-0")

	path := filepath.Join(dir, "index.json")
	var idx ocispec.Index
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, string(data), &idx)
	first := idx.Manifests[0]
	for i := 1; i < 20_000; i++ {
		e := first
		e.Annotations = maps.Clone(first.Annotations)
		e.Annotations[ocispec.AnnotationRefName] = fmt.Sprintf("ci-%d-%040x", i, i)
		idx.Manifests = append(idx.Manifests, e)
	}
	if data, err = json.Marshal(idx); err != nil {
		t.Fatal(err)
	}
	if len(data) <= 4<<20 {
		t.Fatalf("index.json of %d bytes: the case needs more than 4 MiB", len(data))
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	res := krust(t, project, env, append(glibcScratch, "--oci-layout", dir, "--tag", "v2", "--tag", "v3")...)
	ociRef(t, res, "v2")
	tags := indexTags(t, dir)
	if len(tags) != 20_002 {
		t.Fatalf("index.json holds %d tags after the build, want 20,002", len(tags))
	}
	// The layout as a base: read through ParseRef and ResolveOne.
	onBase := krust(t, project, env, "build", "--no-push", "--libc", "glibc", "--base", "oci:"+dir+":v2", "--oci-layout", filepath.Join(t.TempDir(), "other"))
	ociRef(t, onBase, "latest")
	pushed := krust(t, project, env, "push", "--insecure-registry", reg.Host, "oci:"+dir+":v3", reg.Host+"/team/app:v3")
	ref := pushedRef(t, pushed, reg.Host+"/team/app")
	if !strings.HasSuffix(ref, first.Digest.String()) {
		t.Errorf("pushed %s, want the image built (%s)", ref, first.Digest)
	}
	// Every tag names the one image (the build gave the same digest), so
	// oci:DIR names it too, its referrers aside.
	one := krust(t, project, env, "push", "--insecure-registry", reg.Host, "oci:"+dir, reg.Host+"/team/app:any")
	if ref := pushedRef(t, one, reg.Host+"/team/app"); !strings.HasSuffix(ref, first.Digest.String()) {
		t.Errorf("pushed %s from oci:DIR, want the one image %s", ref, first.Digest)
	}
}

// TestOversizeCargoTomlFailsCleanly builds a project whose Cargo.toml is
// over config.MaxTOMLBytes, with a table of many keys that go-toml takes
// seconds to parse.
func TestOversizeCargoTomlFailsCleanly(t *testing.T) {
	requireTool(t, "cargo")
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(crateToml("big") + "\n[package.metadata.krust.labels]\n")
	for i := 0; b.Len() <= 200<<10; i++ {
		fmt.Fprintf(&b, "l%d = \"v\"\n", i)
	}
	writeCrate(t, dir, map[string]string{"Cargo.toml": b.String(), "src/main.rs": "fn main() {}\n"})
	res := krust(t, dir, isolatedEnv(t), glibcScratch...)
	assertCleanFailure(t, res, filepath.Join(dir, "Cargo.toml"), "more than the 131072", "krust parses", "[package.metadata]")
	assertNoLayout(t, filepath.Join(dir, "target", "krust"))
}
