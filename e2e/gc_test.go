package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// stalledBuild starts a build into layout whose base pull hangs until the
// returned function is called; it returns once the build has made the
// layout and holds its lease (it asks for the base only after that).
func stalledBuild(t *testing.T, env []string, layout, tag string) (*proc, func()) {
	t.Helper()
	asked := make(chan struct{})
	var once sync.Once
	stalled := testregistry.StartProxy(t, "http://127.0.0.1:9", "", func(int, *http.Request) string {
		once.Do(func() { close(asked) })
		return testregistry.FaultStall
	})
	p := startKrust(t, copyExample(t, t.TempDir()), env, "build", "--no-push", "--libc", "glibc",
		"--base", stalled.Host+"/base/never:v1", "--oci-layout", layout, "--tag", tag)
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("the stalled build never asked for its base; stderr:\n%s", p.wait(t).stderr)
	}
	return p, stalled.Close
}

// TestFailedBuildKeepsWhatIsNotItsOwn: a build whose --oci-layout lies
// under a directory it created fails; what others put there meanwhile
// stays, and the directories it created go only while they are empty.
func TestFailedBuildKeepsWhatIsNotItsOwn(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	env := isolatedEnv(t)
	broken := func(t *testing.T) string {
		return writeCrate(t, t.TempDir(), map[string]string{"Cargo.toml": crateToml("broken"), "src/main.rs": "fn main() { let x: u32 = \"nope\"; }\n"})
	}
	t.Run("cargo's target directory beside the layout", func(t *testing.T) {
		parent := filepath.Join(t.TempDir(), "new")
		res := krust(t, broken(t), append(slices.Clone(env), "CARGO_TARGET_DIR="+filepath.Join(parent, "target")),
			append(slices.Clone(glibcScratch), "--oci-layout", filepath.Join(parent, "oci"))...)
		assertCleanFailure(t, res, "mismatched types")
		if entries, err := os.ReadDir(filepath.Join(parent, "target")); err != nil || len(entries) == 0 {
			t.Errorf("cargo's target directory %s/target was removed by the failed build: %v", parent, err)
		}
		assertNoLayout(t, filepath.Join(parent, "oci"))
	})
	t.Run("another build's layout and a user's file under the same new parent", func(t *testing.T) {
		parent := filepath.Join(t.TempDir(), "new")
		doomed, release := stalledBuild(t, env, filepath.Join(parent, "doomed"), "doomed")
		good := filepath.Join(parent, "good")
		res := krust(t, copyExample(t, t.TempDir()), env, append(slices.Clone(glibcScratch), "--oci-layout", good, "--tag", "good")...)
		checkSharedLayout(t, good, []string{"good"}, []result{res})
		writeFile(t, filepath.Join(parent, "notes.txt"), "mine")
		release()
		assertCleanFailure(t, doomed.wait(t))
		checkSharedLayout(t, good, []string{"good"}, []result{res})
		if data, err := os.ReadFile(filepath.Join(parent, "notes.txt")); err != nil || string(data) != "mine" {
			t.Errorf("the user's file was removed by a failed build: %q, %v", data, err)
		}
		assertNoLayout(t, filepath.Join(parent, "doomed"))
	})
	t.Run("empty directories it created", func(t *testing.T) {
		top := filepath.Join(t.TempDir(), "x")
		res := krust(t, broken(t), env, append(slices.Clone(glibcScratch), "--oci-layout", filepath.Join(top, "y", "z", "oci"))...)
		assertCleanFailure(t, res, "mismatched types")
		assertNoLayout(t, top)
	})
}

// putJSON writes v as a blob of the layout in dir and returns its
// descriptor.
func putJSON(t *testing.T, dir, mediaType string, v any) ocispec.Descriptor {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return putBlob(t, dir, mediaType, data)
}

func putBlob(t *testing.T, dir, mediaType string, data []byte) ocispec.Descriptor {
	t.Helper()
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	writeFile(t, blobPath(dir, desc), string(data))
	return desc
}

// putReferrer stores an untagged SBOM-like artifact whose subject is
// subject, as an SBOM or provenance attachment is stored.
func putReferrer(t *testing.T, dir string, subject ocispec.Descriptor, content string) []ocispec.Descriptor {
	t.Helper()
	empty := putBlob(t, dir, ocispec.MediaTypeEmptyJSON, []byte("{}"))
	doc := putBlob(t, dir, "application/spdx+json", []byte(content))
	m := oci.NewManifest(empty, []ocispec.Descriptor{doc}, nil)
	m.ArtifactType, m.Subject = "application/spdx+json", &subject
	return []ocispec.Descriptor{putJSON(t, dir, ocispec.MediaTypeImageManifest, m), doc}
}

func blobExists(dir string, d ocispec.Descriptor) bool {
	_, err := os.Stat(blobPath(dir, d))
	return err == nil
}

// TestGCFreesWhatNoTagReaches: an image whose tag went to a newer build is
// removed with its config and referrer, and so is a referrer of a tagged
// image that index.json does not list (no reader of the layout finds it);
// tagged images, their layers and the referrers index.json lists (one
// oras attach added) stay, and the layout stays valid for skopeo and
// go-containerregistry. Both faces, default layout and a named one.
func TestGCFreesWhatNoTagReaches(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	requireTool(t, "docker")
	requireTool(t, "oras")
	env := isolatedEnv(t)
	project := copyExample(t, t.TempDir())
	// Without the documents builds attach: the referrers here are the
	// test's own, so that the counts are its own too.
	build := func(tag, label string) string {
		return ociRef(t, krust(t, project, env, append(slices.Clone(glibcScratch), "--sbom", "none", "--provenance", "none", "--tag", tag, "--label", "n="+label)...), tag)
	}
	dir := build("v1", "1")
	old := manifestFor(t, dir, "v1")
	oldConfig := imageFor(t, dir, "v1").Config
	oldReferrer := putReferrer(t, dir, old, `{"spdxVersion":"SPDX-2.3","name":"old"}`)
	build("v1", "2") // v1 now names another image
	build("v2", "3")
	current := manifestFor(t, dir, "v1")
	orasAttach(t, "--oci-layout", dir+":v1")
	unlisted := putReferrer(t, dir, current, `{"spdxVersion":"SPDX-2.3","name":"unlisted"}`)
	gone := slices.Concat([]ocispec.Descriptor{old, oldConfig}, oldReferrer, unlisted)

	dry := krust(t, project, env, "gc", "--dry-run")
	if dry.code != 0 || dry.stdout != "" || !contains(dry.stderr, "would remove 6 blobs") {
		t.Fatalf("gc --dry-run: exit %d, stdout %q, stderr:\n%s\nwant exit 0, nothing on stdout, 6 blobs to remove", dry.code, dry.stdout, dry.stderr)
	}
	for _, d := range gone {
		if !blobExists(dir, d) || !contains(dry.stderr, d.Digest.String()) {
			t.Errorf("gc --dry-run removed or did not list %s", d.Digest)
		}
	}
	// The plugin face, with the layout named.
	res := run(t, project, append(slices.Clone(env), "DOCKER_HOST=unix:///nonexistent.sock"), "docker", "--config", installPlugin(t), "krust", "gc", dir)
	if res.code != 0 || res.stdout != "" || !contains(res.stderr, "removed 6 blobs") {
		t.Fatalf("docker krust gc: exit %d, stdout %q, stderr:\n%s\nwant exit 0, nothing on stdout, 6 blobs removed", res.code, res.stdout, res.stderr)
	}
	for _, d := range gone {
		if blobExists(dir, d) {
			t.Errorf("gc left %s, which no tag reaches", d.Digest)
		}
	}
	for _, d := range []ocispec.Descriptor{current, imageFor(t, dir, "v1").Config, manifestFor(t, dir, "v2")} {
		if !blobExists(dir, d) {
			t.Errorf("gc removed %s, which a tag reaches", d.Digest)
		}
	}
	if n, reached := blobCount(t, dir), len(reachableBlobs(t, dir)); n != reached {
		t.Errorf("gc left %d blobs, of which index.json reaches %d", n, reached)
	}
	if got := referrerTypes(t, orasDiscover(t, dir+":v1", "--oci-layout")); !slices.Equal(got, []string{sigArtifact}) {
		t.Errorf("after gc oras discover lists %v, want the signature oras attached", got)
	}
	for _, p := range layoutProblems(t, dir) {
		t.Errorf("after gc: %s", p)
	}
	again := krust(t, project, env, "gc")
	if again.code != 0 || again.stdout != "" || !contains(again.stderr, "removed 0 blobs") {
		t.Errorf("a second gc: exit %d, stdout %q, stderr:\n%s", again.code, again.stdout, again.stderr)
	}
}

// TestGCWaitsForARunningBuild: gc refuses at once while a build holds the
// layout, with --wait runs once the build has ended, and in both cases
// never removes anything while the build runs.
func TestGCWaitsForARunningBuild(t *testing.T) {
	requireTool(t, "cargo")
	env := isolatedEnv(t)
	dir := ociRef(t, krust(t, copyExample(t, t.TempDir()), env, append(slices.Clone(glibcScratch), "--oci-layout", filepath.Join(t.TempDir(), "oci"))...), "latest")
	stray := putBlob(t, dir, "application/octet-stream", []byte("nobody's"))
	doomed, release := stalledBuild(t, env, dir, "doomed")
	refused := krust(t, "", env, "gc", dir)
	assertCleanFailure(t, refused, "in use by a running build", "--wait")
	if !blobExists(dir, stray) {
		t.Fatal("gc removed a blob while a build held the layout")
	}
	waiting := startKrust(t, "", env, "gc", "--wait", dir)
	release()
	assertCleanFailure(t, doomed.wait(t))
	res := waiting.wait(t)
	if res.code != 0 || res.stdout != "" || !strings.Contains(res.stderr, "removed 1 blob ") {
		t.Errorf("gc --wait: exit %d, stdout %q, stderr:\n%s\nwant exit 0, 1 blob removed", res.code, res.stdout, res.stderr)
	}
	if blobExists(dir, stray) {
		t.Error("gc --wait left the unreachable blob")
	}
	for _, p := range layoutProblems(t, dir) {
		t.Errorf("after gc: %s", p)
	}
}

// TestGCWaitsForAPush: a push holds the layout too, so the blobs it reads
// stay even if its tag moves to another image meanwhile.
func TestGCWaitsForAPush(t *testing.T) {
	requireTool(t, "cargo")
	env := isolatedEnv(t)
	dir := ociRef(t, krust(t, copyExample(t, t.TempDir()), env, append(slices.Clone(glibcScratch), "--sbom", "none", "--provenance", "none", "--oci-layout", filepath.Join(t.TempDir(), "oci"))...), "latest")
	pushed := manifestFor(t, dir, "latest")
	asked := make(chan struct{})
	var once sync.Once
	stalled := testregistry.StartProxy(t, "http://127.0.0.1:9", "", func(int, *http.Request) string {
		once.Do(func() { close(asked) })
		return testregistry.FaultStall
	})
	push := startKrust(t, "", env, "push", "--timeout", "1m", "oci:"+dir+":latest", stalled.Host+"/app:v1")
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		_ = push.cmd.Process.Kill()
		t.Fatalf("the push never reached the registry; stderr:\n%s", push.wait(t).stderr)
	}
	// The tag goes elsewhere while the push runs: the image is unreachable.
	writeFile(t, filepath.Join(dir, "index.json"), `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`)
	assertCleanFailure(t, krust(t, "", env, "gc", dir), "in use by a running build")
	if !blobExists(dir, pushed) {
		t.Error("gc removed the manifest a push was reading")
	}
	stalled.Close()
	push.wait(t)
	res := krust(t, "", env, "gc", dir)
	if res.code != 0 || !contains(res.stderr, "removed 3 blobs") {
		t.Errorf("gc after the push: exit %d, stderr:\n%s\nwant the image's 3 blobs removed", res.code, res.stderr)
	}
}

func TestGCBadInputFailsCleanly(t *testing.T) {
	notLayout := t.TempDir()
	writeFile(t, filepath.Join(notLayout, "notes.txt"), "mine")
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, "x")
	tests := []struct {
		name string
		dir  string // where gc runs
		args []string
		want []string
	}{
		{"a directory that is not a layout", "", []string{"gc", notLayout}, []string{notLayout, "not an OCI image layout", "oci-layout, index.json"}},
		{"a file", "", []string{"gc", file}, []string{file, "not a directory"}},
		{"a missing directory", "", []string{"gc", filepath.Join(notLayout, "missing")}, []string{"no OCI layout at", "missing"}},
		{"an image rather than a layout", "", []string{"gc", "oci:" + notLayout + ":v1"}, []string{"drop :v1"}},
		{"no layout outside a project", notLayout, []string{"gc"}, []string{"no Cargo.toml here or above", "krust gc DIR"}},
		{"two layouts", "", []string{"gc", notLayout, file}, []string{"accepts at most 1 arg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, notLayout)
			assertCleanFailure(t, krust(t, tt.dir, nil, tt.args...), tt.want...)
			if after := snapshot(t, notLayout); after != before {
				t.Errorf("gc changed files:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
