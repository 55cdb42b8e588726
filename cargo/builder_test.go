package cargo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The --libc glibc hint is given only when it is a way out: for a missing
// musl target, not a missing glibc one.
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
			if got := strings.Contains(err.Error(), "--libc glibc"); got != tt.wantGlibc {
				t.Errorf("hint --libc glibc given %v, want %v: %v", got, tt.wantGlibc, err)
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
	}{
		{"", ""},
		{"cargo", ""},
		{"/opt/cross", ""},
		{"cross", "cross is not on PATH: install it with `cargo install cross --git https://github.com/cross-rs/cross`"},
		{"cargo zigbuild", "cargo-zigbuild is not on PATH: install it with `cargo install --locked cargo-zigbuild`"},
		{"cargo auditable", ""}, // found in $CARGO_HOME/bin, where cargo looks too
		{"my-builder --fast", "my-builder is not on PATH: install it, or drop --cargo"},
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
			if !errors.Is(err, ErrBuilderMissing) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckBuilder = %v, want ErrBuilderMissing saying %q", err, tt.want)
			}
		})
	}
	if got := (Cargo{Command: " cargo  zigbuild "}).Name(); got != "cargo zigbuild" {
		t.Errorf("Name = %q", got)
	}
}
