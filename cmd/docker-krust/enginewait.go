package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// defaultEngineTimeout bounds a --load when --timeout is not positive, as
// it bounds a pull or a push.
const defaultEngineTimeout = 10 * time.Minute

// engineSilence is the longest the Docker Engine may stay silent while
// krust waits for it: a short request (version, info, inspect, tag) must
// be answered within it, and an image load must, at least this often, take
// more of the image or send a message (with progress asked for, the engine
// reports each layer it registers). A large image legitimately takes
// longer than this as a whole, which only --timeout bounds; an engine that
// accepted the connection and stopped never comes back.
const engineSilence = time.Minute

// errEngineTimeout and errEngineSilent are why a wait for the engine ended
// before the engine answered: --timeout over the whole --load, or the
// silence limit.
var (
	errEngineTimeout = errors.New("the --timeout")
	errEngineSilent  = errors.New("the longest silence krust waits out")
)

// waitLimits bound the waits for the engine: total the whole --load,
// silence each stretch without progress (0: no limit but the total).
type waitLimits struct {
	total, silence time.Duration
}

// limitsFor returns the limits of a --load given --timeout. A --timeout
// no longer than engineSilence is the only limit, so that its expiry is
// reported as what it is.
func limitsFor(timeout time.Duration) waitLimits {
	if timeout <= 0 {
		timeout = defaultEngineTimeout
	}
	l := waitLimits{total: timeout}
	if engineSilence < timeout {
		l.silence = engineSilence
	}
	return l
}

// watchdog cancels a context once nothing has kicked it for its limit.
type watchdog struct {
	limit   time.Duration
	start   time.Time
	last    atomic.Int64 // time since start of the last kick, in ns
	cancel  context.CancelCauseFunc
	mu      sync.Mutex // guards timer and stopped
	timer   *time.Timer
	stopped bool
}

// watch returns a context that ends with errEngineSilent when w is not
// kicked for limit (never, for a limit of 0), and a function that stops
// the watch.
func watch(ctx context.Context, limit time.Duration) (context.Context, *watchdog, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &watchdog{limit: limit, start: time.Now(), cancel: cancel}
	if limit > 0 {
		w.mu.Lock()
		w.timer = time.AfterFunc(limit, w.check)
		w.mu.Unlock()
	}
	return ctx, w, func() {
		w.mu.Lock()
		w.stopped = true
		if w.timer != nil {
			w.timer.Stop()
		}
		w.mu.Unlock()
		cancel(nil)
	}
}

// kick records progress.
func (w *watchdog) kick() { w.last.Store(int64(time.Since(w.start))) }

// check ends the context if the last kick is limit old, else waits for
// the rest.
func (w *watchdog) check() {
	idle := time.Since(w.start) - time.Duration(w.last.Load())
	if idle >= w.limit {
		w.cancel(errEngineSilent)
		return
	}
	w.mu.Lock()
	if !w.stopped {
		w.timer.Reset(w.limit - idle)
	}
	w.mu.Unlock()
}

// kickingReader kicks w on every read that moves bytes.
type kickingReader struct {
	r io.Reader
	w *watchdog
}

func (k kickingReader) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if n > 0 {
		k.w.kick()
	}
	return n, err
}

// call runs one request to the engine: what names it in errors ("its
// version"). f gets a context that ends when the engine stays silent for
// the silence limit (f kicks the watchdog for progress; a request that
// does not is bounded by the limit as a whole) or when ctx, bounded by
// e.begin, ends.
func (e *engine) call(ctx context.Context, what string, f func(context.Context, *watchdog) error) error {
	cctx, w, stop := watch(ctx, e.limits.silence)
	defer stop()
	err := f(cctx, w)
	if err == nil {
		return nil
	}
	switch cause := context.Cause(cctx); {
	case errors.Is(cause, errEngineTimeout):
		return fmt.Errorf("the %s did not answer %s within %v (%w); check it with docker info, or raise --timeout for a large image",
			e.where(), what, e.limits.total, errEngineTimeout)
	case errors.Is(cause, errEngineSilent):
		return fmt.Errorf("the %s did not answer %s: nothing came from it, and it took none of the image, for %v (%w); check it with docker info, and restart it if that hangs too",
			e.where(), what, e.limits.silence, errEngineSilent)
	}
	return err
}

// begin bounds ctx by the total limit of the waits for the engine.
func (e *engine) begin(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, e.limits.total, errEngineTimeout)
}

// stalled reports whether err means the engine did not answer in time.
func stalled(err error) bool {
	return errors.Is(err, errEngineTimeout) || errors.Is(err, errEngineSilent)
}
