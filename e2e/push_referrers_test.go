package e2e

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPushSaysWhatWasPushedWhenReferrersFail: krust push of a build with
// its SBOM and provenance to registries that take the image but not its
// documents fails, with nothing on stdout and an error that starts with
// what was pushed and says what was not; the image is in the registry
// under its tag. Registries: one whose rules forbid the sha256- tag of
// the referrers tag schema (403; the account may push, so the error does
// not blame its permissions), one that answers the referrers API with an
// empty list and drops what it is given, and one whose API lists nothing.
// distribution 2.8 behind a proxy that lies plays each.
func TestPushSaysWhatWasPushedWhenReferrersFail(t *testing.T) {
	requireTool(t, "cargo")
	env := isolatedEnv(t)
	dir := ociRef(t, krust(t, copyExample(t, t.TempDir()), env, append(slices.Clone(glibcScratch), "--oci-layout", filepath.Join(t.TempDir(), "oci"))...), "latest")
	image := manifestFor(t, dir, "latest")
	referrers := map[string]bool{}
	for _, r := range orasDiscover(t, dir+":latest", "--oci-layout") {
		referrers[r.Digest.String()] = true
	}
	if len(referrers) != 2 {
		t.Fatalf("the build attached %d referrers, want an SBOM and a provenance", len(referrers))
	}
	tests := []struct {
		name  string
		fault func(r *http.Request) string
		want  []string
	}{
		{"403 on the sha256- tag", func(r *http.Request) string {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") {
				return testregistry.Fault403
			}
			return testregistry.FaultNone
		}, []string{"403 Forbidden", "sha256-<hex> tags", "so the account may push there"}},
		{"a referrers API that lists nothing and stores nothing", func(r *http.Request) string {
			switch {
			case strings.Contains(r.URL.Path, "/referrers/"):
				return testregistry.FaultEmptyReferrers
			case r.Method == http.MethodPut && referrers[r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]]:
				return testregistry.FaultDrop
			}
			return testregistry.FaultNone
		}, []string{"referrer not listed", "by the referrers API"}},
		{"a referrers API that lists nothing", func(r *http.Request) string {
			if strings.Contains(r.URL.Path, "/referrers/") {
				return testregistry.FaultEmptyReferrers
			}
			return testregistry.FaultNone
		}, []string{"referrer not listed", "by the referrers API"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := testregistry.Start(t, testregistry.Options{})
			proxy := testregistry.StartProxy(t, reg.URL(), "", func(_ int, r *http.Request) string { return tt.fault(r) })
			host := strings.TrimPrefix(proxy.URL(), "http://")
			res := krust(t, "", env, "push", "oci:"+dir+":latest", host+"/team/app:v1")
			pushed := "pushed " + host + "/team/app@" + image.Digest.String() + " (tagged v1); its SBOM and provenance were not: "
			assertCleanFailure(t, res, append([]string{pushed}, tt.want...)...)
			if strings.Contains(res.stderr, "lacks permission") {
				t.Errorf("the error blames the account's permissions, although it pushed the image:\n%s", res.stderr)
			}
			status, body := testregistry.Get(t, reg.URL()+"/v2/team/app/manifests/v1", ocispec.MediaTypeImageManifest)
			if status != http.StatusOK || digest.FromBytes(body) != image.Digest {
				t.Errorf("team/app:v1 is %d %s, want the image %s", status, digest.FromBytes(body), image.Digest)
			}
		})
	}
}
