package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// testPushToTagSchema: `krust build` with a registry, distribution 2.8,
// which has no referrers API, pushes the documents under the sha256-HEX
// tag, where oras and regctl find them; they are those of the --no-push
// build, as the documents name the package, not the repository.
func testPushToTagSchema(t *testing.T, b cratesBuild) {
	reg := testregistry.Start(t, testregistry.Options{})
	res := krust(t, b.project, isolatedEnv(t), "build", "--libc", "glibc", "--base", "scratch", "--tag", "v1",
		"--repo", reg.Host+"/team", "--oci-layout", filepath.Join(t.TempDir(), "pushed"))
	ref := pushedRef(t, res, reg.Host+"/team/crates-krust")
	if !strings.HasSuffix(ref, "@"+b.image.Digest.String()) {
		t.Errorf("pushed %s, want the --no-push build's image %s", ref, b.image.Digest)
	}
	want := digestsOf(b.referrers)
	if got := orasDiscover(t, ref, "--plain-http"); !slices.Equal(digestsOf(got), want) {
		t.Errorf("oras discover %s finds %v, want %v", ref, digestsOf(got), want)
	}
	if got := regctlArtifacts(t, reg.Host, ref); !slices.Equal(digestsOf(got), want) {
		t.Errorf("regctl artifact list %s finds %v, want %v", ref, digestsOf(got), want)
	}
	// What made that work is the tag schema: the registry has no API.
	repo := reg.URL() + "/v2/team/crates-krust"
	if status, _ := testregistry.Get(t, repo+"/referrers/"+b.image.Digest.String(), ocispec.MediaTypeImageIndex); status != http.StatusNotFound {
		t.Errorf("distribution 2.8 answered %d to the referrers API, want 404: this test no longer tests the tag schema", status)
	}
	status, body := testregistry.Get(t, repo+"/manifests/sha256-"+b.image.Digest.Encoded(), ocispec.MediaTypeImageIndex)
	var idx ocispec.Index
	if err := json.Unmarshal(body, &idx); status != http.StatusOK || err != nil {
		t.Fatalf("referrers tag sha256-%s: %d %s", b.image.Digest.Encoded(), status, body)
	}
	sortDescriptors(idx.Manifests)
	if !slices.Equal(artifactTypes(idx.Manifests), []string{spdxArtifact, provenanceArtifact}) || !slices.Equal(digestsOf(idx.Manifests), want) {
		t.Errorf("referrers tag lists %v, want %v", idx.Manifests, b.referrers)
	}
	// The document itself comes back from the registry.
	spdx := byArtifactType(t, b.referrers)[spdxArtifact]
	out := t.TempDir()
	mustRun(t, "", "oras", "pull", "--plain-http", reg.Host+"/team/crates-krust@"+spdx.Digest.String(), "--output", out)
	_, local := orasPullDocument(t, b.layout, spdx.Digest.String())
	if pulled := readFileBytes(t, filepath.Join(out, "crates-krust.spdx.json")); !bytes.Equal(pulled, local) {
		t.Error("the SBOM pulled from the registry is not the layout's")
	}
}

// testAirGapCarriesReferrers: a --no-push build's layout, carried
// elsewhere, pushed with `krust push`, brings its documents; pushed
// again, nothing is uploaded.
func testAirGapCarriesReferrers(t *testing.T, b cratesBuild) {
	reg := testregistry.Start(t, testregistry.Options{})
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	carried := filepath.Join(t.TempDir(), "carried")
	mustRun(t, "", "cp", "-a", b.layout, carried)
	env := isolatedEnv(t)
	push := func() string {
		return pushedRef(t, krust(t, "", env, "push", "oci:"+carried+":v1", proxy.Host+"/other/app:v1"), proxy.Host+"/other/app")
	}
	ref := push()
	if !strings.HasSuffix(ref, "@"+b.image.Digest.String()) {
		t.Errorf("pushed %s, want the layout's %s", ref, b.image.Digest)
	}
	direct := reg.Host + "/other/app@" + b.image.Digest.String()
	if got := orasDiscover(t, direct, "--plain-http"); !slices.Equal(digestsOf(got), digestsOf(b.referrers)) {
		t.Errorf("oras discover %s finds %v, want the layout's %v", direct, digestsOf(got), digestsOf(b.referrers))
	}
	before := len(proxy.Requests())
	if again := push(); again != ref {
		t.Errorf("second push printed %s, first %s", again, ref)
	}
	second := proxy.Requests()[before:]
	if len(second) == 0 {
		t.Fatal("the second push sent no request through the proxy: this test checks nothing")
	}
	for _, r := range second {
		upload := r.Method == http.MethodPost && strings.Contains(r.Path, "/blobs/uploads/") ||
			r.Method == http.MethodPut && (strings.Contains(r.Path, "/blobs/") || strings.Contains(r.Path, "/manifests/sha256"))
		if upload {
			t.Errorf("second push of the same layout sent %s %s", r.Method, r.Path)
		}
	}
}

// testConsumersIgnoreReferrers: skopeo, umoci and the Docker Engine still
// find the tagged image in a layout that lists referrers.
func testConsumersIgnoreReferrers(t *testing.T, b cratesBuild) {
	for _, tool := range []string{"skopeo", "umoci", "docker"} {
		requireTool(t, tool)
	}
	var inspect struct{ Digest, Architecture string }
	mustJSON(t, mustRun(t, "", "skopeo", "inspect", "oci:"+b.layout+":v1"), &inspect)
	if inspect.Digest != b.image.Digest.String() || inspect.Architecture != "amd64" {
		t.Errorf("skopeo inspect oci:%s:v1 found %+v, want the amd64 image %s", b.layout, inspect, b.image.Digest)
	}
	bundle := filepath.Join(t.TempDir(), "bundle")
	mustRun(t, "", "umoci", "unpack", "--rootless", "--image", b.layout+":v1", bundle)
	status := runStatus(t, mustRun(t, "", "chroot", filepath.Join(bundle, "rootfs"), "/app/crates-krust", "umoci"))
	if status.Greeting != "Hello, umoci!" || status.Arch != "x86_64" {
		t.Errorf("the unpacked binary printed %+v", status)
	}

	tag := "e2e-" + randomHex(t)
	removeImage(t, "krust.local/crates-krust:"+tag)
	dir := filepath.Join(t.TempDir(), "loaded")
	id := imageID(t, krust(t, b.project, nil, "build", "--libc", "glibc", "--base", "scratch", "--tag", tag, "--load", "--oci-layout", dir))
	if len(layoutReferrers(t, dir)) != 2 {
		t.Errorf("the --load build's layout lists %v, want its two documents", layoutReferrers(t, dir))
	}
	status = runStatus(t, mustRun(t, "", "docker", "run", "--rm", "--network", "none", id, "docker"))
	if status.Greeting != "Hello, docker!" || status.Service != "crates-krust" {
		t.Errorf("docker run %s printed %+v", id, status)
	}
}

// cratesStatus is the line crates-krust prints.
type cratesStatus struct {
	Service, Greeting, Arch, Rustc string
	Side                           string
}

func runStatus(t *testing.T, out string) cratesStatus {
	t.Helper()
	var s cratesStatus
	mustJSON(t, strings.TrimSpace(out), &s)
	return s
}

func readFileBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
