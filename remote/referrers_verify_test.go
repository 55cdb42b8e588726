package remote

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPushFailsUnlessTheRegistryListsItsReferrers: a registry that
// accepts referrers and does not list them by the route they were pushed
// by fails the push, with an error that says the image is pushed and its
// SBOM and provenance are not; the image is there, under its tag.
// distribution 2.8 behind a proxy that lies plays each registry.
func TestPushFailsUnlessTheRegistryListsItsReferrers(t *testing.T) {
	tests := []struct {
		name string
		// lie returns the fault for a request, given the referrers'
		// digests.
		lie func(refs map[string]bool, r *http.Request) string
	}{
		{"a referrers API that lists nothing and stores nothing", func(refs map[string]bool, r *http.Request) string {
			switch {
			case strings.Contains(r.URL.Path, "/referrers/"):
				return testregistry.FaultEmptyReferrers
			case r.Method == http.MethodPut && refs[lastPart(r.URL.Path)]:
				return testregistry.FaultDrop
			}
			return testregistry.FaultNone
		}},
		{"a referrers API that lists nothing", func(_ map[string]bool, r *http.Request) string {
			if strings.Contains(r.URL.Path, "/referrers/") {
				return testregistry.FaultEmptyReferrers
			}
			return testregistry.FaultNone
		}},
		{"no API, and the referrers index dropped", func(_ map[string]bool, r *http.Request) string {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") {
				return testregistry.FaultDrop
			}
			return testregistry.FaultNone
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := testregistry.Start(t, testregistry.Options{})
			store := newStore(t)
			img := writeImage(t, store, linuxAmd64, "app")
			refs := []ocispec.Descriptor{writeReferrer(t, store, img.manifest, spdxType, "app"), writeReferrer(t, store, img.manifest, provenanceType, "app")}
			digests := map[string]bool{}
			for _, r := range refs {
				digests[r.Digest.String()] = true
			}
			proxy := testregistry.StartProxy(t, reg.URL(), "", func(_ int, r *http.Request) string { return tt.lie(digests, r) })
			host := strings.TrimPrefix(proxy.URL(), "http://")
			res, err := New(Options{}).Push(context.Background(), store, img.manifest, mustNamed(t, host+"/app"), PushOptions{Tags: []string{"v1"}, Referrers: refs})
			if err == nil {
				t.Fatalf("push succeeded (%+v), although the registry lists none of its referrers", res)
			}
			assertIncomplete(t, err, host+"/app@"+img.manifest.Digest.String(), "its SBOM and provenance were not")
			if !errors.Is(err, ErrNotListed) {
				t.Errorf("error %v, want ErrNotListed", err)
			}
			assertTagged(t, reg, "app", "v1", img.manifest.Digest)
		})
	}
}

// TestPushSaysWhatWasPushedWhenAReferrerIsRefused: a registry that
// refuses a referrer's manifest, the sha256- tag of the referrers index,
// or the image's second tag, with 403 after it took the image: the error
// says the image is pushed (and which tags and referrers are), that the
// rest are not, and does not blame the account's permissions, which let
// it push the image.
func TestPushSaysWhatWasPushedWhenAReferrerIsRefused(t *testing.T) {
	tests := []struct {
		name string
		// refuse reports whether to refuse the PUT of path, given the
		// digests of the referrers and of the second image.
		refuse func(refs map[string]bool, arm64 digest.Digest, path string) bool
		tagged string   // the tags set, as the error says them
		want   []string // in the error
	}{
		{"the sha256- tags", func(_ map[string]bool, _ digest.Digest, path string) bool {
			return strings.Contains(path, "/manifests/sha256-")
		}, "v1, v2", []string{"; its 2 SBOMs and 2 provenance statements were not", "sha256-", "403"}},
		{"the referrer manifests", func(refs map[string]bool, _ digest.Digest, path string) bool {
			return refs[lastPart(path)]
		}, "v1, v2", []string{"; its 2 SBOMs and 2 provenance statements were not", "push referrer", "403"}},
		{"the second image's sha256- tag", func(_ map[string]bool, arm64 digest.Digest, path string) bool {
			return strings.HasSuffix(path, "/manifests/"+referrersTag(ocispec.Descriptor{Digest: arm64}))
		}, "v1, v2", []string{" and 2 of its 4 referrers; the rest, its SBOM and provenance, were not", "sha256-", "403"}},
		{"the second tag", func(_ map[string]bool, _ digest.Digest, path string) bool {
			return strings.HasSuffix(path, "/manifests/v2")
		}, "v1", []string{"; tag v2 and its 2 SBOMs and 2 provenance statements were not", "denied tag v2 (403 Forbidden)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := testregistry.Start(t, testregistry.Options{})
			store := newStore(t)
			a := writeAttached(t, store, "app")
			refs := map[string]bool{}
			for _, r := range a.referrers {
				refs[r.Digest.String()] = true
			}
			proxy := testregistry.StartProxy(t, reg.URL(), "", func(_ int, r *http.Request) string {
				if r.Method == http.MethodPut && tt.refuse(refs, a.arm64.manifest.Digest, r.URL.Path) {
					return testregistry.Fault403
				}
				return testregistry.FaultNone
			})
			host := strings.TrimPrefix(proxy.URL(), "http://")
			_, err := New(Options{}).Push(context.Background(), store, a.index, mustNamed(t, host+"/team/app"), PushOptions{Tags: []string{"v1", "v2"}, Referrers: a.referrers})
			if err == nil {
				t.Fatal("push succeeded although the registry refused part of it")
			}
			assertIncomplete(t, err, host+"/team/app@"+a.index.Digest.String()+" (tagged "+tt.tagged+")", tt.want...)
			for _, wrong := range []string{"lacks permission", "log in"} {
				if strings.Contains(err.Error(), wrong) {
					t.Errorf("error says %q, although the account pushed the image:\n%v", wrong, err)
				}
			}
			assertTagged(t, reg, "team/app", "v1", a.index.Digest)
		})
	}
}

// assertIncomplete checks that err is an IncompleteError whose message
// starts "pushed REF" and holds want.
func assertIncomplete(t *testing.T, err error, ref string, want ...string) {
	t.Helper()
	var inc *IncompleteError
	if !errors.As(err, &inc) {
		t.Errorf("error %v is no IncompleteError", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "pushed "+ref) {
		t.Errorf("error does not start by saying what was pushed (%s):\n%s", ref, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not say %q:\n%s", w, msg)
		}
	}
}

// assertTagged checks that the registry serves want under repo:tag.
func assertTagged(t *testing.T, reg *testregistry.Registry, repo, tag string, want digest.Digest) {
	t.Helper()
	status, idx := testregistry.Get(t, reg.URL()+"/v2/"+repo+"/manifests/"+tag, ocispec.MediaTypeImageManifest+","+ocispec.MediaTypeImageIndex)
	if status != http.StatusOK || digest.FromBytes(idx) != want {
		t.Errorf("%s:%s is %d %s, want %s", repo, tag, status, digest.FromBytes(idx), want)
	}
}

// lastPart returns what follows the last slash of path.
func lastPart(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}
