package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/cli/cli"
)

func TestExitStatus(t *testing.T) {
	build := errors.New("build for linux/amd64: cargo build failed")
	tests := []struct {
		name    string
		plugin  bool
		sig     syscall.Signal // received before the error, 0 for none
		err     error
		code    int
		message string
	}{
		{"success", false, 0, nil, 0, ""},
		{"failure", false, 0, build, 1, "krust: build for linux/amd64: cargo build failed\n"},
		{"SIGINT", false, syscall.SIGINT, fmt.Errorf("cargo build stopped: %w", interruption{syscall.SIGINT}), 130,
			"krust: cargo build stopped: interrupted by SIGINT\n"},
		{"SIGTERM while pushing", false, syscall.SIGTERM, fmt.Errorf("push: %w", context.Canceled), 143,
			"krust: interrupted by SIGTERM: push: context canceled\n"},
		{"SIGTERM whatever the step answered", true, syscall.SIGTERM, build, 143,
			"interrupted by SIGTERM: build for linux/amd64: cargo build failed\n"},
		{"docker closed the plugin socket", true, 0, fmt.Errorf("cargo build stopped: %w", context.Canceled), 130,
			"interrupted: docker was told to stop: cargo build stopped: context canceled\n"},
		{"cancelled without a signal, standalone", false, 0, context.Canceled, 1, "krust: context canceled\n"},
		{"docker/cli status error", true, 0, cli.StatusError{StatusCode: 3, Status: "bad flag"}, 3, "bad flag\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stopper{plugin: tt.plugin}
			s.first.Store(int32(tt.sig))
			prefix := "krust: "
			if tt.plugin {
				prefix = ""
			}
			var stderr strings.Builder
			if code := s.exit(&stderr, prefix, tt.err); code != tt.code || stderr.String() != tt.message {
				t.Errorf("exit = %d, %q; want %d, %q", code, stderr.String(), tt.code, tt.message)
			}
		})
	}
}

func TestSignalCancelsWithItsCause(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			s := &stopper{}
			ctx, stop := s.notify(context.Background(), os.Stderr)
			defer stop()
			if err := syscall.Kill(os.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("%v did not cancel the context", sig)
			}
			if cause := context.Cause(ctx); cause != (interruption{sig}) {
				t.Errorf("cause %v, want interruption by %v", cause, sig)
			}
			if code := s.exit(&strings.Builder{}, "", context.Cause(ctx)); code != 128+int(sig) {
				t.Errorf("exit status %d, want %d", code, 128+int(sig))
			}
		})
	}
}
