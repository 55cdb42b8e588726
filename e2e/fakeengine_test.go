package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEngine is a Docker Engine API on a unix socket that misbehaves, for
// the faults no real engine can be made to show: it accepts connections
// and never answers, or answers until the image load and then stalls in
// the middle of the image. Everything else about --load is tested against
// the machine's real engine.
type fakeEngine struct {
	host string // DOCKER_HOST
	// seen closes when the first connection is accepted; loading closes
	// once the engine has taken the first bytes of an image load.
	seen, loading chan struct{}
	seenAt        time.Time
	once, loadOne sync.Once
	quit          chan struct{}
}

// startFakeEngine starts an engine that is silent from the start, or with
// stallLoad one that answers every request but stalls the image load
// after 64 KiB.
func startFakeEngine(t *testing.T, stallLoad bool) *fakeEngine {
	t.Helper()
	dir, err := os.MkdirTemp("", "fe") // a socket's path is limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	e := &fakeEngine{host: "unix://" + path, seen: make(chan struct{}), loading: make(chan struct{}), quit: make(chan struct{})}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(e.quit)
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			e.once.Do(func() { e.seenAt = time.Now(); close(e.seen) })
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if stallLoad {
					_ = http.Serve(&oneConn{c: c, done: e.quit}, http.HandlerFunc(e.serve))
				} else {
					<-e.quit
				}
			}()
		}
	}()
	return e
}

// serve answers as an Engine 20.10 would, until the image load.
func (e *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.41")
	w.Header().Set("Ostype", "linux")
	switch p := r.URL.Path; {
	case strings.HasSuffix(p, "/_ping"):
		io.WriteString(w, "OK")
	case strings.HasSuffix(p, "/version"):
		fmt.Fprintf(w, `{"Os":"linux","Arch":%q,"ApiVersion":"1.41","Version":"20.10.24"}`, runtime.GOARCH)
	case strings.HasSuffix(p, "/info"):
		io.WriteString(w, `{"DriverStatus":[]}`)
	case strings.HasSuffix(p, "/images/load"):
		_, _ = io.CopyN(io.Discard, r.Body, 64<<10)
		e.loadOne.Do(func() { close(e.loading) })
		<-e.quit
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"No such image"}`)
	}
}

// oneConn is a listener that hands out one connection, then waits for
// done, so that http.Serve serves exactly one client connection.
type oneConn struct {
	c    net.Conn
	done <-chan struct{}
	used bool
}

func (o *oneConn) Accept() (net.Conn, error) {
	if !o.used {
		o.used = true
		return o.c, nil
	}
	<-o.done
	return nil, net.ErrClosed
}

func (o *oneConn) Close() error   { return nil }
func (o *oneConn) Addr() net.Addr { return o.c.LocalAddr() }
