package remote

import (
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// BlobStarted: the bytes of a config or layer begin to flow (a
	// download, or an upload read from the source). A blob tried again
	// starts again.
	BlobStarted EventKind = iota + 1
	// BlobProgress: Bytes of the blob have flowed so far; sent every
	// 256 KiB and once at its end, when Bytes is the blob's size (the
	// store or registry may still have to confirm it: see BlobDone).
	BlobProgress
	// BlobDone: the blob, config or manifest is stored at the destination,
	// verified; Bytes is its size.
	BlobDone
	// BlobSkipped: the destination had it already; nothing was sent.
	BlobSkipped
	// BlobMounted: the registry took it from another of its repositories.
	BlobMounted
	// Finished: the push or pull is complete; Summary says what it did.
	Finished
)

// Direction says which way bytes go.
type Direction int

const (
	// Pull brings a base image from a registry into a store.
	Pull Direction = iota + 1
	// Push sends an image from a store to a registry.
	Push
)

// Event is one step of a push or pull, for Options.Progress to show.
type Event struct {
	Kind      EventKind
	Direction Direction
	// Blob is what the event is about; empty for Finished.
	Blob ocispec.Descriptor
	// Bytes: for BlobProgress how much has flowed, for BlobDone the size.
	Bytes int64
	// Summary is set for Finished.
	Summary Summary
}

// Summary counts what a push or pull did.
type Summary struct {
	// Reference is the image by digest, REGISTRY/REPO@sha256:...
	Reference string
	// Copied, Skipped and Mounted count blobs and manifests.
	Copied, Skipped, Mounted int
	// Bytes is how much was sent or received.
	Bytes int64
}

// progressStep is how many bytes pass between BlobProgress events.
const progressStep = 256 << 10

// events counts the events of one push or pull for its summary and hands
// them to Options.Progress, one at a time for the whole Client (shown is
// its lock), whatever goroutine of a copy they come from.
type events struct {
	shown *sync.Mutex
	fn    func(Event)
	dir   Direction
	mu    sync.Mutex
	sum   Summary
}

func (c *Client) events(dir Direction) *events {
	return &events{shown: &c.shown, fn: c.opts.Progress, dir: dir}
}

func (e *events) emit(ev Event) {
	e.count(ev)
	if e.fn == nil {
		return
	}
	ev.Direction = e.dir
	e.shown.Lock()
	defer e.shown.Unlock()
	e.fn(ev)
}

func (e *events) count(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev.Kind {
	case BlobDone:
		e.sum.Copied++
		e.sum.Bytes += ev.Bytes
	case BlobSkipped:
		e.sum.Skipped++
	case BlobMounted:
		e.sum.Mounted++
	}
}

// finish sends Finished for ref and returns the summary.
func (e *events) finish(ref string) Summary {
	e.mu.Lock()
	e.sum.Reference = ref
	sum := e.sum
	e.mu.Unlock()
	e.emit(Event{Kind: Finished, Summary: sum})
	return sum
}
