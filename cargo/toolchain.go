package cargo

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrTargetMissing means the Rust standard library for a target triple is
// not installed in the project's toolchain.
var ErrTargetMissing = errors.New("rust target not installed")

// CheckTarget asks the project's rustc (RUSTC, or rustc from PATH, run in
// dir so rust-toolchain.toml applies) for its sysroot and checks that the
// standard library for triple is there. When rustc cannot be asked, it
// returns nil and leaves the verdict to cargo.
// Other builders (cross, zigbuild) bring their own toolchains and are not
// checked.
func (c Cargo) CheckTarget(ctx context.Context, dir, triple string) error {
	if !c.IsDefault() {
		return nil
	}
	rustc := "rustc"
	if v, ok := lookupEnv(c.Env, "RUSTC"); ok && v != "" {
		rustc = v
	}
	cmd := exec.CommandContext(ctx, rustc, "--print", "sysroot")
	cmd.Dir, cmd.Env = dir, c.Env
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	sysroot := strings.TrimSpace(string(out))
	libs, _ := filepath.Glob(filepath.Join(sysroot, "lib", "rustlib", triple, "lib", "libstd-*.rlib"))
	if len(libs) > 0 {
		return nil
	}
	return fmt.Errorf("%w: the Rust standard library for %s is not installed (toolchain %s)\n"+
		"  add it with:  rustup target add %s\n"+
		"  or link against static glibc instead: --libc glibc",
		ErrTargetMissing, triple, sysroot, triple)
}
