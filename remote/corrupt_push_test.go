package remote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// blobFile is where desc's blob lives in store.
func blobFile(store *layout.Layout, desc ocispec.Descriptor) string {
	return filepath.Join(store.Dir(), "blobs", "sha256", desc.Digest.Encoded())
}

// damage flips a byte in the middle of desc's blob: same size, other bytes.
func damage(t *testing.T, store *layout.Layout, desc ocispec.Descriptor) {
	t.Helper()
	path := blobFile(store, desc)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedLayoutBlobIsNeverPushed pushes a layout whose layer, config or
// manifest was damaged on disk: the push fails after exactly one attempt
// at that blob, the message names the blob, the layout and the fix, and
// the registry keeps nothing of the image.
func TestDamagedLayoutBlobIsNeverPushed(t *testing.T) {
	reg := startRegistry(t)
	for _, which := range []string{"layer", "config", "manifest"} {
		t.Run(which, func(t *testing.T) {
			// A guard against the endless retries this test is about, not a wait.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			store := newStore(t)
			img := writeImage(t, store, linuxAmd64, "will be damaged: "+which)
			damaged := map[string]ocispec.Descriptor{"layer": img.layer, "config": img.config, "manifest": img.manifest}[which]
			// The registry already has the other blob, so the only upload
			// the push can make is the damaged blob's.
			if other, ok := map[string]ocispec.Descriptor{"layer": img.config, "config": img.layer}[which]; ok {
				pushBlob(t, store, mustNamed(t, reg.Host+"/damaged-"+which), other)
			}
			damage(t, store, damaged)
			proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
			target := mustNamed(t, proxy.Host+"/damaged-"+which)
			// Tries as many as a flaky registry would get: none may be used.
			var log syncBuffer
			c := New(Options{Retry: RetryPolicy{BlobTries: 10}, Log: &log})
			_, err := c.Push(ctx, store, img.manifest, target, PushOptions{})
			if !errors.Is(err, layout.ErrCorruptBlob) {
				t.Fatalf("push of a damaged blob gave %v, want layout.ErrCorruptBlob; log:\n%s", err, log.String())
			}
			if strings.Contains(log.String(), "retrying") || strings.Contains(log.String(), "trying again") {
				t.Errorf("a damaged blob was retried:\n%s", log.String())
			}
			for _, want := range []string{damaged.Digest.String(), store.Dir(), "damaged", "build the image again", "delete"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			assertAttemptedOnce(t, proxy, which, damaged)
			repo, err := c.Repository(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := repo.Blobs().Resolve(context.Background(), damaged.Digest.String()); !errors.Is(err, errdef.ErrNotFound) {
				t.Errorf("the registry has the damaged %s %s (err %v)", which, damaged.Digest, err)
			}
			if _, err := repo.Resolve(context.Background(), img.manifest.Digest.String()); !errors.Is(err, errdef.ErrNotFound) {
				t.Errorf("the registry has the manifest of an image whose %s failed: %v", which, err)
			}
		})
	}
}

// pushBlob uploads one blob of store to repository ref directly.
func pushBlob(t *testing.T, store *layout.Layout, ref reference.Named, desc ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	repo, err := New(Options{}).Repository(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := store.Fetch(ctx, desc)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := repo.Blobs().Push(ctx, desc, rc); err != nil {
		t.Fatalf("push %s: %v", desc.Digest, err)
	}
}

// assertAttemptedOnce checks that the damaged blob was sent once and no
// more: it is the only blob the registry lacks, so every upload session
// (POST .../blobs/uploads/) is an attempt at it.
func assertAttemptedOnce(t *testing.T, proxy *testregistry.Proxy, which string, damaged ocispec.Descriptor) {
	t.Helper()
	want := 1
	if which == "manifest" {
		// A damaged manifest cannot even be walked: nothing is uploaded.
		want = 0
	}
	if n := proxy.Count("POST", "/blobs/uploads/"); n != want {
		t.Errorf("%d upload sessions for the damaged %s %s, want %d: %v", n, which, damaged.Digest, want, proxy.Requests())
	}
	if n := proxy.Count("PUT", "/blobs/uploads/"); n > want {
		t.Errorf("%d uploads of the damaged %s %s, want at most %d: %v", n, which, damaged.Digest, want, proxy.Requests())
	}
	if n := proxy.Count("PUT", "/manifests/"); n != 0 {
		t.Errorf("%d manifests pushed for an image whose %s is damaged", n, which)
	}
}

// TestSpecialFileInAPushedLayoutFailsAtOnce puts a FIFO, socket, directory
// or device where a blob of the pushed image should be: the push ends at
// once, naming the path, without retrying.
func TestSpecialFileInAPushedLayoutFailsAtOnce(t *testing.T) {
	reg := startRegistry(t)
	kinds := map[string]func(path string) error{
		"fifo":      func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"socket":    func(p string) error { return syscall.Mknod(p, syscall.S_IFSOCK|0o600, 0) },
		"directory": func(p string) error { return os.Mkdir(p, 0o755) },
		"device":    func(p string) error { return syscall.Mknod(p, syscall.S_IFCHR|0o600, 1<<8|3) },
	}
	for kind, mk := range kinds {
		for _, which := range []string{"layer", "manifest"} {
			t.Run(kind+"/"+which, func(t *testing.T) {
				store := newStore(t)
				img := writeImage(t, store, linuxAmd64, kind+" "+which)
				blob := map[string]ocispec.Descriptor{"layer": img.layer, "manifest": img.manifest}[which]
				path := blobFile(store, blob)
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				if err := mk(path); errors.Is(err, syscall.EPERM) {
					t.Skipf("cannot make a %s here: %v", kind, err)
				} else if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { releaseFIFO(path) })
				proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
				var log syncBuffer
				c := New(Options{Retry: RetryPolicy{BlobTries: 10}, Log: &log})
				// A FIFO used to block open(2) for good, deaf to ctx: the
				// guard is a goroutine, and it only fails the test.
				done := make(chan error, 1)
				go func() {
					_, err := c.Push(context.Background(), store, img.manifest, mustNamed(t, proxy.Host+"/special"), PushOptions{})
					done <- err
				}()
				var err error
				select {
				case err = <-done:
				case <-time.After(20 * time.Second):
					t.Fatalf("push with a %s as %s hung", kind, which)
				}
				if !errors.Is(err, layout.ErrNotRegular) || !strings.Contains(err.Error(), path) {
					t.Fatalf("push with a %s as %s: %v, want layout.ErrNotRegular naming %s", kind, which, err, path)
				}
				if strings.Contains(log.String(), "retrying") || strings.Contains(log.String(), "trying again") {
					t.Errorf("a special file was retried:\n%s", log.String())
				}
				if n := proxy.Count("PUT", "/manifests/"); n != 0 {
					t.Errorf("%d manifests pushed for an image with a %s as %s", n, kind, which)
				}
			})
		}
	}
}

// releaseFIFO opens the writing end of path if it is a FIFO, so that a
// reader stuck opening it (the bug this guards against) returns.
func releaseFIFO(path string) {
	if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

// TestPullReplacesLyingBlobs damages, after a first pull, one blob of the
// base in the layout (same size, other bytes) and pulls again by tag and by
// digest (where a complete image used to need no request at all): the
// damage is found, the blob downloaded once more and whole on disk.
func TestPullReplacesLyingBlobs(t *testing.T) {
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "lying base")
	pushImage(t, New(Options{}), reg.Host, "lying", img, "v1")
	for _, by := range []string{"tag", "digest"} {
		for _, which := range []string{"layer", "config", "manifest"} {
			t.Run(by+"/"+which, func(t *testing.T) {
				ctx := context.Background()
				proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
				ref := proxy.Host + "/lying:v1"
				if by == "digest" {
					ref = proxy.Host + "/lying@" + img.manifest.Digest.String()
				}
				dst := newStore(t)
				if _, err := New(Options{}).PullBase(ctx, ref, linuxAmd64, dst); err != nil {
					t.Fatalf("first pull: %v", err)
				}
				damaged := map[string]ocispec.Descriptor{"layer": img.layer, "config": img.config, "manifest": img.manifest}[which]
				damage(t, dst, damaged)
				before := len(proxy.Requests())
				base, err := New(Options{}).PullBase(ctx, ref, linuxAmd64, dst)
				if err != nil {
					t.Fatalf("pull over a damaged %s: %v", which, err)
				}
				if base.Manifest.Digest != img.manifest.Digest {
					t.Errorf("pulled %s, want %s", base.Manifest.Digest, img.manifest.Digest)
				}
				assertSameBlobs(t, dst, src, img.all()...)
				kindPath := map[string]string{"layer": "/blobs/", "config": "/blobs/", "manifest": "/manifests/"}[which]
				if n := countIn(requestsSince(proxy, before), "GET", kindPath+damaged.Digest.String()); n != 1 {
					t.Errorf("damaged %s fetched %d times, want 1: %v", which, n, requestsSince(proxy, before))
				}
			})
		}
	}
}
