package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// sayMain is a main.rs that prints its binary's name and word, so that
// running an image's executable tells which one it is.
func sayMain(word string) string {
	return fmt.Sprintf("fn main() { println!(\"{} says %s\", env!(\"CARGO_BIN_NAME\")); }\n", word)
}

// imageBinary checks that the image tagged tag in the layout at dir runs
// /app/BIN (skopeo reads its config) and that the executable in its layer
// prints want, and returns the executable, extracted.
func imageBinary(t *testing.T, dir, tag, bin, want string) string {
	t.Helper()
	var cfg struct{ Config struct{ Entrypoint []string } }
	mustJSON(t, mustRun(t, "", "skopeo", "inspect", "--config", "oci:"+dir+":"+tag), &cfg)
	if !slices.Equal(cfg.Config.Entrypoint, []string{"/app/" + bin}) {
		t.Errorf("oci:%s:%s runs %q, want [/app/%s]: the reference resolves to another image", dir, tag, cfg.Config.Entrypoint, bin)
	}
	layers := imageFor(t, dir, tag).Layers
	exe := untarFile(t, blobPath(dir, layers[len(layers)-1]), "app/"+bin)
	if out := mustRun(t, "", exe); !strings.Contains(out, want) {
		t.Errorf("the executable of oci:%s:%s printed %q, want %q", dir, tag, out, want)
	}
	return exe
}

// TestWorkspaceMembersKeepTheirImages: members, and binaries of one
// member, built one after the other with default settings each keep
// their image under the reference printed for them.
func TestWorkspaceMembersKeepTheirImages(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	ws := writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":     "[workspace]\nmembers = [\"api\", \"worker\"]\nresolver = \"2\"\n",
		"api/Cargo.toml": crateToml("api"), "api/src/main.rs": sayMain("api"),
		"worker/Cargo.toml":  crateToml("worker"),
		"worker/src/main.rs": sayMain("worker"), "worker/src/bin/worker-admin.rs": sayMain("admin"),
	})
	builds := []struct {
		pkg, bin, says string
		args           []string
	}{
		{"api", "api", "api says api", []string{"-p", "api"}},
		{"worker", "worker", "worker says worker", []string{"-p", "worker", "--bin", "worker"}},
		{"worker", "worker-admin", "worker-admin says admin", []string{"-p", "worker", "--bin", "worker-admin"}},
	}
	var dirs []string
	for _, b := range builds {
		dirs = append(dirs, ociRef(t, krust(t, ws, nil, append(slices.Clone(glibcScratch), b.args...)...), "latest"))
	}
	// Only once all are built: each reference still names its own image.
	for i, b := range builds {
		if want := filepath.Join(ws, "target", "krust", b.pkg, b.bin); dirs[i] != want {
			t.Errorf("%s: layout %s, want %s", b.bin, dirs[i], want)
		}
		imageBinary(t, dirs[i], "latest", b.bin, b.says)
	}

	// What build --no-push printed is what push takes.
	reg := testregistry.Start(t, testregistry.Options{})
	res := krust(t, ws, nil, "push", "--insecure-registry", reg.Host, "oci:"+dirs[0]+":latest", reg.Host+"/team/api:v1")
	if res.code != 0 {
		t.Fatalf("push the printed reference: exit %d\n%s", res.code, res.stderr)
	}
	var cfg struct{ Config struct{ Entrypoint []string } }
	mustJSON(t, mustRun(t, "", "skopeo", "inspect", "--tls-verify=false", "--config", "docker://"+reg.Host+"/team/api:v1"), &cfg)
	if !slices.Equal(cfg.Config.Entrypoint, []string{"/app/api"}) {
		t.Errorf("pushed image runs %q, want [/app/api]", cfg.Config.Entrypoint)
	}
}

// TestProjectsSharingATargetDir: two projects with the same package name
// and one CARGO_TARGET_DIR (where cargo itself overwrites
// target/release/NAME) each keep their image.
func TestProjectsSharingATargetDir(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	target := filepath.Join(t.TempDir(), "shared-target")
	env := []string{"CARGO_TARGET_DIR=" + target}
	var dirs []string
	for _, word := range []string{"first", "second"} {
		project := writeCrate(t, filepath.Join(t.TempDir(), word), map[string]string{"Cargo.toml": crateToml("svc"), "src/main.rs": sayMain(word)})
		dirs = append(dirs, ociRef(t, krust(t, project, env, glibcScratch...), "latest"))
	}
	if dirs[0] == dirs[1] {
		t.Fatalf("both projects wrote %s", dirs[0])
	}
	for i, word := range []string{"first", "second"} {
		if !strings.HasPrefix(dirs[i], filepath.Join(target, "krust", "svc-")) {
			t.Errorf("layout %s is not under the shared target directory's krust/svc-HASH", dirs[i])
		}
		imageBinary(t, dirs[i], "latest", "svc", "svc says "+word)
	}
}

// TestProfiles: the profile asked for is the one built, and the image
// holds the executable cargo built for it.
func TestProfiles(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	project := writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":  crateToml("prof") + "\n[profile.dist]\ninherits = \"release\"\n",
		"src/main.rs": sayMain("hi"),
	})
	tests := []struct {
		name string
		args []string
		dir  string // cargo's directory for the profile
	}{
		{"-- --profile dist", []string{"--tag", "dist", "--", "--profile", "dist"}, "dist"},
		{"--profile dev", []string{"--tag", "dev", "--profile", "dev"}, "debug"},
		{"-- -r", []string{"--tag", "r", "--", "-r"}, "release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ociRef(t, krust(t, project, nil, append(slices.Clone(glibcScratch), tt.args...)...), tt.args[1])
			exe := imageBinary(t, dir, tt.args[1], "prof", "prof says hi")
			built := filepath.Join(project, "target", "x86_64-unknown-linux-gnu", tt.dir, "prof")
			if !sameBytes(t, exe, built) {
				t.Errorf("the image's executable is not %s", built)
			}
		})
	}
	t.Run("two profiles", func(t *testing.T) {
		res := krust(t, project, nil, append(slices.Clone(glibcScratch), "--profile", "dev", "--", "--profile", "dist")...)
		assertCleanFailure(t, res, "--profile dev", "profile dist", "different profiles")
	})
}

func sameBytes(t *testing.T, a, b string) bool {
	t.Helper()
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(da, db)
}

// TestDefaultRun: a package with several binaries and default-run builds
// that one without --bin, as cargo run does.
func TestDefaultRun(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	project := writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":       crateToml("multi") + "default-run = \"server\"\n",
		"src/bin/admin.rs": sayMain("admin"), "src/bin/server.rs": sayMain("server"),
	})
	dir := ociRef(t, krust(t, project, nil, glibcScratch...), "latest")
	imageBinary(t, dir, "latest", "server", "server says server")
}

// TestFindsTheProjectAsCargoDoes: DIRECTORY, or the working directory,
// may be any directory of the project (the nearest Cargo.toml upward) or
// its Cargo.toml; a directory that does not exist says so.
func TestFindsTheProjectAsCargoDoes(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	ws := writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":     "[workspace]\nmembers = [\"api\", \"worker\"]\nresolver = \"2\"\n",
		"api/Cargo.toml": crateToml("api"), "api/src/main.rs": sayMain("api"),
		"worker/Cargo.toml": crateToml("worker"), "worker/src/main.rs": sayMain("worker"),
	})
	tests := []struct {
		name, cwd string
		args      []string
		bin       string
	}{
		{"from a member's src", "api/src", nil, "api"},
		{"relative src directory", ".", []string{"worker/src"}, "worker"},
		{"a Cargo.toml", "api", []string{"../worker/Cargo.toml"}, "worker"},
		{"the workspace Cargo.toml with -p", ".", []string{"Cargo.toml", "-p", "api"}, "api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := krust(t, filepath.Join(ws, tt.cwd), nil, append(slices.Clone(glibcScratch), tt.args...)...)
			dir := ociRef(t, res, "latest")
			if want := filepath.Join(ws, "target", "krust", tt.bin, tt.bin); dir != want {
				t.Errorf("layout %s, want %s", dir, want)
			}
			imageBinary(t, dir, "latest", tt.bin, tt.bin+" says "+tt.bin)
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		res := krust(t, ws, nil, append(slices.Clone(glibcScratch), "no-such-dir")...)
		assertCleanFailure(t, res, "no-such-dir does not exist")
		if strings.Contains(res.stderr, "cargo metadata") {
			t.Errorf("a missing directory is reported as a cargo metadata error:\n%s", res.stderr)
		}
	})
	t.Run("not a Cargo.toml", func(t *testing.T) {
		res := krust(t, ws, nil, append(slices.Clone(glibcScratch), "api/src/main.rs")...)
		assertCleanFailure(t, res, "main.rs is not a directory or a Cargo.toml")
	})
}
