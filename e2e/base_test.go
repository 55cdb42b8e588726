package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// makeBase makes a base image with umoci in a new layout: one layer holding
// /etc/motd, a non-root user, an env var and a working directory.
func makeBase(t *testing.T) string {
	t.Helper()
	requireTool(t, "umoci")
	dir := filepath.Join(t.TempDir(), "base-layout")
	mustRun(t, "", "umoci", "init", "--layout", dir)
	mustRun(t, "", "umoci", "new", "--image", dir+":v1")
	motd := filepath.Join(t.TempDir(), "motd")
	writeFile(t, motd, "from the base image\n")
	mustRun(t, "", "umoci", "insert", "--rootless", "--image", dir+":v1", motd, "/etc/motd")
	mustRun(t, "", "umoci", "config", "--image", dir+":v1",
		"--config.user", "65532:65532", "--config.env", "BASE_VAR=kept",
		"--config.workingdir", "/home/nonroot", "--config.cmd", "/bin/should-be-dropped",
		"--os", "linux", "--architecture", "amd64")
	return dir
}

func TestBuildOnBaseFromOCILayout(t *testing.T) {
	requireTool(t, "cargo")
	baseDir := makeBase(t)
	baseManifest := manifestFor(t, baseDir, "v1")
	baseImage := imageFor(t, baseDir, "v1")
	project := copyExample(t, t.TempDir())
	args := []string{"build", "--no-push", "--libc", "glibc", "--base", "oci:" + baseDir + ":v1"}
	dir := ociRef(t, krust(t, project, nil, args...), "latest")

	m := imageFor(t, dir, "latest")
	if len(m.Layers) != len(baseImage.Layers)+1 {
		t.Fatalf("%d layers, want the base's %d plus ours", len(m.Layers), len(baseImage.Layers))
	}
	for i, l := range baseImage.Layers {
		if m.Layers[i].Digest != l.Digest {
			t.Errorf("layer %d is %s, want the base's %s", i, m.Layers[i].Digest, l.Digest)
		}
	}
	if got := m.Annotations[ocispec.AnnotationBaseImageDigest]; got != baseManifest.Digest.String() {
		t.Errorf("base.digest annotation %q, want %s", got, baseManifest.Digest)
	}
	if got, ok := m.Annotations[ocispec.AnnotationBaseImageName]; ok {
		t.Errorf("base.name annotation %q: a layout's path names the build machine, want none", got)
	}
	cfg := configFor(t, dir, "latest")
	if cfg.Config.User != "65532:65532" || cfg.Config.WorkingDir != "/home/nonroot" || !slices.Contains(cfg.Config.Env, "BASE_VAR=kept") {
		t.Errorf("base config not kept: user %q workdir %q env %q", cfg.Config.User, cfg.Config.WorkingDir, cfg.Config.Env)
	}
	if cfg.Config.Cmd != nil || !slices.Equal(cfg.Config.Entrypoint, []string{"/app/hello-krust"}) {
		t.Errorf("entrypoint %q cmd %q, want our binary and no cmd", cfg.Config.Entrypoint, cfg.Config.Cmd)
	}
	if len(cfg.History) < 2 || len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		t.Errorf("history %d entries, diff_ids %d for %d layers", len(cfg.History), len(cfg.RootFS.DiffIDs), len(m.Layers))
	}
	validateLayout(t, dir)

	bundle := filepath.Join(t.TempDir(), "bundle")
	mustRun(t, "", "umoci", "unpack", "--rootless", "--image", dir+":latest", bundle)
	motd, err := os.ReadFile(filepath.Join(bundle, "rootfs", "etc", "motd"))
	if err != nil || !strings.Contains(string(motd), "from the base image") {
		t.Errorf("the base's /etc/motd is not below our layer: %v %q", err, motd)
	}
	if out := mustRun(t, "", "chroot", filepath.Join(bundle, "rootfs"), "/app/hello-krust"); !strings.Contains(out, "Hello, world") {
		t.Errorf("binary on the base printed %q", out)
	}
}

// TestOCIBaseNameAnnotation: a base from a layout gets no base.name
// annotation, however --base gave it: its path names the build machine's
// directories and nothing another machine could pull. base.digest says
// which base it was.
func TestOCIBaseNameAnnotation(t *testing.T) {
	requireTool(t, "cargo")
	baseDir := makeBase(t)
	project := copyExample(t, t.TempDir())
	rel, err := filepath.Rel(project, baseDir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, base string }{
		{"absolute path and tag", "oci:" + baseDir + ":v1"},
		{"relative path, the layout's only image", "oci:" + rel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ociRef(t, krust(t, project, nil, "build", "--no-push", "--libc", "glibc", "--base", tt.base), "latest")
			a := imageFor(t, dir, "latest").Annotations
			if got, ok := a[ocispec.AnnotationBaseImageName]; ok {
				t.Errorf("--base %s: base.name annotation %q, want none", tt.base, got)
			}
			if a[ocispec.AnnotationBaseImageDigest] == "" {
				t.Errorf("--base %s: no base.digest annotation: %v", tt.base, a)
			}
		})
	}
}
