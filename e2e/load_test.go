package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// layoutConfig returns the config digest of the image tagged tag in the
// layout dir, read from the layout's own files.
func layoutConfig(t *testing.T, dir, tag string) string {
	t.Helper()
	var idx struct {
		Manifests []struct {
			Digest      string
			Annotations map[string]string
		}
	}
	readJSON(t, filepath.Join(dir, "index.json"), &idx)
	for _, m := range idx.Manifests {
		if m.Annotations["org.opencontainers.image.ref.name"] != tag {
			continue
		}
		var man struct{ Config struct{ Digest string } }
		readJSON(t, filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(m.Digest, "sha256:")), &man)
		return man.Config.Digest
	}
	t.Fatalf("layout %s has no image tagged %s", dir, tag)
	return ""
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// removeImage removes a name from the Docker Engine when the test ends; by
// name, not ID, as other tests may hold the same image under theirs.
func removeImage(t *testing.T, name string) {
	t.Cleanup(func() { run(t, "", nil, "docker", "rmi", name) })
}

// podman runs podman with the flags that work on this machine, in its own
// storage under root.
func podman(t *testing.T, root string, args ...string) string {
	t.Helper()
	base := []string{"--root", filepath.Join(root, "root"), "--runroot", filepath.Join(root, "run"),
		"--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", "runc"}
	return mustRun(t, "", "podman", append(base, args...)...)
}

const greeting = "Hello, world, from docker-krust!"

func TestTarballLoadsIntoDockerAndPodman(t *testing.T) {
	requireTool(t, "docker")
	requireTool(t, "podman")
	tmp := t.TempDir()
	project := copyExample(t, tmp)
	tag := "e2e-" + randomHex(t)
	build := func(file string) result {
		return krust(t, project, nil, "build", "--libc", "glibc", "--base", "scratch", "--tag", tag, "--tarball", file)
	}
	first, second := filepath.Join(tmp, "a.tar"), filepath.Join(tmp, "b.tar")
	dir := ociRef(t, build(first), tag)
	ociRef(t, build(second), tag)
	a, _ := os.ReadFile(first)
	b, err := os.ReadFile(second)
	if err != nil || !bytes.Equal(a, b) || len(a) == 0 {
		t.Fatalf("the same image gave different tarballs (%d and %d bytes, %v)", len(a), len(b), err)
	}
	name := "krust.local/hello-krust:" + tag
	removeImage(t, name)
	if out := mustRun(t, "", "docker", "load", "-i", first); !strings.Contains(out, name) {
		t.Errorf("docker load did not tag %s:\n%s", name, out)
	}
	if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", name); !strings.Contains(out, greeting) {
		t.Errorf("docker run %s printed %q", name, out)
	}
	id := strings.TrimSpace(mustRun(t, "", "docker", "image", "inspect", "--format", "{{.Id}}", name))
	if want := layoutConfig(t, dir, tag); id != want {
		t.Errorf("docker loaded image %s, the layout's config is %s", id, want)
	}
	root, err := os.MkdirTemp("", "pm") // podman wants a short runroot
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	podman(t, root, "load", "-i", first)
	out := podman(t, root, "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", name)
	if !strings.Contains(out, greeting) {
		t.Errorf("podman run %s printed %q", name, out)
	}
}

func TestTarballRefusesWhatItCannotWrite(t *testing.T) {
	tmp := t.TempDir()
	project := copyExample(t, tmp)
	file := filepath.Join(tmp, "img.tar")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"zstd layers", []string{"--compression", "zstd", "--tarball", file}, "--compression gzip"},
		{"zstd layers with load", []string{"--compression", "zstd", "--load"}, "--compression gzip"},
		{"missing directory", []string{"--tarball", filepath.Join(tmp, "no", "img.tar")}, filepath.Join(tmp, "no")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := krust(t, project, nil, append([]string{"build", "--libc", "glibc", "--base", "scratch"}, tc.args...)...)
			assertCleanFailure(t, res, tc.want)
			entries, _ := os.ReadDir(tmp)
			for _, e := range entries {
				if e.Name() != "hello-krust" {
					t.Errorf("a failed --tarball left %s", e.Name())
				}
			}
		})
	}
}

// loadFaces are the two ways to run --load: standalone krust, which
// resolves the engine as the docker CLI does, and the plugin under
// `docker --config DIR`, which uses the docker CLI's own.
func loadFaces(t *testing.T) []loadFace {
	config := installPlugin(t)
	return []loadFace{
		{name: "standalone", cmd: filepath.Join(h.binDir, "krust")},
		{name: "plugin", cmd: "docker", pre: []string{"--config", config, "krust"}},
	}
}

type loadFace struct {
	name, cmd string
	pre       []string
}

func (f loadFace) build(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return run(t, dir, env, f.cmd, append(append(append([]string{}, f.pre...), "build", "--libc", "glibc", "--base", "scratch"), args...)...)
}

// imageID checks that stdout is one line, an image ID, and returns it.
func imageID(t *testing.T, res result) string {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("build --load failed: exit %d\nstderr:\n%s", res.code, res.stderr)
	}
	id, ok := strings.CutSuffix(res.stdout, "\n")
	if !ok || !strings.HasPrefix(id, "sha256:") || len(id) != len("sha256:")+64 {
		t.Fatalf("stdout %q is not one line sha256:IMAGE_ID", res.stdout)
	}
	return id
}

func TestLoadRunsInDocker(t *testing.T) {
	requireTool(t, "docker")
	for _, f := range loadFaces(t) {
		t.Run(f.name, func(t *testing.T) {
			project := copyExample(t, t.TempDir())
			tag := "e2e-" + randomHex(t)
			name := "krust.local/hello-krust:" + tag
			removeImage(t, name)
			res := f.build(t, project, nil, "--load", "--tag", tag)
			id := imageID(t, res)
			if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", id); !strings.Contains(out, greeting) {
				t.Errorf("docker run %s printed %q", id, out)
			}
			got := strings.TrimSpace(mustRun(t, "", "docker", "image", "inspect", "--format", "{{.Id}}", name))
			if want := layoutConfig(t, filepath.Join(project, "target", "krust", "hello-krust", "hello-krust"), tag); got != want || id != want {
				t.Errorf("%s is image %s and stdout said %s; the layout's config is %s", name, got, id, want)
			}

			// Again, with one more tag: the engine has the image, so it is
			// not sent, but it gains the new tag.
			tag2 := tag + "-again"
			removeImage(t, "krust.local/hello-krust:"+tag2)
			again := f.build(t, project, nil, "--load", "--tag", tag, "--tag", tag2)
			if imageID(t, again) != id || !strings.Contains(again.stderr, "not sent again") {
				t.Errorf("a second --load of the same image was sent again or changed its ID:\n%s", again.stderr)
			}
			tags := mustRun(t, "", "docker", "image", "inspect", "--format", "{{.RepoTags}}", id)
			if !strings.Contains(tags, name) || !strings.Contains(tags, tag2) {
				t.Errorf("image %s has tags %s, want %s and %s", id, tags, name, tag2)
			}
		})
	}
}

// No engine answering: each way of choosing the engine is named in the
// error, stdout stays empty and the layout is kept.
func TestLoadWithoutEngine(t *testing.T) {
	requireTool(t, "docker")
	config := installPlugin(t)
	mustRun(t, "", "docker", "--config", config, "context", "create", "krust-nowhere", "--docker", "host=tcp://127.0.0.1:1")
	krustBin := filepath.Join(h.binDir, "krust")
	tests := []struct {
		name string
		env  []string
		cmd  string
		pre  []string
		want string
	}{
		{"standalone DOCKER_HOST", []string{"DOCKER_HOST=tcp://127.0.0.1:1"}, krustBin, nil, `tcp://127.0.0.1:1 (Docker context "default")`},
		{"plugin DOCKER_HOST", []string{"DOCKER_HOST=tcp://127.0.0.1:1"}, "docker", []string{"--config", config, "krust"}, `tcp://127.0.0.1:1 (Docker context "default")`},
		{"standalone DOCKER_CONTEXT", []string{"DOCKER_CONFIG=" + config, "DOCKER_CONTEXT=krust-nowhere"}, krustBin, nil, `tcp://127.0.0.1:1 (Docker context "krust-nowhere")`},
		{"plugin --context", nil, "docker", []string{"--config", config, "--context", "krust-nowhere", "krust"}, `tcp://127.0.0.1:1 (Docker context "krust-nowhere")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			project := copyExample(t, t.TempDir())
			f := loadFace{name: tc.name, cmd: tc.cmd, pre: tc.pre}
			res := f.build(t, project, append([]string{"DOCKER_HOST="}, tc.env...), "--load")
			assertCleanFailure(t, res, "no Docker Engine answers at "+tc.want, "DOCKER_HOST or --context")
			validateLayout(t, filepath.Join(project, "target", "krust", "hello-krust", "hello-krust"))
		})
	}
}

func TestKrustLocalRepoMeansLoad(t *testing.T) {
	requireTool(t, "docker")
	project := copyExample(t, t.TempDir())
	tag := "e2e-" + randomHex(t)
	removeImage(t, "krust.local/hello-krust:"+tag)
	// No --load and no --no-push: krust.local is the engine, never a registry.
	res := krust(t, project, []string{"KRUST_REPO=krust.local"}, "build", "--libc", "glibc", "--base", "scratch", "--tag", tag)
	id := imageID(t, res)
	if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", "krust.local/hello-krust:"+tag); !strings.Contains(out, greeting) {
		t.Errorf("docker run of %s printed %q", id, out)
	}
}

// A two-platform index loads the engine's own platform (amd64 here), and
// says so; the tarball holds this machine's.
func TestLoadTwoPlatformsLoadsTheEngines(t *testing.T) {
	requireTool(t, "docker")
	for _, tool := range []string{debianCargo, "/usr/bin/rustc", "aarch64-linux-gnu-gcc"} {
		requireTool(t, tool)
	}
	project := copyExample(t, t.TempDir())
	// Debian's cargo 1.65 cannot read the newer Cargo.lock: leave it out.
	if err := os.Remove(filepath.Join(project, "Cargo.lock")); err != nil {
		t.Fatal(err)
	}
	tag := "e2e-" + randomHex(t)
	removeImage(t, "krust.local/hello-krust:"+tag)
	tarball := filepath.Join(t.TempDir(), "img.tar")
	res := krust(t, project, []string{"PATH=/usr/bin:" + os.Getenv("PATH")}, "build", "--libc", "glibc", "--base", "scratch",
		"--platform", "linux/amd64,linux/arm64", "--cargo", debianCargo, "--tag", tag, "--load", "--tarball", tarball)
	id := imageID(t, res)
	if !strings.Contains(res.stderr, "linux/amd64 for the Docker Engine") || !strings.Contains(res.stderr, "linux/amd64 for this machine") {
		t.Errorf("stderr does not say which platform was loaded and written:\n%s", res.stderr)
	}
	// Engine 20.10 has the classic image store: detected as such, it gets
	// the one platform's docker archive, not the whole index.
	if strings.Contains(res.stderr, "containerd image store") {
		t.Errorf("Engine 20.10's classic store was taken for the containerd store:\n%s", res.stderr)
	}
	if arch := strings.TrimSpace(mustRun(t, "", "docker", "image", "inspect", "--format", "{{.Architecture}}", id)); arch != "amd64" {
		t.Errorf("the engine got the %s image, want amd64", arch)
	}
	if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", id); !strings.Contains(out, "built for x86_64-linux") {
		t.Errorf("docker run %s printed %q", id, out)
	}
	var dm []struct{ Config string }
	mustJSON(t, mustRun(t, "", "tar", "xOf", tarball, "manifest.json"), &dm)
	if len(dm) != 1 || "sha256:"+filepath.Base(dm[0].Config) != id {
		t.Errorf("the tarball holds %+v, want the loaded image %s", dm, id)
	}
}

// --load with a registry set pushes and loads; stdout stays the registry
// reference by digest.
func TestLoadWithRegistryPushesAndLoads(t *testing.T) {
	requireTool(t, "docker")
	reg := testregistry.Start(t, testregistry.Options{})
	project := copyExample(t, t.TempDir())
	repo := reg.Host + "/e2e" + randomHex(t)
	tag := "e2e-" + randomHex(t)
	name := repo + "/hello-krust:" + tag
	removeImage(t, name)
	res := krust(t, project, isolatedEnv(t), "build", "--libc", "glibc", "--base", "scratch", "--repo", repo, "--tag", tag, "--load")
	ref := pushedRef(t, res, repo+"/hello-krust")
	mustRun(t, "", "skopeo", "inspect", "--tls-verify=false", "docker://"+ref)
	if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", name); !strings.Contains(out, greeting) {
		t.Errorf("docker run %s printed %q", name, out)
	}
}
