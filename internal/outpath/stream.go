package outpath

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// releaseWait bounds the wait for an open that opening the pipe's reading
// end released.
const releaseWait = 5 * time.Second

// stream writes a pipe in place: it waits for a reader (bounded by ctx
// and opts.Wait), then writes, each write bounded by opts.Wait too, so a
// reader that stops reading cannot hold krust for good.
func (t Target) stream(ctx context.Context, opts WriteOptions, write func(io.Writer) error) error {
	path := t.Real
	if path == "" {
		path = t.Path
	}
	f, err := t.openStream(ctx, path, opts)
	if err != nil {
		return problem(t.Output, "%w", err)
	}
	w := newStallWriter(ctx, f, opts.Wait)
	err = write(w)
	w.stop()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return problem(t.Output, "%w", w.explain(err))
	}
	return nil
}

// openStream opens the pipe at path for writing. A pipe no one reads yet
// would block open(2) for good, and a signal does not end that wait: the
// open waits in a goroutine, and when ctx ends first, krust opens the
// pipe's reading end itself, which releases it.
func (t Target) openStream(ctx context.Context, path string, opts WriteOptions) (*os.File, error) {
	f, err := openNoWait(path)
	if err == nil || !errNoReader(err) {
		return f, err
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "%s %s: waiting for a reader of the pipe\n", t.Setting, Show(t.Path))
	}
	if opts.Wait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Wait, fmt.Errorf("no reader opened the pipe within %v", opts.Wait))
		defer cancel()
	}
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		return o.f, o.err
	case <-ctx.Done():
	}
	// The reading end stays open until the waiting open returns, which is
	// at once, unless path names another pipe by now: that goroutine is
	// left to wait while krust ends.
	if r, err := openReader(path); err == nil {
		select {
		case o := <-done:
			if o.f != nil {
				o.f.Close()
			}
		case <-time.After(releaseWait):
		}
		r.Close()
	}
	return nil, ctxErr(ctx)
}

// stallWriter writes to a pipe with every write bounded: by ctx, which
// ends a blocked write at once, and by idle, the longest a write may wait
// for the reader to take data (0: no bound). Deadlines need a descriptor
// the runtime polls, as pipes are on Linux; elsewhere writes block as
// usual.
type stallWriter struct {
	ctx  context.Context
	f    *os.File
	idle time.Duration
	mu   sync.Mutex // orders setting deadlines with ctx's end
	stop func() bool
}

func newStallWriter(ctx context.Context, f *os.File, idle time.Duration) *stallWriter {
	w := &stallWriter{ctx: ctx, f: f, idle: idle}
	w.stop = context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		_ = f.SetWriteDeadline(time.Unix(1, 0))
	})
	return w
}

func (w *stallWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if err := w.ctx.Err(); err != nil {
		w.mu.Unlock()
		return 0, ctxErr(w.ctx)
	}
	if w.idle > 0 {
		_ = w.f.SetWriteDeadline(time.Now().Add(w.idle))
	}
	w.mu.Unlock()
	return w.f.Write(p)
}

// explain says why a write to the pipe failed, in the reader's terms.
func (w *stallWriter) explain(err error) error {
	switch {
	case w.ctx.Err() != nil:
		return ctxErr(w.ctx)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("the pipe's reader took nothing for %v: %w", w.idle, err)
	case errReaderGone(err):
		return fmt.Errorf("the pipe's reader closed it before the end, so it got part of the content: %w", err)
	}
	return err
}
