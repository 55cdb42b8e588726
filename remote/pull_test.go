package remote

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestPushPullRoundTrip(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "round trip")
	c := New(Options{})
	pushImage(t, c, reg.Host, "team/app", img, "v1")
	pushImage(t, c, reg.Host, "other", img) // default tag: latest

	tests := []struct {
		ref, wantName string
	}{
		{reg.Host + "/team/app:v1", reg.Host + "/team/app:v1"},
		{reg.Host + "/other", reg.Host + "/other:latest"},
		{reg.Host + "/team/app@" + img.manifest.Digest.String(), reg.Host + "/team/app@" + img.manifest.Digest.String()},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			dst := newStore(t)
			base, err := New(Options{}).PullBase(context.Background(), tt.ref, linuxAmd64, dst)
			if err != nil {
				t.Fatalf("PullBase(%s): %v", tt.ref, err)
			}
			if base.Name == nil || base.Name.String() != tt.wantName {
				t.Errorf("Base.Name = %v, want %s", base.Name, tt.wantName)
			}
			if base.Manifest.Digest != img.manifest.Digest || base.Manifest.Size != img.manifest.Size {
				t.Errorf("Base.Manifest = %s (%d bytes), want %s (%d bytes)", base.Manifest.Digest, base.Manifest.Size, img.manifest.Digest, img.manifest.Size)
			}
			if base.Manifest.MediaType != ocispec.MediaTypeImageManifest {
				t.Errorf("Base.Manifest.MediaType = %q, want %q", base.Manifest.MediaType, ocispec.MediaTypeImageManifest)
			}
			assertInStore(t, dst, img.all()...)
			assertSameBlobs(t, dst, src, img.all()...)
			if tmp := tempFiles(t, dst); len(tmp) > 0 {
				t.Errorf("temp files left in layout: %v", tmp)
			}
		})
	}
}

func TestPullBaseIndexPlatform(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	idx := writeIndex(t, src, "multi")
	pushIndex(t, New(Options{}), reg.Host, "multi", "v1", idx)
	ref := reg.Host + "/multi:v1"

	tests := []struct {
		name     string
		platform ocispec.Platform
		want     testImage
		wantErr  bool
	}{
		{"amd64", linuxAmd64, idx.amd64, false},
		{"arm64 matches arm64/v8", linuxArm64, idx.arm64, false},
		{"arm64/v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, idx.arm64, false},
		{"arm/v7 absent", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, testImage{}, true},
		{"windows/amd64 absent", ocispec.Platform{OS: "windows", Architecture: "amd64"}, testImage{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := newStore(t)
			base, err := New(Options{}).PullBase(context.Background(), ref, tt.platform, dst)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("PullBase for %v = %s, want an error", tt.platform, base.Manifest.Digest)
				}
				msg := err.Error()
				for _, want := range []string{"linux/amd64", "linux/arm64/v8"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error does not list available platform %s: %v", want, err)
					}
				}
				if strings.Contains(msg, "unknown/unknown") {
					t.Errorf("error lists the attestation's unknown/unknown platform: %v", err)
				}
				assertNotInStore(t, dst, idx.amd64.all()...)
				assertNotInStore(t, dst, idx.arm64.all()...)
				return
			}
			if err != nil {
				t.Fatalf("PullBase for %v: %v", tt.platform, err)
			}
			if base.Manifest.Digest != tt.want.manifest.Digest {
				t.Errorf("Base.Manifest = %s, want %s", base.Manifest.Digest, tt.want.manifest.Digest)
			}
			if base.Name.String() != ref {
				t.Errorf("Base.Name = %s, want %s", base.Name, ref)
			}
			assertInStore(t, dst, tt.want.all()...)
			assertSameBlobs(t, dst, src, tt.want.all()...)
			// Only the chosen platform is downloaded, not the others nor
			// the attestation.
			other := idx.arm64
			if tt.want.manifest.Digest == idx.arm64.manifest.Digest {
				other = idx.amd64
			}
			assertNotInStore(t, dst, other.all()...)
			assertNotInStore(t, dst, idx.attestation)
		})
	}
}

func TestPullBaseDoesNotDownloadAgain(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "single")
	idx := writeIndex(t, src, "again")
	c := New(Options{})
	pushImage(t, c, reg.Host, "single", img, "v1")
	pushIndex(t, c, reg.Host, "multi", "v1", idx)
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)

	tests := []struct {
		name   string
		repo   string
		root   ocispec.Descriptor // what the tag names
		image  testImage          // what linux/amd64 resolves to
		digest string             // the root's digest
	}{
		{"single image", "single", img.manifest, img, img.manifest.Digest.String()},
		{"index", "multi", idx.index, idx.amd64, idx.index.Digest.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dst := newStore(t)
			byTag := proxy.Host + "/" + tt.repo + ":v1"
			if _, err := New(Options{}).PullBase(ctx, byTag, linuxAmd64, dst); err != nil {
				t.Fatalf("first pull: %v", err)
			}
			if n := countIn(proxy.Requests(), "GET", "/"+tt.repo+"/blobs/"); n == 0 {
				t.Fatalf("first pull made no blob GET through the proxy: %v", proxy.Requests())
			}

			// Second pull by tag: one manifest resolution, no blob.
			before := len(proxy.Requests())
			var debug syncBuffer
			base, err := New(Options{Debug: &debug}).PullBase(ctx, byTag, linuxAmd64, dst)
			if err != nil {
				t.Fatalf("second pull: %v", err)
			}
			if base.Manifest.Digest != tt.image.manifest.Digest {
				t.Errorf("second pull: Base.Manifest = %s, want %s", base.Manifest.Digest, tt.image.manifest.Digest)
			}
			second := requestsSince(proxy, before)
			if n := countIn(second, "GET", "/blobs/"); n != 0 {
				t.Errorf("second pull made %d blob GETs, want 0: %v", n, second)
			}
			if n := countIn(second, "HEAD", "/manifests/") + countIn(second, "GET", "/manifests/"); n != 1 {
				t.Errorf("second pull made %d manifest requests, want 1 (the tag): %v", n, second)
			}
			if len(second) != 1 {
				t.Errorf("second pull made %d requests, want 1: %v", len(second), second)
			}

			// Pull by digest of a complete image: no request at all, not
			// even the TLS probe (which the debug log would show).
			before = len(proxy.Requests())
			var debug2 syncBuffer
			byDigest := proxy.Host + "/" + tt.repo + "@" + tt.digest
			base, err = New(Options{Debug: &debug2}).PullBase(ctx, byDigest, linuxAmd64, dst)
			if err != nil {
				t.Fatalf("pull by digest: %v", err)
			}
			if base.Manifest.Digest != tt.image.manifest.Digest {
				t.Errorf("pull by digest: Base.Manifest = %s, want %s", base.Manifest.Digest, tt.image.manifest.Digest)
			}
			if base.Name.String() != byDigest {
				t.Errorf("pull by digest: Base.Name = %s, want %s", base.Name, byDigest)
			}
			if third := requestsSince(proxy, before); len(third) != 0 {
				t.Errorf("pull by digest of a complete image made %d requests, want 0: %v", len(third), third)
			}
			if s := debug2.String(); s != "" {
				t.Errorf("pull by digest of a complete image made requests:\n%s", s)
			}
		})
	}
}

// TestPullBaseByDigestCompletesMissingBlob checks that a digest reference
// whose image is only partly in the layout is fetched again.
func TestPullBaseByDigestCompletesMissingBlob(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "partial")
	c := New(Options{})
	pushImage(t, c, reg.Host, "partial", img, "v1")
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)

	// The layout has the manifest and config but not the layer.
	dst := newStore(t)
	ctx := context.Background()
	for _, d := range []ocispec.Descriptor{img.manifest, img.config} {
		data, err := oci.ReadBlob(ctx, src, d, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dst.WriteBlob(ctx, d.MediaType, data); err != nil {
			t.Fatal(err)
		}
	}
	ref := proxy.Host + "/partial@" + img.manifest.Digest.String()
	if _, err := New(Options{}).PullBase(ctx, ref, linuxAmd64, dst); err != nil {
		t.Fatalf("PullBase(%s): %v", ref, err)
	}
	assertInStore(t, dst, img.all()...)
	if n := proxy.Count("GET", "/blobs/"+img.layer.Digest.String()); n != 1 {
		t.Errorf("layer fetched %d times, want 1", n)
	}
	if n := proxy.Count("GET", "/blobs/"+img.config.Digest.String()); n != 0 {
		t.Errorf("config already in the layout fetched %d times, want 0", n)
	}
}

func TestPullBaseDamagedDownloads(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, strings.Repeat("damaged download ", 4096))
	pushImage(t, New(Options{}), reg.Host, "dmg", img, "v1")

	tests := []struct {
		name    string
		fault   string
		times   int
		wantErr bool
	}{
		{"corrupt always", testregistry.FaultCorrupt, 100, true},
		{"truncate always", testregistry.FaultTruncate, 100, true},
		{"corrupt once", testregistry.FaultCorrupt, 1, false},
		{"truncate once", testregistry.FaultTruncate, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proxy := testregistry.StartProxy(t, reg.URL(), "", testregistry.OnPath("/blobs/", tt.fault, tt.times))
			dst := newStore(t)
			ref := proxy.Host + "/dmg:v1"
			base, err := New(Options{Retry: RetryPolicy{BlobTries: 2}}).PullBase(context.Background(), ref, linuxAmd64, dst)
			faulted := 0
			for _, r := range proxy.Requests() {
				if r.Fault != testregistry.FaultNone {
					faulted++
				}
			}
			if faulted == 0 {
				t.Fatalf("the proxy injected no fault: %v", proxy.Requests())
			}
			if tmp := tempFiles(t, dst); len(tmp) > 0 {
				t.Errorf("temp files left in layout: %v", tmp)
			}
			if tt.wantErr {
				if err == nil {
					t.Fatalf("PullBase through a proxy that damages every blob succeeded: %v", base)
				}
				if tt.fault == testregistry.FaultCorrupt && !errors.Is(err, layout.ErrDigestMismatch) {
					t.Errorf("error does not wrap layout.ErrDigestMismatch: %v", err)
				}
				assertNotInStore(t, dst, img.all()...)
				return
			}
			if err != nil {
				t.Fatalf("PullBase with one damaged blob download: %v", err)
			}
			if base.Manifest.Digest != img.manifest.Digest {
				t.Errorf("Base.Manifest = %s, want %s", base.Manifest.Digest, img.manifest.Digest)
			}
			assertInStore(t, dst, img.all()...)
			assertSameBlobs(t, dst, src, img.all()...)
		})
	}
}

func TestPullBaseUnreachable(t *testing.T) {
	t.Parallel()
	start := time.Now()
	dst := newStore(t)
	_, err := New(Options{}).PullBase(context.Background(), "127.0.0.1:9/x:v1", linuxAmd64, dst)
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("PullBase from 127.0.0.1:9 succeeded")
	}
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("error does not say the registry cannot be reached: %v", err)
	}
	if elapsed > 30*time.Second {
		t.Errorf("PullBase took %v to fail, want < 30s", elapsed)
	}
}

func TestPullBaseInvalidReference(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"", "example.com/Upper:v1", "example.com/repo:bad tag", "example.com/repo@sha256:short", "example.com/repo:"} {
		if _, err := New(Options{}).PullBase(context.Background(), ref, linuxAmd64, newStore(t)); err == nil || !strings.Contains(err.Error(), "invalid base image") {
			t.Errorf("PullBase(%q) error = %v, want one saying the base image is invalid", ref, err)
		}
	}
}
