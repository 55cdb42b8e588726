package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// probeMain prints whether rustc was given --cfg krust_probe, so the
// image's own binary shows which rustflags cargo used.
const probeMain = "fn main() { println!(\"krust_probe={}\", cfg!(krust_probe)); }\n"

// probeLints declares the probe cfg, so cargo 1.95 does not warn about it.
const probeLints = "\n[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = ['cfg(krust_probe)'] }\n"

// probeFlags is a build.rustflags value that sets the probe.
const probeFlags = `["--cfg","krust_probe"]`

// probeCrate writes a crate named probe into dir.
func probeCrate(t *testing.T, dir string, extra map[string]string) string {
	t.Helper()
	files := map[string]string{"Cargo.toml": crateToml("probe") + probeLints, "src/main.rs": probeMain}
	for k, v := range extra {
		files[k] = v
	}
	return writeCrate(t, dir, files)
}

// outsideDepProject writes app (using probeMain) with a path dependency
// outside its directory, both under ws/inner, and returns app's directory
// and ws: a config file in ws/.cargo lies above everything krust exposes
// through its stable build path.
func outsideDepProject(t *testing.T, extraToml string) (app, ws string) {
	t.Helper()
	ws = filepath.Join(t.TempDir(), "ws")
	inner := filepath.Join(ws, "inner")
	writeCrate(t, filepath.Join(inner, "shared"), map[string]string{
		"Cargo.toml": crateToml("shared"),
		"src/lib.rs": "pub fn id() -> u32 { 7 }\n",
	})
	app = writeCrate(t, filepath.Join(inner, "app"), map[string]string{
		"Cargo.toml":  crateToml("app") + extraToml + "\n[dependencies]\nshared = { path = \"../shared\" }\n",
		"src/main.rs": "fn main() { let _ = shared::id(); println!(\"krust_probe={}\", cfg!(krust_probe)); }\n",
	})
	return app, ws
}

// linkerWrapper writes a script that records each call in the file it
// returns and then runs the real linker.
func linkerWrapper(t *testing.T, real string) (script, log string) {
	t.Helper()
	dir := t.TempDir()
	script, log = filepath.Join(dir, "record-linker"), filepath.Join(dir, "linker.log")
	writeFile(t, script, "#!/bin/sh\necho called >> '"+log+"'\nexec "+real+" \"$@\"\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	return script, log
}

// layerBinary extracts /app/BIN from the single-platform image tagged
// latest in the layout at dir.
func layerBinary(t *testing.T, dir, bin string) string {
	t.Helper()
	layers := imageFor(t, dir, "latest").Layers
	return untarFile(t, blobPath(dir, layers[len(layers)-1]), "app/"+bin)
}

// TestCargoConfigIsHonoured builds with rustflags given in each of the
// places cargo reads them and runs the image's binary: krust's own
// +crt-static must not hide any of them.
func TestCargoConfigIsHonoured(t *testing.T) {
	requireTool(t, "cargo")
	wrapper, wrapperLog := linkerWrapper(t, "cc")
	tests := []struct {
		name    string
		project func(t *testing.T) string
		env     []string
		args    []string // after build --no-push -v --libc glibc --base scratch
		// wantVerbose is what -v must print about the rustflags krust set.
		wantVerbose string
		linkerLog   string // a log the user's linker must have written
	}{
		{
			name:        "--config KEY=VALUE in CARGO_ARGS",
			project:     func(t *testing.T) string { return probeCrate(t, t.TempDir(), nil) },
			args:        []string{"--", "--config", "build.rustflags=" + probeFlags},
			wantVerbose: `rustflags: krust adds --config target.x86_64-unknown-linux-gnu.rustflags=["--cfg","krust_probe","-C","target-feature=+crt-static"`,
		},
		{
			name: "--config PATH in CARGO_ARGS, relative to the project",
			project: func(t *testing.T) string {
				return probeCrate(t, t.TempDir(), map[string]string{"ci.toml": "[build]\nrustflags = " + probeFlags + "\n"})
			},
			args: []string{"--", "--config", "ci.toml"},
		},
		{
			name: "--config in the cargo-args setting",
			project: func(t *testing.T) string {
				meta := "\n[package.metadata.krust]\ncargo-args = [\"--config\", 'build.rustflags=" + probeFlags + "']\n"
				return probeCrate(t, t.TempDir(), map[string]string{"Cargo.toml": crateToml("probe") + probeLints + meta})
			},
		},
		{
			name:        "RUSTFLAGS, shown by -v",
			project:     func(t *testing.T) string { return probeCrate(t, t.TempDir(), nil) },
			env:         []string{"RUSTFLAGS=--cfg krust_probe"},
			wantVerbose: "rustflags: krust sets RUSTFLAGS=--cfg krust_probe -C target-feature=+crt-static",
		},
		{
			name:        "CARGO_ENCODED_RUSTFLAGS, shown by -v",
			project:     func(t *testing.T) string { return probeCrate(t, t.TempDir(), nil) },
			env:         []string{"CARGO_ENCODED_RUSTFLAGS=--cfg\x1fkrust_probe"},
			wantVerbose: `rustflags: krust sets CARGO_ENCODED_RUSTFLAGS=["--cfg","krust_probe","-C","target-feature=+crt-static"`,
		},
		{
			name:    "CARGO_BUILD_RUSTFLAGS",
			project: func(t *testing.T) string { return probeCrate(t, t.TempDir(), nil) },
			env:     []string{"CARGO_BUILD_RUSTFLAGS=--cfg krust_probe"},
		},
		{
			name: "config file above a project with an outside path dependency",
			project: func(t *testing.T) string {
				app, ws := outsideDepProject(t, probeLints)
				writeFile(t, filepath.Join(ws, ".cargo", "config.toml"), "[build]\nrustflags = "+probeFlags+"\n"+
					"[target.x86_64-unknown-linux-gnu]\nlinker = '"+wrapper+"'\n")
				return app
			},
			linkerLog: wrapperLog,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := tt.project(t)
			_ = os.Remove(wrapperLog)
			args := append([]string{"build", "--no-push", "-v", "--libc", "glibc", "--base", "scratch"}, tt.args...)
			res := krust(t, project, append(isolatedEnv(t), tt.env...), args...)
			dir := ociRef(t, res, "latest")
			bin := filepath.Base(project)
			if bin != "app" {
				bin = "probe"
			}
			out, err := exec.Command(layerBinary(t, dir, bin)).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "krust_probe=true" {
				t.Errorf("the image's binary printed %q (%v): the user's rustflags were dropped\nstderr:\n%s", out, err, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.wantVerbose) {
				t.Errorf("-v does not show the rustflags krust set (want %q):\n%s", tt.wantVerbose, res.stderr)
			}
			if tt.linkerLog != "" {
				if _, err := os.Stat(tt.linkerLog); err != nil {
					t.Errorf("the linker configured in the cargo config was not used: %v\nstderr:\n%s", err, res.stderr)
				}
			}
		})
	}
}

// TestConfiguredCrossLinkerIsUsed builds for arm64 with a linker the user
// configured: krust must not replace it with the cross gcc it finds on
// PATH.
func TestConfiguredCrossLinkerIsUsed(t *testing.T) {
	for _, tool := range []string{debianCargo, "/usr/bin/rustc", "aarch64-linux-gnu-gcc", "qemu-aarch64-static"} {
		requireTool(t, tool)
	}
	wrapper, log := linkerWrapper(t, "aarch64-linux-gnu-gcc")
	linkerSetting := `target.aarch64-unknown-linux-gnu.linker="` + wrapper + `"`
	tests := []struct {
		name    string
		project func(t *testing.T) string
		args    []string
	}{
		{
			name:    "--config in CARGO_ARGS",
			project: func(t *testing.T) string { return probeCrate(t, t.TempDir(), nil) },
			args:    []string{"--", "--config", linkerSetting},
		},
		{
			name: "config file above a project with an outside path dependency",
			project: func(t *testing.T) string {
				app, ws := outsideDepProject(t, "")
				writeFile(t, filepath.Join(ws, ".cargo", "config.toml"), "[target.aarch64-unknown-linux-gnu]\nlinker = '"+wrapper+"'\n")
				return app
			},
		},
		{
			name: "config file in the project",
			project: func(t *testing.T) string {
				return probeCrate(t, t.TempDir(), map[string]string{".cargo/config.toml": "[target.aarch64-unknown-linux-gnu]\nlinker = '" + wrapper + "'\n"})
			},
		},
	}
	// Debian's cargo and its rustc, which has the arm64 standard library.
	env := []string{"PATH=/usr/bin:" + os.Getenv("PATH")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := tt.project(t)
			_ = os.Remove(log)
			args := append([]string{"build", "--no-push", "-v", "--libc", "glibc", "--base", "scratch", "--platform", "linux/arm64", "--cargo", debianCargo}, tt.args...)
			res := krust(t, project, env, args...)
			dir := ociRef(t, res, "latest")
			if _, err := os.Stat(log); err != nil {
				t.Errorf("the configured linker %s was not called: %v\nstderr:\n%s", wrapper, err, res.stderr)
			}
			if strings.Contains(res.stderr, "linking aarch64-unknown-linux-gnu with") {
				t.Errorf("krust chose a cross linker although one is configured:\n%s", res.stderr)
			}
			bin := filepath.Base(project)
			if bin != "app" {
				bin = "probe"
			}
			if out, err := exec.Command("qemu-aarch64-static", layerBinary(t, dir, bin)).CombinedOutput(); err != nil || !strings.Contains(string(out), "krust_probe=false") {
				t.Errorf("arm64 binary under qemu: %v\n%s", err, out)
			}
		})
	}
}
