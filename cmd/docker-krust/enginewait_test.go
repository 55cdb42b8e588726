package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// fakeEngine is a Docker Engine API on a unix socket, as the engine's own
// is, that misbehaves as handler says: the silent or slow engine that no
// real engine can be made into. It answers /version; /images/load is
// handler's, whose quit ends when the test does (a server does not see a
// client leave while it has not read the whole request).
func fakeEngine(t *testing.T, handler func(quit <-chan struct{}) http.HandlerFunc) string {
	t.Helper()
	quit := make(chan struct{})
	load := handler(quit)
	l, host := engineSocket(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/version"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"Os":"linux","Arch":"amd64","ApiVersion":"1.41"}`)
		case strings.HasSuffix(r.URL.Path, "/images/load"):
			load(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(quit) })
	return host
}

// engineSocket listens on a unix socket in a short temporary directory
// (a socket's path is limited to about 100 bytes) and returns it with its
// DOCKER_HOST.
func engineSocket(t *testing.T) (net.Listener, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "fe")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	return l, "unix://" + path
}

// silentEngine accepts connections and never reads or answers.
func silentEngine(t *testing.T) string {
	t.Helper()
	l, host := engineSocket(t)
	t.Cleanup(func() { l.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return host
}

func testEngine(t *testing.T, host string, limits waitLimits) *engine {
	t.Helper()
	c, err := client.New(client.WithHost(host), client.WithAPIVersion("1.41"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &engine{client: c, host: host, context: "test", limits: limits}
}

// archive writes size bytes, as an image archive would.
func archive(size int) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.Copy(w, io.LimitReader(zeros{}, int64(size)))
		return err
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// stallAfter reads n bytes of the image and then neither reads nor
// answers until the client gives up.
func stallAfter(n int64) func(<-chan struct{}) http.HandlerFunc {
	return func(quit <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.CopyN(io.Discard, r.Body, n)
			<-quit
		}
	}
}

// slowReader takes the image a chunk at a time with a pause after each,
// then answers that it loaded it.
func slowReader(chunk int64, pause time.Duration) func(<-chan struct{}) http.HandlerFunc {
	return func(<-chan struct{}) http.HandlerFunc { return slowRead(chunk, pause) }
}

func slowRead(chunk int64, pause time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := io.CopyN(io.Discard, r.Body, chunk); err != nil {
				break
			}
			time.Sleep(pause)
		}
		io.WriteString(w, `{"stream":"Loaded image: x:1\n"}`)
	}
}

// trickler takes the image, then sends a progress message every pause
// without ever ending.
func trickler(pause time.Duration) func(<-chan struct{}) http.HandlerFunc {
	return func(quit <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			for {
				io.WriteString(w, `{"status":"Loading layer","progressDetail":{"current":1,"total":2}}`+"\n")
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-quit:
					return
				case <-time.After(pause):
				}
			}
		}
	}
}

// TestEngineWaitsAreBounded covers every way an engine can keep --load
// waiting: silent from the start, stalled in the middle of the image,
// answering without end; and the slow engine that must not be cut off.
func TestEngineWaitsAreBounded(t *testing.T) {
	const long = time.Hour
	tests := []struct {
		name   string
		host   func(t *testing.T) string
		limits waitLimits
		call   func(ctx context.Context, e *engine) error
		want   error // nil for success
	}{
		{"silent engine, version", silentEngine, waitLimits{long, 300 * time.Millisecond},
			func(ctx context.Context, e *engine) error { _, err := e.version(ctx); return err }, errEngineSilent},
		{"silent engine, --timeout first", silentEngine, waitLimits{300 * time.Millisecond, long},
			func(ctx context.Context, e *engine) error { _, err := e.version(ctx); return err }, errEngineTimeout},
		{"silent engine, image inspection", silentEngine, waitLimits{long, 300 * time.Millisecond},
			func(ctx context.Context, e *engine) error { _, _, err := e.inspect(ctx, "sha256:x"); return err }, errEngineSilent},
		{"silent engine, info", silentEngine, waitLimits{long, 300 * time.Millisecond},
			func(ctx context.Context, e *engine) error { _, err := e.containerdStore(ctx); return err }, errEngineSilent},
		{"silent engine, tag", silentEngine, waitLimits{long, 300 * time.Millisecond},
			func(ctx context.Context, e *engine) error { return e.tagMissing(ctx, "sha256:x", nil, []string{"x:1"}) }, errEngineSilent},
		{"load stalled mid-image", func(t *testing.T) string { return fakeEngine(t, stallAfter(64<<10)) }, waitLimits{long, 300 * time.Millisecond},
			func(ctx context.Context, e *engine) error { return e.loadArchive(ctx, archive(32<<20)) }, errEngineSilent},
		{"load answering without end", func(t *testing.T) string { return fakeEngine(t, trickler(50*time.Millisecond)) }, waitLimits{time.Second, 300 * time.Millisecond},
			func(ctx context.Context, e *engine) error { return e.loadArchive(ctx, archive(1<<20)) }, errEngineTimeout},
		{"slow engine taking the image within the silence limit", func(t *testing.T) string { return fakeEngine(t, slowReader(256<<10, 50*time.Millisecond)) },
			waitLimits{long, 500 * time.Millisecond},
			func(ctx context.Context, e *engine) error { return e.loadArchive(ctx, archive(4<<20)) }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := testEngine(t, tc.host(t), tc.limits)
			ctx, cancel := e.begin(context.Background())
			defer cancel()
			start := time.Now()
			err := tc.call(ctx, e)
			elapsed := time.Since(start)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("a slow engine that keeps taking the image was cut off after %v: %v", elapsed, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want an error wrapping %v", err, tc.want)
			}
			if bound := min(tc.limits.total, tc.limits.silence) + 10*time.Second; elapsed > bound {
				t.Errorf("gave up after %v, want within %v", elapsed, bound)
			}
			for _, want := range []string{e.where(), "did not answer"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// TestEngineWaitEndsWithItsContext: Ctrl-C (the build's context ending)
// ends a wait for a silent engine at once, as an interruption, not as a
// silent engine.
func TestEngineWaitEndsWithItsContext(t *testing.T) {
	e := testEngine(t, silentEngine(t), limitsFor(0))
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("interrupted by SIGINT")
	time.AfterFunc(200*time.Millisecond, func() { cancel(stop) })
	start := time.Now()
	err := e.loadArchive(ctx, archive(1<<20))
	if err == nil || stalled(err) {
		t.Fatalf("got %v, want the interruption", err)
	}
	if !errors.Is(context.Cause(ctx), stop) {
		t.Fatalf("context ended by %v", context.Cause(ctx))
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("the wait ended %v after its context", elapsed)
	}
}

// The engine's messages: an error in the stream is the load's error.
func TestLoadMessages(t *testing.T) {
	tests := []struct {
		stream, want string
	}{
		{`{"status":"Loading layer"}` + "\n" + `{"stream":"Loaded image: x:1\n"}`, ""},
		{`{"errorDetail":{"message":"invalid tar header"},"error":"invalid tar header"}`, "invalid tar header"},
		{`{"error":"no space left"}`, "no space left"},
		{`{"stream":`, "read the engine's answer"},
	}
	for _, tc := range tests {
		err := loadMessages(bytes.NewReader([]byte(tc.stream)))
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("loadMessages(%q) = %v, want %q", tc.stream, err, tc.want)
		}
	}
}

// The silence limit applies only under a longer --timeout, which is the
// only limit otherwise (and so named when it ends the wait).
func TestLimitsFor(t *testing.T) {
	tests := []struct {
		timeout time.Duration
		want    waitLimits
	}{
		{0, waitLimits{defaultEngineTimeout, engineSilence}},
		{-time.Second, waitLimits{defaultEngineTimeout, engineSilence}},
		{2 * time.Second, waitLimits{2 * time.Second, 0}},
		{engineSilence, waitLimits{engineSilence, 0}},
		{time.Hour, waitLimits{time.Hour, engineSilence}},
	}
	for _, tc := range tests {
		if got := limitsFor(tc.timeout); got != tc.want {
			t.Errorf("limitsFor(%v) = %+v, want %+v", tc.timeout, got, tc.want)
		}
	}
}
