package cargo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

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
	out, err := c.sysroot(ctx, dir)
	if err != nil {
		return nil
	}
	sysroot := strings.TrimSpace(string(out))
	libs, _ := filepath.Glob(filepath.Join(sysroot, "lib", "rustlib", triple, "lib", "libstd-*.rlib"))
	if len(libs) > 0 {
		return nil
	}
	return &TargetMissingError{Triple: triple, Sysroot: sysroot}
}

// sysroot asks the project's rustc, in dir, for its sysroot.
func (c Cargo) sysroot(ctx context.Context, dir string) ([]byte, error) {
	key, ask := c.sysrootQuestion(ctx, dir)
	return c.Memo.do(key, ask)
}

// sysrootQuestion is the Memo's key for the sysroot of the project's
// rustc in dir, and the function that asks it.
func (c Cargo) sysrootQuestion(ctx context.Context, dir string) ([]string, func() ([]byte, error)) {
	rustc := c.rustc()
	return []string{dir, rustc, strings.Join(c.Env, "\x01"), "--print", "sysroot"}, func() ([]byte, error) {
		cmd := exec.CommandContext(ctx, rustc, "--print", "sysroot")
		cmd.Dir, cmd.Env = dir, c.Env
		return cmd.Output()
	}
}

// Name is the builder as the user names it: "cargo", "cross",
// "cargo zigbuild".
func (c Cargo) Name() string {
	if fields := strings.Fields(c.Command); len(fields) > 0 {
		return strings.Join(fields, " ")
	}
	return "cargo"
}

// CheckBuilder checks that the builder's program is installed (for a
// cargo subcommand such as "cargo zigbuild", its cargo-NAME program), so
// that a missing one is reported with how to install it before anything
// is built.
func (c Cargo) CheckBuilder() error {
	program, prefix := c.command()
	if filepath.Base(program) == "cargo" && len(prefix) > 0 && !strings.HasPrefix(prefix[0], "-") {
		program = "cargo-" + prefix[0]
	}
	lookPath := c.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	if _, err := lookPath(program); err == nil {
		return nil
	}
	if strings.HasPrefix(program, "cargo-") && c.inCargoBin(program) {
		return nil // cargo also runs subcommands from $CARGO_HOME/bin
	}
	return &BuilderMissingError{Program: program}
}

// inCargoBin reports whether program is in cargo's bin directory.
func (c Cargo) inCargoBin(program string) bool {
	home := Home(getenvOf(c.Env))
	if home == "" {
		return false
	}
	info, err := os.Stat(filepath.Join(home, "bin", program))
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// Toolchain asks the project's toolchain for its versions: `rustc -vV`
// (RUSTC, or rustc from PATH) for rustc's version line and host triple,
// and `cargo --version`, both run in dir so that its rust-toolchain.toml
// applies. An error names the command that failed; whether that fails the
// build is the caller's choice.
func (c Cargo) Toolchain(ctx context.Context, dir string) (Toolchain, error) {
	rustc := c.rustc()
	// Two processes of tens of milliseconds each: side by side.
	version := make(chan lines, 1)
	go func() {
		out, err := c.firstLines(ctx, dir, c.program(), "--version")
		version <- lines{out, err}
	}()
	out, err := c.firstLines(ctx, dir, rustc, "-vV")
	cv := <-version
	if err != nil {
		return Toolchain{}, err
	}
	var t Toolchain
	t.Rustc = out[0]
	for _, line := range out[1:] {
		if host, ok := strings.CutPrefix(line, "host: "); ok {
			t.Host = strings.TrimSpace(host)
		}
	}
	if t.Host == "" {
		return Toolchain{}, fmt.Errorf("%s -vV in %s printed no `host:` line: %q", rustc, dir, strings.Join(out, "\n"))
	}
	if cv.err != nil {
		return Toolchain{}, cv.err
	}
	t.Cargo = cv.out[0]
	return t, nil
}

// lines are what firstLines returns.
type lines struct {
	out []string
	err error
}

// firstLines runs program with args in dir and returns the lines it
// prints (bounded by MaxMetadataBytes), of which there is at least one.
func (c Cargo) firstLines(ctx context.Context, dir, program string, args ...string) ([]string, error) {
	what := strings.Join(append([]string{program}, args...), " ") + " in " + dir
	key := append([]string{dir, program, strings.Join(c.Env, "\x01")}, args...)
	out, err := c.Memo.do(key, func() ([]byte, error) { return capture(ctx, dir, c.Env, what, program, args...) })
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[0] == "" {
		return nil, fmt.Errorf("%s printed nothing", what)
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return lines, nil
}

// rustc is the project's rustc: RUSTC, or rustc from PATH.
func (c Cargo) rustc() string {
	if v, ok := lookupEnv(c.Env, "RUSTC"); ok && v != "" {
		return v
	}
	return "rustc"
}
