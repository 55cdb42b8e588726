package builder

import (
	"sync"
	"sync/atomic"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Result says what a build produced. A Result from Plan.Run holds the
// build's lease on its layout (see layout.Lease), so that gc frees none of
// the image's blobs and a failed build's cleanup removes none of them
// while the image is published, even when another build moves its tag
// meanwhile: read the layout through Layout, and call Release once
// publishing is done. Copies of a Result share one lease.
type Result struct {
	// LayoutDir is the absolute path of the layout written.
	LayoutDir string
	// Tags are the image's tags in the layout.
	Tags []string
	// Root is the descriptor of the image manifest, or of the index
	// when there are several platforms.
	Root ocispec.Descriptor
	// Image is the image's name, or nil when none was given.
	Image reference.Named
	// Bases are the names of registry base images, one per platform that
	// has one (blobs may be mounted from them).
	Bases []reference.Named
	// Referrers are the documents attached to the platforms' image
	// manifests (SBOM, provenance), in the platforms' order.
	Referrers []Referrer
	// Signatures are the referrer manifests of the build's signatures
	// and signed attestations (Builder.Signer), in the layout like
	// Referrers; nil when the build signs nothing.
	Signatures []ocispec.Descriptor

	held *heldLease
}

// heldLease is a build's lease, given back once.
type heldLease struct {
	store    *layout.Layout
	lease    *layout.Lease
	once     sync.Once
	released atomic.Bool
}

// Layout returns the layout the image was written to, to read under the
// build's lease; nil for a Result that holds none (not from Plan.Run, or
// released).
func (r Result) Layout() *layout.Layout {
	if r.held == nil || r.held.released.Load() {
		return nil
	}
	return r.held.store
}

// Release gives the build's lease on its layout back: from then on gc may
// free the image's blobs once no tag reaches them. It may be called any
// number of times, from any copy of r.
func (r Result) Release() {
	if r.held != nil {
		r.held.once.Do(func() {
			r.held.released.Store(true)
			r.held.lease.Release()
		})
	}
}

// holding returns r holding lease, through which store was opened.
func (r Result) holding(store *layout.Layout, lease *layout.Lease) Result {
	r.held = &heldLease{store: store, lease: lease}
	return r
}
