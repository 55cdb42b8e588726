package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPushReferrersThroughTheTagSchema pushes an index whose two images
// have an SBOM and a provenance each to distribution 2.8, which has no
// referrers API and, as by default, refuses deletes: each image gets its
// sha256-<hex> referrers index, which oras and regctl read, and a second
// push uploads nothing.
func TestPushReferrersThroughTheTagSchema(t *testing.T) {
	orasCmd := requireTool(t, "oras", "CI installs it: go install oras.land/oras/cmd/oras@v1.3.6")
	regctl := requireTool(t, "regctl", "CI installs it: go install github.com/regclient/regclient/cmd/regctl@v0.11.7")
	ctx := context.Background()
	reg := testregistry.Start(t, testregistry.Options{NoDelete: true})
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	host := strings.TrimPrefix(proxy.URL(), "http://")
	store := newStore(t)
	a := writeAttached(t, store, "app")
	var events []Event
	c := New(Options{Progress: func(e Event) { events = append(events, e) }})
	target := mustNamed(t, host+"/team/app")

	res, err := c.Push(ctx, store, a.index, target, PushOptions{Tags: []string{"v1"}, Referrers: a.referrers})
	if err != nil {
		t.Fatalf("push with referrers: %v", err)
	}
	if res.Referrers != 4 {
		t.Errorf("PushResult.Referrers = %d, want 4", res.Referrers)
	}
	for _, e := range events {
		if e.Kind == BlobSkipped && (e.Blob.Digest == a.amd64.manifest.Digest || e.Blob.Digest == a.arm64.manifest.Digest) {
			t.Errorf("the push checked the registry again for %s, the subject it had just pushed", e.Blob.Digest)
		}
	}
	for _, img := range []testImage{a.amd64, a.arm64} {
		want := digests(a.byImage[img.manifest.Digest])
		tag := "sha256-" + img.manifest.Digest.Encoded()
		status, idx := testregistry.GetIndex(t, reg.URL()+"/v2/team/app/manifests/"+tag)
		if status != 200 || !slices.Equal(digests(idx.Manifests), want) {
			t.Errorf("referrers tag %s: %d, %v; want 200 listing %v", tag, status, digests(idx.Manifests), want)
		}
		for _, d := range idx.Manifests {
			if d.ArtifactType != spdxType && d.ArtifactType != provenanceType {
				t.Errorf("referrers index of %s lists %s with artifactType %q", ShortDigest(img.manifest.Digest), d.Digest, d.ArtifactType)
			}
		}
		ref := host + "/team/app@" + img.manifest.Digest.String()
		if got := orasDiscover(t, orasCmd, ref); !slices.Equal(got, want) {
			t.Errorf("oras discover %s = %v, want %v", ref, got, want)
		}
		if got := regctlList(t, regctl, host, ref); !slices.Equal(got, want) {
			t.Errorf("regctl artifact list %s = %v, want %v", ref, got, want)
		}
	}

	before := len(proxy.Requests())
	events = nil
	res, err = c.Push(ctx, store, a.index, target, PushOptions{Tags: []string{"v1"}, Referrers: a.referrers})
	if err != nil {
		t.Fatalf("second push: %v", err)
	}
	reqs := requestsSince(proxy, before)
	if n := countIn(reqs, "POST", "/blobs/uploads/") + countIn(reqs, "PUT", "/blobs/") + countIn(reqs, "PUT", "/manifests/sha256"); n != 0 || res.Pushed != 0 || res.Referrers != 4 {
		t.Errorf("second push: %d uploads, PushResult %+v; want nothing uploaded and 4 referrers", n, res)
	}
	for _, e := range events {
		if e.Kind == BlobDone || e.Kind == BlobStarted {
			t.Errorf("second push reported %v for %s", e.Kind, e.Blob.Digest)
		}
	}
}

// TestPushRepairsAReferrersIndexMissingAReferrer: a registry that has a
// referrer's manifest but does not list it (an earlier push stopped
// between the two, or another tool pushed it without the tag schema) gets
// the manifest again, which lists it.
func TestPushRepairsAReferrersIndexMissingAReferrer(t *testing.T) {
	ctx := context.Background()
	reg := testregistry.Start(t, testregistry.Options{})
	store := newStore(t)
	img := writeImage(t, store, linuxAmd64, "app")
	sbom := writeReferrer(t, store, img.manifest, spdxType, "app")
	c := New(Options{})
	target := mustNamed(t, reg.Host+"/app")
	// The referrer's blobs and manifest, PUT by digest without oras-go's
	// referrers handling: no sha256- tag.
	pushImage(t, c, reg.Host, "app", img, "latest")
	putRaw(t, store, reg, "app", sbom)
	tag := "sha256-" + img.manifest.Digest.Encoded()
	if status, _ := testregistry.GetIndex(t, reg.URL()+"/v2/app/manifests/"+tag); status != 404 {
		t.Fatalf("the setup left referrers tag %s (%d)", tag, status)
	}

	res, err := c.Push(ctx, store, img.manifest, target, PushOptions{Referrers: []ocispec.Descriptor{sbom}})
	if err != nil {
		t.Fatal(err)
	}
	status, idx := testregistry.GetIndex(t, reg.URL()+"/v2/app/manifests/"+tag)
	if status != 200 || !slices.Equal(digests(idx.Manifests), digests([]ocispec.Descriptor{sbom})) || res.Referrers != 1 {
		t.Errorf("referrers tag after the push: %d, %v (%+v); want it to list %s", status, digests(idx.Manifests), res, sbom.Digest)
	}
}

// putRaw puts desc's config, layers and manifest into repo with plain
// HTTP requests, as a tool that knows nothing of referrers would.
func putRaw(t *testing.T, store *layout.Layout, reg *testregistry.Registry, repo string, desc ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m); err != nil {
		t.Fatal(err)
	}
	for _, b := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		resp, err := http.Post(reg.URL()+"/v2/"+repo+"/blobs/uploads/", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("start an upload: %s, %v", resp.Status, err)
		}
		q := loc.Query()
		q.Set("digest", b.Digest.String())
		loc.RawQuery = q.Encode()
		put(t, store, http.MethodPut, loc.String(), b, "application/octet-stream")
	}
	put(t, store, http.MethodPut, reg.URL()+"/v2/"+repo+"/manifests/"+desc.Digest.String(), desc, desc.MediaType)
}

// put sends desc's blob from store to url, wanting 201 Created.
func put(t *testing.T, store *layout.Layout, method, url string, desc ocispec.Descriptor, contentType string) {
	t.Helper()
	data, err := oci.ReadBlob(context.Background(), store, desc, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%s %s: %s\n%s", method, url, resp.Status, body)
	}
}

// orasDiscover lists the direct referrers of ref with the oras CLI.
func orasDiscover(t *testing.T, orasCmd, ref string) []string {
	t.Helper()
	out := runTool(t, nil, orasCmd, "discover", "--plain-http", "--format", "json", "--depth", "1", ref)
	var got struct {
		Referrers []ocispec.Descriptor `json:"referrers"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("oras discover %s printed %s: %v", ref, out, err)
	}
	return digests(got.Referrers)
}

// regctlList lists the referrers of ref with regctl, configured in a home
// of its own to speak plain HTTP to host.
func regctlList(t *testing.T, regctl, host, ref string) []string {
	t.Helper()
	env := []string{"HOME=" + t.TempDir()}
	out := runTool(t, env, regctl, "--host", "reg="+host+",tls=disabled", "artifact", "list", ref, "--format", "{{json .Descriptors}}")
	var got []ocispec.Descriptor
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("regctl artifact list %s printed %s: %v", ref, out, err)
	}
	return digests(got)
}

// TestPushReferrersRetries: a referrer's manifest, or the referrers index
// of the tag schema, that fails on the way for a reason that may pass is
// sent again, as the image's blobs are.
func TestPushReferrersRetries(t *testing.T) {
	tests := []struct {
		name  string
		path  string // of the PUT that fails once
		fault string
	}{
		{"referrers index answered 503", "/manifests/sha256-", testregistry.Fault503},
		{"referrer manifest reset", "/manifests/sha256:", testregistry.FaultReset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := testregistry.Start(t, testregistry.Options{})
			store := newStore(t)
			img := writeImage(t, store, linuxAmd64, "app")
			sbom := writeReferrer(t, store, img.manifest, spdxType, "app")
			proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
			host := strings.TrimPrefix(proxy.URL(), "http://")
			c := New(Options{})
			pushImage(t, c, host, "app", img, "latest")
			injected := 0
			proxy.SetFault(func(_ int, r *http.Request) string {
				if r.Method == http.MethodPut && strings.Contains(r.URL.Path, tt.path) && injected == 0 {
					injected++
					return tt.fault
				}
				return testregistry.FaultNone
			})
			res, err := c.Push(context.Background(), store, img.manifest, mustNamed(t, host+"/app"), PushOptions{Referrers: []ocispec.Descriptor{sbom}})
			if err != nil || res.Referrers != 1 || injected != 1 {
				t.Fatalf("push through one %s: %+v, %v (%d injected)", tt.fault, res, err, injected)
			}
			status, idx := testregistry.GetIndex(t, reg.URL()+"/v2/app/manifests/sha256-"+img.manifest.Digest.Encoded())
			if status != http.StatusOK || !slices.Equal(digests(idx.Manifests), digests([]ocispec.Descriptor{sbom})) {
				t.Errorf("referrers index after the retry: %d, %v", status, digests(idx.Manifests))
			}
		})
	}
}
