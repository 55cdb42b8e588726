package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// sigArtifact is the artifact type of the signatures other tools attach
// in these tests.
const sigArtifact = "application/vnd.example.sig"

// TestGCFreesTheDocumentsRebuildsSupersede: ten real builds of the same
// image with other cargo arguments (-j N), each with a new provenance, and
// a signature oras attach adds to the layout: gc leaves exactly the
// blobs index.json reaches (the image, the last build's SBOM and
// provenance, the signature), and a valid layout. That layout, pushed and
// copied back by oras cp with its referrers, keeps all of them through gc
// too. The push uploads the empty config the referrers share once and
// writes the referrers index once.
func TestGCFreesTheDocumentsRebuildsSupersede(t *testing.T) {
	for _, tool := range []string{"cargo", "skopeo", "oras"} {
		requireTool(t, tool)
	}
	env := isolatedEnv(t)
	project := copyExample(t, t.TempDir())
	dir := filepath.Join(t.TempDir(), "oci")
	build := func(jobs int) ocispec.Descriptor {
		args := append(slices.Clone(glibcScratch), "--oci-layout", dir, "--", "-j", fmt.Sprint(jobs))
		ociRef(t, krust(t, project, env, args...), "latest")
		return manifestFor(t, dir, "latest")
	}
	image := build(1)
	orasAttach(t, "--oci-layout", dir+":latest")
	unlisted := putReferrer(t, dir, image, `{"spdxVersion":"SPDX-2.3","name":"unlisted"}`)
	for jobs := 2; jobs <= 10; jobs++ {
		if got := build(jobs); got.Digest != image.Digest {
			t.Fatalf("build with -j %d made image %s, not %s: the test needs the same image", jobs, got.Digest, image.Digest)
		}
	}
	before := blobCount(t, dir)
	res := krust(t, "", env, "gc", dir)
	reached := reachableBlobs(t, dir)
	// The image's manifest, config and layer; the SBOM's and provenance's
	// manifests and documents and the empty config they share; the
	// signature's manifest and document.
	const want = 3 + 2 + 2 + 1 + 2
	if after := blobCount(t, dir); res.code != 0 || after != want || len(reached) != want {
		t.Errorf("gc after 10 builds: exit %d, %d blobs before, %d after, %d reachable; want %d left, all reachable\n%s", res.code, before, after, len(reached), want, res.stderr)
	}
	if !contains(res.stderr, fmt.Sprintf("removed %d blobs", before-want)) {
		t.Errorf("gc says:\n%s\nwant %d blobs removed", res.stderr, before-want)
	}
	for _, d := range unlisted {
		if blobExists(dir, d) {
			t.Errorf("gc kept %s of a referrer index.json does not list", d.Digest)
		}
	}
	for _, p := range layoutProblems(t, dir) {
		t.Errorf("after gc: %s", p)
	}
	listed := referrerTypes(t, orasDiscover(t, dir+":latest", "--oci-layout"))
	if !slices.Equal(listed, []string{spdxArtifact, sigArtifact, provenanceArtifact}) {
		t.Errorf("oras discover --oci-layout lists %v after gc, want an SBOM, a signature and a provenance", listed)
	}
	copied := pushAndCopyBack(t, env, dir)
	copiedBefore := blobCount(t, copied)
	res = krust(t, "", env, "gc", copied)
	if res.code != 0 || !contains(res.stderr, "removed 0 blobs") || blobCount(t, copied) != copiedBefore || len(reachableBlobs(t, copied)) != copiedBefore {
		t.Errorf("gc of the layout oras cp wrote: exit %d, %d blobs before, %d after\n%s", res.code, copiedBefore, blobCount(t, copied), res.stderr)
	}
	if got := referrerTypes(t, orasDiscover(t, copied+":v1", "--oci-layout")); !slices.Equal(got, listed) {
		t.Errorf("after gc oras discover lists %v in the copy, want %v", got, listed)
	}
}

// pushAndCopyBack pushes dir's latest to a registry, through a proxy that
// counts uploads, and copies it back with oras cp -r into a new layout,
// which it returns.
func pushAndCopyBack(t *testing.T, env []string, dir string) string {
	t.Helper()
	reg := testregistry.Start(t, testregistry.Options{})
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	host := strings.TrimPrefix(proxy.URL(), "http://")
	ref := pushedRef(t, krust(t, "", env, "push", "oci:"+dir+":latest", host+"/team/app:v1"), host+"/team/app")
	// The image's config and layer, the three documents, the empty config.
	if n := proxy.Count(http.MethodPost, "/blobs/uploads/"); n != 6 {
		t.Errorf("the push started %d uploads, want 6: one per blob", n)
	}
	if n := proxy.Count(http.MethodPut, "/manifests/sha256-"); n != 1 {
		t.Errorf("the push wrote the referrers index %d times, want once", n)
	}
	copied := filepath.Join(t.TempDir(), "copy")
	mustRun(t, "", "oras", "cp", "-r", "--from-plain-http", ref, "--to-oci-layout", copied+":v1")
	return copied
}

// orasAttach attaches a signature to target with oras attach, adding
// args (--oci-layout, --plain-http).
func orasAttach(t *testing.T, args ...string) {
	t.Helper()
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "sig.json"), `{"signed":"by another tool"}`)
	mustRun(t, work, "oras", append([]string{"attach", "--artifact-type", sigArtifact}, append(args, "sig.json:application/json")...)...)
}

// referrerTypes returns the sorted artifact types of refs.
func referrerTypes(t *testing.T, refs []ocispec.Descriptor) []string {
	t.Helper()
	var out []string
	for _, r := range refs {
		out = append(out, r.ArtifactType)
	}
	slices.Sort(out)
	return out
}

// blobCount counts the files in dir's blobs/sha256.
func blobCount(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// reachableBlobs walks the layout in dir from index.json, as the image
// spec defines it and no code of krust's: each entry, and for manifests
// their config, layers and subject, for indexes their manifests.
func reachableBlobs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
	seen := map[string]bool{}
	queue := slices.Clone(idx.Manifests)
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if seen[d.Digest.String()] {
			continue
		}
		seen[d.Digest.String()] = true
		switch {
		case oci.IsIndex(d.MediaType):
			var i ocispec.Index
			readJSONFile(t, blobPath(dir, d), &i)
			queue = append(queue, i.Manifests...)
		case oci.IsManifest(d.MediaType):
			var m ocispec.Manifest
			readJSONFile(t, blobPath(dir, d), &m)
			queue = append(queue, m.Config)
			queue = append(queue, m.Layers...)
			if m.Subject != nil {
				queue = append(queue, *m.Subject)
			}
		}
	}
	return seen
}
