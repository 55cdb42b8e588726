package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/ggcrcheck"
	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The layer's compression runs on every core, but the digests must be
// those of a build pinned to one core with GOMAXPROCS=1.
func TestReproducibleOnOneCore(t *testing.T) {
	requireTool(t, "cargo")
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Fatalf("taskset (util-linux) is needed to pin krust to one core: %v", err)
	}
	project := copyExample(t, t.TempDir())
	for _, compression := range []string{"gzip", "zstd"} {
		t.Run(compression, func(t *testing.T) {
			args := append(append([]string(nil), glibcScratch...), "--compression", compression, "--oci-layout")
			dirAll := filepath.Join(t.TempDir(), "all-cores")
			all := ociRef(t, krust(t, project, nil, append(args, dirAll)...), "latest")
			dirOne := filepath.Join(t.TempDir(), "one-core")
			one := ociRef(t, run(t, project, []string{"GOMAXPROCS=1"}, taskset,
				append([]string{"-c", "0", filepath.Join(h.binDir, "krust")}, append(args, dirOne)...)...), "latest")
			a, b := imageFor(t, all, "latest"), imageFor(t, one, "latest")
			if a.Layers[0].Digest != b.Layers[0].Digest || manifestFor(t, all, "latest").Digest != manifestFor(t, one, "latest").Digest {
				t.Errorf("layer %s on every core, %s on one core with GOMAXPROCS=1", a.Layers[0].Digest, b.Layers[0].Digest)
			}
		})
	}
}

// --compression zstd writes a zstd layer that skopeo, podman and
// go-containerregistry read; krust warns that Docker Engine 20.10 cannot,
// and the engine here indeed refuses to pull it.
func TestZstdCompression(t *testing.T) {
	for _, tool := range []string{"cargo", "skopeo", "podman", "docker", "docker-registry"} {
		requireTool(t, tool)
	}
	// A layer no other test makes: the engine's pull below must fail on
	// the zstd layer itself, not skip it because it already holds a layer
	// with the same diff ID.
	project := uniqueExample(t, t.TempDir())
	// podman names the image after the layout's path, which must be lower
	// case: t.TempDir's is not.
	parent, err := os.MkdirTemp("", "krust-zstd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	res := krust(t, project, nil, append(glibcScratch, "--compression", "zstd", "--oci-layout", filepath.Join(parent, "layout"))...)
	dir := ociRef(t, res, "latest")
	if !contains(res.stderr, "warning: the layer is compressed with zstd") || !contains(res.stderr, "Docker Engine 20.10") {
		t.Errorf("no warning naming who cannot read zstd:\n%s", res.stderr)
	}
	m := imageFor(t, dir, "latest")
	if len(m.Layers) != 1 || m.Layers[0].MediaType != ocispec.MediaTypeImageLayerZstd {
		t.Fatalf("layers %+v, want one %s", m.Layers, ocispec.MediaTypeImageLayerZstd)
	}
	ref := "oci:" + dir + ":latest"
	t.Run("skopeo", func(t *testing.T) {
		var inspect struct{ Layers []string }
		mustJSON(t, mustRun(t, "", "skopeo", "inspect", ref), &inspect)
		if len(inspect.Layers) != 1 || inspect.Layers[0] != m.Layers[0].Digest.String() {
			t.Errorf("skopeo sees layers %v, want %s", inspect.Layers, m.Layers[0].Digest)
		}
	})
	t.Run("go-containerregistry", func(t *testing.T) {
		cfg := configFor(t, dir, "latest")
		if ids := ggcrcheck.Layout(t, dir); len(ids) != 1 || ids[0] != cfg.RootFS.DiffIDs[0].String() {
			t.Errorf("go-containerregistry read diff IDs %v, krust's config says %v", ids, cfg.RootFS.DiffIDs)
		}
	})
	t.Run("podman run", func(t *testing.T) {
		if out := podmanRun(t, ref, "zstd"); !contains(out, "Hello, zstd, from docker-krust!") {
			t.Errorf("podman run printed %q", out)
		}
	})
	t.Run("umoci 0.4 refuses it, as the README says", func(t *testing.T) {
		requireTool(t, "umoci")
		if v := mustRun(t, "", "umoci", "--version"); !contains(v, "version 0.4.") {
			t.Skipf("umoci %s: the README's note is about 0.4.7", strings.TrimSpace(v))
		}
		unpack := run(t, "", nil, "umoci", "unpack", "--rootless", "--image", dir+":latest", filepath.Join(t.TempDir(), "bundle"))
		if unpack.code == 0 || !contains(unpack.stderr, ocispec.MediaTypeImageLayerZstd) {
			t.Errorf("umoci unpack: exit %d, %s; the README says umoci 0.4.7 refuses zstd layers", unpack.code, unpack.stderr)
		}
	})
	t.Run("Docker Engine pull", func(t *testing.T) {
		reg := testregistry.Start(t, testregistry.Options{})
		name := reg.Host + "/zstd/app-" + randomHex(t) + ":v1"
		mustRun(t, "", "skopeo", "copy", "--quiet", "--dest-tls-verify=false", ref, "docker://"+name)
		t.Cleanup(func() { run(t, "", nil, "docker", "rmi", "--force", name) })
		pull := run(t, "", nil, "docker", "pull", name)
		version := strings.TrimSpace(mustRun(t, "", "docker", "version", "--format", "{{.Server.Version}}"))
		if strings.HasPrefix(version, "20.") && (pull.code == 0 || !contains(pull.stderr, "invalid tar header")) {
			t.Errorf("Docker Engine %s pulled a zstd image (exit %d, %s): the README and the warning say it cannot", version, pull.code, pull.stderr)
		}
	})
}

// podmanRun runs ref with podman in a storage of its own, with the flags
// that work on this machine (TESTING.md), and returns its output.
func podmanRun(t *testing.T, ref string, args ...string) string {
	t.Helper()
	// podman refuses a runroot longer than 50 characters: t.TempDir's are.
	store, err := os.MkdirTemp("", "krust-podman-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(store) })
	return mustRun(t, "", "podman", append([]string{
		"--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"), "--storage-driver", "vfs",
		"--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", "runc",
		"run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", ref,
	}, args...)...)
}
