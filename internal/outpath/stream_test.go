package outpath

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// payload is more than a pipe holds (64 KiB on Linux), so that writing it
// needs a reader.
var payload = bytes.Repeat([]byte("krust!"), 200<<10)

// signalWriter is a log that reports its first write on a channel.
type signalWriter struct {
	once sync.Once
	ch   chan struct{}
	buf  bytes.Buffer
	mu   sync.Mutex
}

func newSignalWriter() *signalWriter { return &signalWriter{ch: make(chan struct{})} }

func (s *signalWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf.Write(p)
	s.mu.Unlock()
	s.once.Do(func() { close(s.ch) })
	return len(p), nil
}

func TestStreamToNamedPipe(t *testing.T) {
	f := newFixture(t)
	fifo := f.fifo("out/pipe")
	target := f.checked(tarball(fifo))
	got := make(chan []byte, 1)
	go func() {
		r, err := os.Open(fifo) // waits for the writer
		if err != nil {
			got <- nil
			return
		}
		defer r.Close()
		data, _ := io.ReadAll(r)
		got <- data
	}()
	log := newSignalWriter()
	if err := target.WriteFile(context.Background(), WriteOptions{Wait: time.Minute, Log: log}, payload); err != nil {
		t.Fatal(err)
	}
	if data := <-got; !bytes.Equal(data, payload) {
		t.Errorf("the reader got %d bytes, want %d", len(data), len(payload))
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v, %v", info.Mode(), err)
	}
}

func TestStreamToAnonymousPipe(t *testing.T) {
	f := newFixture(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	target := f.checked(tarball("/dev/fd/" + itoa(w.Fd())))
	got := make(chan []byte, 1)
	go func() {
		data, _ := io.ReadAll(r)
		got <- data
	}()
	err = target.WriteFile(context.Background(), WriteOptions{}, payload)
	w.Close() // the reader sees the end once every writing end is closed
	if err != nil {
		t.Fatal(err)
	}
	if data := <-got; !bytes.Equal(data, payload) {
		t.Errorf("the reader got %d bytes, want %d", len(data), len(payload))
	}
}

// TestStreamWaitIsBounded: a pipe nobody reads does not hold krust: the
// wait ends with opts.Wait, and at once when the context ends (Ctrl-C).
func TestStreamWaitIsBounded(t *testing.T) {
	tests := []struct {
		name    string
		wait    time.Duration
		cancel  bool // cancel the context once krust says it waits
		wantErr error
		want    string
	}{
		{"the wait's bound", 50 * time.Millisecond, false, context.DeadlineExceeded, "no reader opened the pipe within 50ms"},
		{"the context's end", time.Hour, true, context.Canceled, "interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fifo := f.fifo("out/pipe")
			target := f.checked(tarball(fifo))
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			log := newSignalWriter()
			if tt.cancel {
				go func() {
					<-log.ch
					cancel(errors.New("interrupted by SIGINT"))
				}()
			}
			err := target.WriteFile(ctx, WriteOptions{Wait: tt.wait, Log: log}, payload)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write = %v, want %v saying %q", err, tt.wantErr, tt.want)
			}
			if !strings.Contains(log.buf.String(), "waiting for a reader") {
				t.Errorf("krust did not say it waits: %q", log.buf.String())
			}
			// Nothing holds the pipe now: a writer that opens it
			// without waiting finds no reader.
			if w, err := openNoWait(fifo); !errNoReader(err) {
				if w != nil {
					w.Close()
				}
				t.Errorf("after the wait the pipe still has a reader (open: %v)", err)
			}
		})
	}
}

// TestStreamReaderMisbehaves: a reader that stops reading, or closes the
// pipe early, ends the write with an error that says so.
func TestStreamReaderMisbehaves(t *testing.T) {
	tests := []struct {
		name string
		// read reads (or not) from the open reading end.
		read func(r *os.File)
		want string
	}{
		{"stops reading", func(*os.File) {}, "took nothing for 100ms"},
		{"closes early", func(r *os.File) { r.Close() }, "closed it before the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fifo := f.fifo("out/pipe")
			target := f.checked(tarball(fifo))
			opened := make(chan *os.File, 1)
			go func() {
				r, err := os.Open(fifo)
				if err != nil {
					opened <- nil
					return
				}
				tt.read(r)
				opened <- r
			}()
			err := target.WriteFile(context.Background(), WriteOptions{Wait: 100 * time.Millisecond}, payload)
			if r := <-opened; r != nil {
				r.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
