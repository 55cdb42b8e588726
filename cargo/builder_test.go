package cargo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Static glibc is offered instead only when it is a way out: for a
// missing musl target, not a missing glibc one. The error names no flag.
func TestCheckTargetHintFitsTheLibc(t *testing.T) {
	tests := []struct {
		triple    string
		wantGlibc bool
	}{
		{"aarch64-unknown-linux-musl", true},
		{"armv7-unknown-linux-musleabihf", true},
		{"aarch64-unknown-linux-gnu", false},
	}
	for _, tt := range tests {
		t.Run(tt.triple, func(t *testing.T) {
			dir := t.TempDir()
			rustc := filepath.Join(dir, "rustc")
			if err := os.WriteFile(rustc, []byte("#!/bin/sh\necho "+dir+"/sysroot\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			err := Cargo{Env: []string{"RUSTC=" + rustc}}.CheckTarget(context.Background(), dir, tt.triple)
			if !errors.Is(err, ErrTargetMissing) || !strings.Contains(err.Error(), "rustup target add "+tt.triple) {
				t.Fatalf("CheckTarget = %v, want a missing target and how to add it", err)
			}
			var missing *TargetMissingError
			if !errors.As(err, &missing) || (missing.Instead() == Glibc) != tt.wantGlibc || strings.Contains(err.Error(), "--") {
				t.Errorf("CheckTarget = %v, want glibc instead %v and no flag named", err, tt.wantGlibc)
			}
		})
	}
}

func TestCheckBuilder(t *testing.T) {
	cargoHome := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cargoHome, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cargoHome, "bin", "cargo-auditable"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	onPath := map[string]bool{"cargo": true, "/opt/cross": true}
	lookPath := func(name string) (string, error) {
		if onPath[name] {
			return name, nil
		}
		return "", errors.New("not found")
	}
	tests := []struct {
		command string
		want    string // "" means installed
		isCargo bool
	}{
		{"", "", false},
		{"cargo", "", false},
		{"/opt/cross", "", false},
		{"cross", "cross is not on PATH: install it with `cargo install cross --git https://github.com/cross-rs/cross`", false},
		{"cargo zigbuild", "cargo-zigbuild is not on PATH: install it with `cargo install --locked cargo-zigbuild`", false},
		{"cargo auditable", "", false}, // found in $CARGO_HOME/bin, where cargo looks too
		{"my-builder --fast", "my-builder is not on PATH: install it", false},
		{"/opt/bin/cargo", "/opt/bin/cargo is not on PATH: install Rust with rustup", true},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			c := Cargo{Command: tt.command, Env: []string{"CARGO_HOME=" + cargoHome}, LookPath: lookPath}
			err := c.CheckBuilder()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var missing *BuilderMissingError
			if !errors.Is(err, ErrBuilderMissing) || !errors.As(err, &missing) || missing.IsCargo() != tt.isCargo ||
				!strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "--cargo") {
				t.Errorf("CheckBuilder = %v, want ErrBuilderMissing saying %q and naming no flag", err, tt.want)
			}
		})
	}
	if got := (Cargo{Command: " cargo  zigbuild "}).Name(); got != "cargo zigbuild" {
		t.Errorf("Name = %q", got)
	}
}

// A builder that cannot be started is ErrCannotStart, with the reason and
// no flag named.
func TestBuildCannotStart(t *testing.T) {
	dir := t.TempDir()
	c := Cargo{Command: filepath.Join(dir, "no-such-cargo"), Env: []string{"PATH=" + dir}}
	_, err := c.Build(context.Background(), BuildRequest{Dir: dir, Bins: []string{"app"}, Triples: []string{"x86_64-unknown-linux-musl"}})
	if !errors.Is(err, ErrCannotStart) || !errors.Is(err, os.ErrNotExist) || strings.Contains(err.Error(), "--cargo") {
		t.Fatalf("Build = %v, want ErrCannotStart saying why, naming no flag", err)
	}
}
