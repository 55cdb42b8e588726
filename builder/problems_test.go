package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// noTargets is cargo without the Rust standard library for any target.
type noTargets struct{ *fakeCargo }

func (noTargets) CheckTarget(_ context.Context, _, triple string) error {
	return fmt.Errorf("%w: %s\n  add it with:  rustup target add %s", cargo.ErrTargetMissing, triple, triple)
}

// pushCheckFunc is a PushChecker made of a function.
type pushCheckFunc func(ctx context.Context, image reference.Named) error

func (f pushCheckFunc) CheckPush(ctx context.Context, image reference.Named) error {
	return f(ctx, image)
}

var errRefused = errors.New("registry refused the credentials (401 Unauthorized): log in with `docker login 127.0.0.1:5000`")

// TestAllProblemsBeforeCargo: the checks that do not depend on each other
// (Rust targets, bases, the registry to push to) all run, and all they
// find is reported in one error before cargo runs.
func TestAllProblemsBeforeCargo(t *testing.T) {
	arm64 := ocispec.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name      string
		noTargets bool
		badBase   bool
		refuse    bool
		arm64     bool
		want      []string // in the message, in this order
		wantIs    []error
		wantCount int // problems listed; 1 means the error alone, unlisted
	}{
		{"missing target, bad base and refused credentials", true, true, true, false,
			[]string{"3 problems", "\n1. registry refused", "\n2. base image oci:", "\n3. linux/amd64: rust target not installed", "\n   add it with:  rustup target add x86_64-unknown-linux-gnu"},
			[]error{errRefused, cargo.ErrTargetMissing, layout.ErrNotLayout}, 3},
		{"missing target and bad base, two platforms: the base once", true, true, false, true,
			[]string{"3 problems", "linux/amd64: rust target", "linux/arm64: rust target", "rustup target add aarch64-unknown-linux-gnu"},
			[]error{cargo.ErrTargetMissing, layout.ErrNotLayout}, 3},
		{"missing target and refused credentials", true, false, true, false,
			[]string{"2 problems", "docker login", "rustup target add"}, []error{errRefused, cargo.ErrTargetMissing}, 2},
		{"refused credentials alone", false, false, true, false, []string{"registry refused"}, []error{errRefused}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			opts.Repo = "127.0.0.1:5000/team"
			var checked []string
			opts.PushCheck = pushCheckFunc(func(_ context.Context, image reference.Named) error {
				checked = append(checked, image.String())
				if tt.refuse {
					return errRefused
				}
				return nil
			})
			if tt.badBase {
				opts.Base = "oci:" + filepath.Join(opts.Dir, "missing")
			}
			if tt.arm64 {
				opts.Platforms = append(opts.Platforms, arm64)
			}
			var c metadataCargo = f
			if tt.noTargets {
				c = noTargets{f}
			}
			_, err := Run(context.Background(), c, opts)
			if err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			msg := err.Error()
			at := 0
			for _, w := range tt.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error lacks %q (after position %d):\n%s", w, at, msg)
				}
				at += i + len(w)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("error is not %v:\n%s", target, msg)
				}
			}
			var problems Problems
			if got := errors.As(err, &problems); got != (tt.wantCount > 1) || got && len(problems) != tt.wantCount {
				t.Errorf("problems listed: %v (%d), want %d:\n%s", got, len(problems), tt.wantCount, msg)
			}
			if len(checked) != 1 || checked[0] != "127.0.0.1:5000/team/svc" {
				t.Errorf("push checked for %q, want once for the image 127.0.0.1:5000/team/svc", checked)
			}
			if f.builds != 0 {
				t.Errorf("cargo ran %d times, want none", f.builds)
			}
			if _, err := os.Stat(filepath.Join(opts.Dir, "target", "krust")); !os.IsNotExist(err) {
				t.Errorf("a failed build left a layout behind: %v", err)
			}
		})
	}
}
