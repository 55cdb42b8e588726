package remote

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/google/go-containerregistry/pkg/registry"
)

// TestPushReferrersToTheReferrersAPI pushes to go-containerregistry's
// registry with the referrers API on: it lists each image's referrers at
// /v2/REPO/referrers/DIGEST, and no sha256- tag is written, although the
// registry sends no OCI-Subject header (oras-go alone would fall back to
// the tag schema then). A second push uploads nothing.
func TestPushReferrersToTheReferrersAPI(t *testing.T) {
	ctx := context.Background()
	writes := &countingHandler{next: registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))}
	srv := httptest.NewServer(writes)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	store := newStore(t)
	a := writeAttached(t, store, "app")
	c := New(Options{})
	target := mustNamed(t, host+"/team/app")

	res, err := c.Push(ctx, store, a.index, target, PushOptions{Tags: []string{"v1"}, Referrers: a.referrers})
	if err != nil {
		t.Fatalf("push with referrers: %v", err)
	}
	if res.Referrers != 4 {
		t.Errorf("PushResult.Referrers = %d, want 4", res.Referrers)
	}
	for _, img := range []testImage{a.amd64, a.arm64} {
		want := digests(a.byImage[img.manifest.Digest])
		status, idx := testregistry.GetIndex(t, srv.URL+"/v2/team/app/referrers/"+img.manifest.Digest.String())
		if status != http.StatusOK || !slices.Equal(digests(idx.Manifests), want) {
			t.Errorf("GET referrers of %s: %d, %v; want %v", ShortDigest(img.manifest.Digest), status, digests(idx.Manifests), want)
		}
		tag := "sha256-" + img.manifest.Digest.Encoded()
		if status, _ := testregistry.GetIndex(t, srv.URL+"/v2/team/app/manifests/"+tag); status != http.StatusNotFound {
			t.Errorf("referrers tag %s exists (%d) next to a referrers API", tag, status)
		}
	}

	before := writes.count()
	res, err = c.Push(ctx, store, a.index, target, PushOptions{Tags: []string{"v1"}, Referrers: a.referrers})
	if err != nil {
		t.Fatalf("second push: %v", err)
	}
	// The tag is PUT again (one request); nothing else is written.
	if n := writes.count() - before; n != 1 || res.Pushed != 0 || res.Referrers != 4 {
		t.Errorf("second push: %d writes, PushResult %+v; want only the tag written and 4 referrers", n, res)
	}
}

// countingHandler counts the requests that write (POST, PUT, PATCH,
// DELETE) before passing them on.
type countingHandler struct {
	next   http.Handler
	mu     sync.Mutex
	writes int
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.mu.Lock()
		h.writes++
		h.mu.Unlock()
	}
	h.next.ServeHTTP(w, r)
}

func (h *countingHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.writes
}
