package cargo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeCargo writes a cargo that records its arguments in dir/invocations
// and reports app's executable for each --target, as cargo does.
func fakeCargo(t *testing.T, dir string) string {
	t.Helper()
	script := `#!/bin/sh
printf '%s\n' "$@" >> ` + filepath.Join(dir, "invocations") + `
prev=
for a in "$@"; do
  if [ "$prev" = --target ]; then
    printf '{"reason":"compiler-artifact","target":{"name":"app","kind":["bin"]},"executable":"/t/%s/release/app"}\n' "$a"
  fi
  prev=$a
done
`
	path := filepath.Join(dir, "bin", "cargo")
	writeTestFile(t, path, script)
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\n")
	return path
}

// TestVerboseShowsNoSecret: -v prints the cargo command line; the values
// of the user's arguments that are no build setting are redacted there,
// whatever they hold, while cargo itself gets them as they are.
func TestVerboseShowsNoSecret(t *testing.T) {
	args := []string{
		"--config", `http.proxy="http://user:p=ss;SECRET1@proxy:3128"`,
		"--config", `env.API_KEY="SECRET2"`,
		"--config=registries.corp.index=\"https://u:p/SECRET3@corp.example/index\"",
		"--config", `my.own.key="SECRET4"`,
		"--unknown-flag=SECRET5",
		"--config", `profile.release.lto="fat"`, "--locked",
	}
	dir := t.TempDir()
	var stderr bytes.Buffer
	c := Cargo{Command: fakeCargo(t, dir), Env: os.Environ(), Stderr: &stderr, Verbose: true,
		LookPath: func(string) (string, error) { return "", os.ErrNotExist }}
	if _, err := c.Build(context.Background(), BuildRequest{Dir: dir, Bins: []string{"app"}, Triples: []string{"x86_64-unknown-linux-gnu"}, Args: args}); err != nil {
		t.Fatal(err)
	}
	log := stderr.String()
	if strings.Contains(log, "SECRET") {
		t.Errorf("-v shows a secret:\n%s", log)
	}
	for _, want := range []string{"http.proxy=<redacted>", "env.API_KEY=<redacted>", "--config=registries.corp.index=<redacted>",
		"my.own.key=<redacted>", "--unknown-flag=<redacted>", `profile.release.lto="fat"`, "--locked"} {
		if !strings.Contains(log, want) {
			t.Errorf("-v lacks %s:\n%s", want, log)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "invocations"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range args {
		if !strings.Contains(string(got), a+"\n") {
			t.Errorf("cargo did not get %q as it was given:\n%s", a, got)
		}
	}
}

// TestConfigErrorShowsNoSecret: a --config krust cannot read is named by
// its key, not its value.
func TestConfigErrorShowsNoSecret(t *testing.T) {
	dir := t.TempDir()
	c := Cargo{Command: fakeCargo(t, dir), Env: os.Environ(), LookPath: func(string) (string, error) { return "", os.ErrNotExist }}
	for _, arg := range []string{"env.API_KEY=SECRET", "env.API_KEY = two SECRET words", `target.'cfg(a = "b")'.runner=SECRET`} {
		_, err := c.Build(context.Background(), BuildRequest{Dir: dir, Bins: []string{"app"}, Triples: []string{"x86_64-unknown-linux-gnu"}, Args: []string{"--config", arg}})
		if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "=<redacted>") {
			t.Errorf("--config %s: error %v, want one naming the key and not the value", arg, err)
		}
	}
}
