package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// glibcScratch are the flags of a build that works on this machine: the
// musl std cannot be installed here, static glibc can.
var glibcScratch = []string{"build", "--no-push", "--libc", "glibc", "--base", "scratch"}

func TestBuildExampleIntoLayout(t *testing.T) {
	for _, tool := range []string{"cargo", "skopeo", "umoci", "oci-image-tool"} {
		requireTool(t, tool)
	}
	project := copyExample(t, t.TempDir())
	// Run from an unrelated working directory with a relative project path.
	cwd := filepath.Dir(project)
	dir := ociRef(t, krust(t, cwd, nil, append(glibcScratch, "hello-krust")...), "latest")
	if want := filepath.Join(project, "target", "krust", "hello-krust", "hello-krust"); dir != want {
		t.Fatalf("layout written to %s, want the default %s", dir, want)
	}
	ref := "oci:" + dir + ":latest"

	t.Run("skopeo", func(t *testing.T) {
		var inspect struct{ Architecture, Os string }
		mustJSON(t, mustRun(t, cwd, "skopeo", "inspect", ref), &inspect)
		if inspect.Architecture != "amd64" || inspect.Os != "linux" {
			t.Errorf("skopeo inspect: %s/%s, want linux/amd64", inspect.Os, inspect.Architecture)
		}
		var cfg struct {
			Config struct{ Entrypoint, Cmd, Env []string }
		}
		mustJSON(t, mustRun(t, cwd, "skopeo", "inspect", "--config", ref), &cfg)
		if strings.Join(cfg.Config.Entrypoint, " ") != "/app/hello-krust" || cfg.Config.Cmd != nil {
			t.Errorf("entrypoint %q cmd %q, want [/app/hello-krust] and no cmd", cfg.Config.Entrypoint, cfg.Config.Cmd)
		}
	})
	t.Run("go-containerregistry validate", func(t *testing.T) {
		validateLayout(t, dir)
	})
	t.Run("oci-image-tool validate", func(t *testing.T) {
		// The tagged image alone: oci-image-tool (2017) knows no OCI 1.1
		// empty config, which the SBOM and provenance referrers have, and
		// its --ref filter matches every untagged entry, so it checks a
		// copy whose index.json lists the tagged image only.
		out := mustRun(t, cwd, "oci-image-tool", "validate", "--type", "image", taggedOnly(t, dir))
		if !strings.Contains(out, "OK") {
			t.Errorf("oci-image-tool: %s", out)
		}
	})
	t.Run("umoci unpack and run in chroot", func(t *testing.T) {
		bundle := filepath.Join(t.TempDir(), "bundle")
		mustRun(t, cwd, "umoci", "unpack", "--rootless", "--image", dir+":latest", bundle)
		rootfs := filepath.Join(bundle, "rootfs")
		info, err := os.Stat(filepath.Join(rootfs, "app", "hello-krust"))
		if err != nil || info.Mode().Perm() != 0o755 {
			t.Fatalf("binary in rootfs: %v, mode %v", err, info)
		}
		out := mustRun(t, cwd, "chroot", rootfs, "/app/hello-krust", "chroot")
		if !strings.Contains(out, "Hello, chroot, from docker-krust! (built for x86_64-linux)") {
			t.Errorf("chroot run printed %q", out)
		}
	})
	t.Run("docker engine", func(t *testing.T) {
		out := runInDocker(t, ref, "docker")
		if !strings.Contains(out, "Hello, docker, from docker-krust!") {
			t.Errorf("docker run printed %q", out)
		}
	})
}

// validateLayout checks every image in the layout at dir with
// go-containerregistry's validator (digests, sizes, diff_ids).
func validateLayout(t *testing.T, dir string) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("go-containerregistry cannot read the layout: %v", err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("go-containerregistry rejects the layout: %v", err)
	}
}

func mustJSON(t *testing.T, data string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(data), v); err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
}

// taggedOnly returns a copy of the layout in dir whose index.json lists
// only its tagged entries, for tools that cannot read OCI 1.1 referrers.
func taggedOnly(t *testing.T, dir string) string {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "tagged")
	mustRun(t, "", "cp", "-a", dir, cp)
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(cp, "index.json"), &idx)
	idx.Manifests = slices.DeleteFunc(idx.Manifests, func(d ocispec.Descriptor) bool {
		_, tagged := d.Annotations[ocispec.AnnotationRefName]
		return !tagged
	})
	data, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(cp, "index.json"), string(data))
	return cp
}
