package remote

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestPushSkipsWhatExists(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "push twice")
	ctx := context.Background()
	target := mustNamed(t, proxy.Host+"/team/app")
	tags := []string{"v1", "latest", "1.0.0"}
	wantRef := proxy.Host + "/team/app@" + img.manifest.Digest.String()

	first, err := New(Options{}).Push(ctx, src, img.manifest, target, PushOptions{Tags: tags})
	if err != nil {
		t.Fatalf("first push: %v", err)
	}
	if first.Reference != wantRef {
		t.Errorf("first push: Reference = %q, want %q", first.Reference, wantRef)
	}
	if first.Pushed != 3 || first.Skipped != 0 || first.Mounted != 0 {
		t.Errorf("first push: pushed %d, skipped %d, mounted %d; want 3 (layer, config, manifest), 0, 0", first.Pushed, first.Skipped, first.Mounted)
	}
	var total int64
	for _, d := range img.all() {
		total += d.Size
	}
	if first.Bytes != total {
		t.Errorf("first push: Bytes = %d, want %d", first.Bytes, total)
	}
	if n := proxy.Count("PUT", "/blobs/uploads/"); n != 2 {
		t.Errorf("first push completed %d blob uploads, want 2 (layer and config)", n)
	}

	before := len(proxy.Requests())
	second, err := New(Options{}).Push(ctx, src, img.manifest, target, PushOptions{Tags: tags})
	if err != nil {
		t.Fatalf("second push: %v", err)
	}
	reqs := requestsSince(proxy, before)
	if n := countIn(reqs, "PUT", "/blobs/uploads/"); n != 0 {
		t.Errorf("second push completed %d blob uploads, want 0", n)
	}
	if n := countIn(reqs, "POST", "/blobs/uploads/"); n != 0 {
		t.Errorf("second push started %d blob uploads, want 0", n)
	}
	if second.Pushed != 0 || second.Skipped < 1 || second.Bytes != 0 {
		t.Errorf("second push: pushed %d, skipped %d, %d bytes; want 0, >= 1, 0", second.Pushed, second.Skipped, second.Bytes)
	}
	if second.Reference != wantRef {
		t.Errorf("second push: Reference = %q, want %q", second.Reference, wantRef)
	}

	repo, err := New(Options{}).Repository(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		got, err := repo.Resolve(ctx, tag)
		if err != nil {
			t.Errorf("resolve %s: %v", tag, err)
			continue
		}
		if got.Digest != img.manifest.Digest {
			t.Errorf("tag %s is %s, want %s", tag, got.Digest, img.manifest.Digest)
		}
	}
}

func TestPushDefaultTagLatest(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "latest")
	res := pushImage(t, New(Options{}), reg.Host, "app", img)
	if want := reg.Host + "/app@" + img.manifest.Digest.String(); res.Reference != want {
		t.Errorf("Reference = %q, want %q", res.Reference, want)
	}
	ctx := context.Background()
	repo, err := New(Options{}).Repository(ctx, mustNamed(t, reg.Host+"/app"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.Resolve(ctx, "latest")
	if err != nil || got.Digest != img.manifest.Digest {
		t.Errorf("app:latest = %s, %v; want %s", got.Digest, err, img.manifest.Digest)
	}
}

// TestPushIndex pushes a multi-platform index with Client.Push and pulls
// each platform back.
func TestPushIndex(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	idx := writeIndex(t, src, "push index")
	res, err := New(Options{}).Push(context.Background(), src, idx.index, mustNamed(t, reg.Host+"/multi"), PushOptions{Tags: []string{"v2"}})
	if err != nil {
		t.Fatalf("push index: %v", err)
	}
	if want := reg.Host + "/multi@" + idx.index.Digest.String(); res.Reference != want {
		t.Errorf("Reference = %q, want %q", res.Reference, want)
	}
	// index + 2 × (manifest, config, layer) + attestation (manifest, config, statement)
	if res.Pushed != 10 {
		t.Errorf("Pushed = %d, want 10", res.Pushed)
	}
	for _, img := range []testImage{idx.amd64, idx.arm64} {
		dst := newStore(t)
		var p ocispec.Platform
		if img.manifest.Digest == idx.amd64.manifest.Digest {
			p = linuxAmd64
		} else {
			p = linuxArm64
		}
		base, err := New(Options{}).PullBase(context.Background(), reg.Host+"/multi:v2", p, dst)
		if err != nil {
			t.Fatalf("pull %v: %v", p, err)
		}
		if base.Manifest.Digest != img.manifest.Digest {
			t.Errorf("pull %v: got %s, want %s", p, base.Manifest.Digest, img.manifest.Digest)
		}
		assertSameBlobs(t, dst, src, img.all()...)
	}
}

func TestPushMountsFromBase(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	baseImg := writeImage(t, src, linuxAmd64, "the base")
	c := New(Options{})
	pushImage(t, c, reg.Host, "base", baseImg, "v1")
	app := writeImage(t, src, linuxAmd64, "the app", baseImg.layers...)

	tests := []struct {
		name      string
		repo      string
		mountFrom func(proxyHost string) []reference.Named
		wantMount bool
	}{
		{"same registry", "app", func(h string) []reference.Named { return []reference.Named{mustNamed(t, h+"/base:v1")} }, true},
		{"other registry", "app2", func(string) []reference.Named { return []reference.Named{mustNamed(t, "ghcr.io/o/base:v1")} }, false},
		{"no mount source", "app3", func(string) []reference.Named { return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
			var debug syncBuffer
			res, err := New(Options{Debug: &debug}).Push(context.Background(), src, app.manifest, mustNamed(t, proxy.Host+"/"+tt.repo),
				PushOptions{Tags: []string{"v1"}, MountFrom: tt.mountFrom(proxy.Host)})
			if err != nil {
				t.Fatalf("push: %v", err)
			}
			// The proxy records paths without the query; a mount is a
			// POST to /blobs/uploads/ answered 201 Created, where an
			// upload start is answered 202 Accepted. The debug log shows
			// the query.
			mounts := 0
			for _, r := range proxy.Requests() {
				if r.Method == http.MethodPost && strings.Contains(r.Path, "/"+tt.repo+"/blobs/uploads/") && r.Status == http.StatusCreated {
					mounts++
				}
			}
			mountQuery := "mount=" + url.QueryEscape(baseImg.layer.Digest.String())
			if tt.wantMount {
				if res.Mounted < 1 {
					t.Errorf("Mounted = %d, want >= 1", res.Mounted)
				}
				if mounts < 1 {
					t.Errorf("no POST to /blobs/uploads/ answered 201 (a mount): %v", proxy.Requests())
				}
				if !strings.Contains(debug.String(), mountQuery) || !strings.Contains(debug.String(), "from=base") {
					t.Errorf("debug log shows no mount of %s from base:\n%s", baseImg.layer.Digest, debug.String())
				}
				if res.Pushed != 3 { // app layer, config, manifest
					t.Errorf("Pushed = %d, want 3 (the base layer is mounted)", res.Pushed)
				}
			} else {
				if res.Mounted != 0 || mounts != 0 || strings.Contains(debug.String(), "mount=") {
					t.Errorf("mounted %d blobs (%d 201 POSTs) with no mount source on this registry; debug:\n%s", res.Mounted, mounts, debug.String())
				}
				if res.Pushed != 4 {
					t.Errorf("Pushed = %d, want 4", res.Pushed)
				}
			}
			// Either way the image is complete in the target repository.
			dst := newStore(t)
			base, err := New(Options{}).PullBase(context.Background(), reg.Host+"/"+tt.repo+":v1", linuxAmd64, dst)
			if err != nil {
				t.Fatalf("pull pushed image: %v", err)
			}
			if base.Manifest.Digest != app.manifest.Digest {
				t.Errorf("pulled %s, want %s", base.Manifest.Digest, app.manifest.Digest)
			}
			assertSameBlobs(t, dst, src, app.all()...)
		})
	}
}

// pushRepeats is how often TestTransientFaults pushes under each plan.
const pushRepeats = 12

func TestTransientFaults(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, strings.Repeat("flaky ", 10000))
	idx := writeIndex(t, src, "flaky index")
	c := New(Options{})
	pushImage(t, c, reg.Host, "single", img, "v1")
	pushIndex(t, c, reg.Host, "multi", "v1", idx)

	tests := []struct {
		name  string
		fault testregistry.Fault
	}{
		{"every third request 503", testregistry.Every(3, testregistry.Fault503)},
		{"first two requests reset", testregistry.FirstN(2, testregistry.FaultReset)},
		{"every fourth request reset", testregistry.Every(4, testregistry.FaultReset)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()

			// Which request a periodic fault hits depends on the order
			// of CopyGraph's concurrent requests, so push several times,
			// each through a new proxy, to cover several orders.
			proxies := make([]*testregistry.Proxy, pushRepeats)
			for k := range proxies {
				proxies[k] = testregistry.StartProxy(t, reg.URL(), "", tt.fault)
			}
			var wg sync.WaitGroup
			for k, proxy := range proxies {
				name := fmt.Sprintf("%s/flaky%d-%d", proxy.Host, i, k)
				target := mustNamed(t, name)
				wg.Go(func() {
					res, err := New(Options{}).Push(ctx, src, img.manifest, target, PushOptions{Tags: []string{"v1"}})
					if err != nil {
						t.Errorf("push %d of %d through flaky proxy: %v", k+1, pushRepeats, err)
						return
					}
					if res.Reference != name+"@"+img.manifest.Digest.String() {
						t.Errorf("Reference = %q", res.Reference)
					}
				})
			}
			wg.Wait()

			proxy := testregistry.StartProxy(t, reg.URL(), "", tt.fault)
			dst := newStore(t)
			base, err := New(Options{}).PullBase(ctx, proxy.Host+"/single:v1", linuxAmd64, dst)
			if err != nil {
				t.Errorf("pull image through flaky proxy: %v", err)
			} else if base.Manifest.Digest != img.manifest.Digest {
				t.Errorf("pulled %s, want %s", base.Manifest.Digest, img.manifest.Digest)
			} else {
				assertSameBlobs(t, dst, src, img.all()...)
			}

			proxy = testregistry.StartProxy(t, reg.URL(), "", tt.fault)
			dst = newStore(t)
			base, err = New(Options{}).PullBase(ctx, proxy.Host+"/multi:v1", linuxArm64, dst)
			if err != nil {
				t.Errorf("pull index through flaky proxy: %v", err)
			} else if base.Manifest.Digest != idx.arm64.manifest.Digest {
				t.Errorf("pulled %s, want %s", base.Manifest.Digest, idx.arm64.manifest.Digest)
			} else {
				assertSameBlobs(t, dst, src, idx.arm64.all()...)
			}
			faulted := 0
			for _, r := range proxy.Requests() {
				if r.Fault != testregistry.FaultNone {
					faulted++
				}
			}
			if faulted == 0 {
				t.Errorf("the proxy injected no fault during the index pull: %v", proxy.Requests())
			}
		})
	}
}

// onPut injects fault into the first times PUT requests whose path
// contains substr and whose digest query parameter is dgst.
func onPut(substr, dgst, fault string, times int) testregistry.Fault {
	var mu sync.Mutex
	hits := 0
	return func(_ int, r *http.Request) string {
		if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, substr) || r.URL.Query().Get("digest") != dgst {
			return testregistry.FaultNone
		}
		mu.Lock()
		defer mu.Unlock()
		if hits >= times {
			return testregistry.FaultNone
		}
		hits++
		return fault
	}
}

// TestPushRetriesFailedBlobUpload checks that a blob upload answered 503
// once is tried again on its own: the HTTP layer cannot replay its
// streamed body (HEAD, GET, POST and the tag PUTs it does replay), and
// nothing retries the whole push.
func TestPushRetriesFailedBlobUpload(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "one 503 on the layer upload")
	proxy := testregistry.StartProxy(t, reg.URL(), "", onPut("/blobs/uploads/", img.layer.Digest.String(), testregistry.Fault503, 1))
	var log syncBuffer
	res, err := New(Options{Log: &log}).Push(context.Background(), src, img.manifest, mustNamed(t, proxy.Host+"/app"), PushOptions{Tags: []string{"v1"}})
	if err != nil {
		t.Errorf("push with one 503 on the layer's upload PUT failed: %v", err)
	} else if res.Pushed != 3 {
		t.Errorf("Pushed = %d, want 3", res.Pushed)
	}
	faulted := 0
	for _, r := range proxy.Requests() {
		if r.Fault == testregistry.Fault503 {
			faulted++
		}
	}
	if faulted != 1 {
		t.Errorf("the proxy injected %d faults, want 1: %v", faulted, proxy.Requests())
	}
	if want := "upload of layer " + ShortDigest(img.layer.Digest) + " failed, trying again"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
	// Only the layer's upload was made again: one session more than blobs.
	if n := proxy.Count("POST", "/blobs/uploads/"); n != 3 {
		t.Errorf("%d upload sessions, want 3 (config, layer twice)", n)
	}
}
