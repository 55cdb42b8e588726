package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// multiBase makes a layout whose tag multi is an index of umoci images
// for linux/amd64, linux/s390x and linux/ppc64le: only the first is a
// platform docker-krust builds.
func multiBase(t *testing.T) string {
	t.Helper()
	requireTool(t, "umoci")
	dir := filepath.Join(t.TempDir(), "multi-base")
	mustRun(t, "", "umoci", "init", "--layout", dir)
	arches := []string{"amd64", "s390x", "ppc64le"}
	for _, arch := range arches {
		mustRun(t, "", "umoci", "new", "--image", dir+":"+arch)
		mustRun(t, "", "umoci", "config", "--image", dir+":"+arch, "--os", "linux", "--architecture", arch)
	}
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex}
	idx.SchemaVersion = 2
	for _, arch := range arches {
		m := manifestFor(t, dir, arch)
		m.Annotations = nil
		m.Platform = &ocispec.Platform{OS: "linux", Architecture: arch}
		idx.Manifests = append(idx.Manifests, m)
	}
	desc := putJSON(t, dir, ocispec.MediaTypeImageIndex, idx)
	desc.Annotations = map[string]string{ocispec.AnnotationRefName: "multi"}
	var top ocispec.Index
	readJSONFile(t, filepath.Join(dir, "index.json"), &top)
	top.Manifests = append(top.Manifests, desc)
	data, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "index.json"), string(data))
	return dir
}

// --platform all builds every platform of the base docker-krust can
// build, and names the ones it skips, for a layout base and a registry
// base alike.
func TestPlatformAllSkipsWhatCannotBeBuilt(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	base := multiBase(t)
	reg := testregistry.Start(t, testregistry.Options{})
	pushed := reg.Host + "/base/multi:v1"
	mustRun(t, "", "skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false", "oci:"+base+":multi", "docker://"+pushed)
	for _, tc := range []struct{ name, base string }{
		{"layout base", "oci:" + base + ":multi"},
		{"registry base", pushed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			project := copyExample(t, t.TempDir())
			res := krust(t, project, isolatedEnv(t), "build", "--no-push", "--libc", "glibc", "--platform", "all", "--base", tc.base)
			dir := ociRef(t, res, "latest")
			if cfg := configFor(t, dir, "latest"); cfg.Architecture != "amd64" {
				t.Errorf("built for %s, want amd64, the one platform of the base docker-krust builds", cfg.Architecture)
			}
			note := "also offers linux/s390x, linux/ppc64le, which docker-krust does not build"
			if !strings.Contains(res.stderr, note) {
				t.Errorf("stderr does not name the skipped platforms (%q):\n%s", note, res.stderr)
			}
		})
	}
}
