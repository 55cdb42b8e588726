package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/docker/cli/cli"
	"github.com/spf13/cobra"
)

// forceAfter is the number of signals after which krust gives up cleaning
// up and exits at once, as the docker CLI does.
const forceAfter = 3

// interruption is the cause of a context that a signal cancelled.
type interruption struct{ sig syscall.Signal }

func (i interruption) Error() string { return "interrupted by " + signalName(i.sig) }

// errDockerStopped stands for the docker CLI's request that the plugin
// stop: without a terminal, docker answers SIGINT or SIGTERM by closing
// the plugin socket instead of passing the signal on, so which signal it
// was is unknown.
var errDockerStopped = errors.New("interrupted: docker was told to stop")

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// stopper turns SIGINT and SIGTERM into the cancellation of a context, so
// that the build stops cargo and cleans up before krust exits, and then
// into krust's exit status.
type stopper struct {
	// plugin is set when docker runs krust, which may stop it through the
	// plugin socket rather than by a signal.
	plugin bool
	first  atomic.Int32 // the first signal received; 0 for none
	done   chan struct{}
}

// notify returns a context that the first SIGINT or SIGTERM cancels, with
// an interruption as its cause. Further signals are ignored while the
// build cleans up, except that the third makes krust exit at once. stop
// ends the signal handling.
func (s *stopper) notify(parent context.Context, stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, forceAfter)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	s.done = make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-s.done:
				return
			case got := <-ch:
				sig := got.(syscall.Signal)
				s.first.CompareAndSwap(0, int32(sig))
				cancel(interruption{sig})
				if n == forceAfter {
					fmt.Fprintf(stderr, "krust: got %d interrupts, exiting without cleaning up\n", n)
					os.Exit(128 + int(sig))
				}
			}
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(s.done)
		cancel(nil)
	}
}

// exit prints err (with prefix) to stderr and returns the exit status: 0
// for no error, 128+N for a build that signal N stopped (130 for SIGINT,
// 143 for SIGTERM, whatever error the interrupted step returned), 130 for
// a plugin that docker told to stop, a docker/cli StatusError's own code,
// else 1.
func (s *stopper) exit(stderr io.Writer, prefix string, err error) int {
	if err == nil {
		return 0
	}
	code := 1
	var cause error
	var status cli.StatusError
	switch sig := syscall.Signal(s.first.Load()); {
	case sig != 0:
		code, cause = 128+int(sig), interruption{sig}
	case s.plugin && errors.Is(err, context.Canceled):
		code, cause = 128+int(syscall.SIGINT), errDockerStopped
	case errors.As(err, &status) && status.StatusCode != 0:
		code = status.StatusCode
	}
	msg := err.Error()
	if cause != nil && !strings.Contains(msg, "interrupted") {
		msg = cause.Error() + ": " + msg
	}
	fmt.Fprintln(stderr, prefix+msg)
	return code
}

// setContext gives cmd and all its subcommands ctx: cobra hands a
// subcommand its root's context only, and the docker plugin's root is
// docker/cli's, which has none.
func setContext(ctx context.Context, cmd *cobra.Command) {
	cmd.SetContext(ctx)
	for _, sub := range cmd.Commands() {
		setContext(ctx, sub)
	}
}
