package remote

import (
	"context"
	"fmt"
	"io"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// uploadAttempts is how often one blob upload is tried, whatever
// Options.Attempts says for whole copies.
const uploadAttempts = 3

// retryingTarget is a repository whose blob uploads are retried on their
// own. The HTTP layer cannot replay a streamed upload body, so a 503 on
// one upload would otherwise cost a whole new copy; here the blob is read
// again from the source and only that upload is tried again.
type retryingTarget struct {
	*orasremote.Repository
	src      content.Fetcher
	attempts int
	log      io.Writer
}

// Push uploads desc from r, and on a failure that may pass, again from a
// fresh read of the source.
func (t *retryingTarget) Push(ctx context.Context, desc ocispec.Descriptor, r io.Reader) error {
	err := t.Repository.Push(ctx, desc, r)
	wait := 500 * time.Millisecond
	for attempt := 2; err != nil && transient(err) && attempt <= t.attempts; attempt++ {
		fmt.Fprintf(t.log, "upload of %s %s failed, trying again (%d of %d): %v\n", kind(desc.MediaType), short(desc.Digest), attempt, t.attempts, redact(err))
		if !sleep(ctx, wait) {
			return err
		}
		wait *= 2
		err = t.pushFresh(ctx, desc)
	}
	return err
}

func (t *retryingTarget) pushFresh(ctx context.Context, desc ocispec.Descriptor) error {
	rc, err := t.src.Fetch(ctx, desc)
	if err != nil {
		return err
	}
	defer rc.Close()
	return t.Repository.Push(ctx, desc, rc)
}

// sleep waits d, or less when ctx ends first; it reports whether it
// waited the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
