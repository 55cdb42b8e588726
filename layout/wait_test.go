package layout

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/flock"
)

// TestLockWaitsEndWithTheContext holds the lock Create or Lease waits for,
// as a stuck writer or gc would, and checks that the wait ends with the
// context's error soon after the context does (as on Ctrl-C or --timeout),
// and that the same call succeeds once the lock is free.
func TestLockWaitsEndWithTheContext(t *testing.T) {
	tests := []struct {
		name string
		// hold takes the lock the call waits for and returns its release.
		hold func(t *testing.T, l *Layout) func()
		call func(ctx context.Context, l *Layout) error
	}{
		{
			name: "Create waits for the layout's lock",
			hold: func(t *testing.T, l *Layout) func() {
				unlock, err := lockDir(context.Background(), l.Dir())
				if err != nil {
					t.Fatal(err)
				}
				return unlock
			},
			call: func(ctx context.Context, l *Layout) error { _, err := Create(ctx, l.Dir()); return err },
		},
		{
			name: "Lease waits for gc's exclusive hold",
			hold: func(t *testing.T, l *Layout) func() {
				f, err := l.openLeaseFile(context.Background(), flock.Exclusive, false)
				if err != nil {
					t.Fatal(err)
				}
				return func() { f.Close() }
			},
			call: func(ctx context.Context, l *Layout) error {
				le, err := l.Lease(ctx)
				if err == nil {
					le.Release()
				}
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			release := tt.hold(t, l)
			defer release()
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := promptlyOr(t, tt.name, func() error { return tt.call(ctx, l) })
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("with the lock held: %v, want context.DeadlineExceeded", err)
			}
			if waited := time.Since(start); waited > 2*time.Second {
				t.Errorf("the wait ended %v after it began, for a context that ended after 100ms", waited)
			}
			release()
			if err := promptlyOr(t, tt.name, func() error { return tt.call(context.Background(), l) }); err != nil {
				t.Fatalf("with the lock free: %v", err)
			}
		})
	}
}
