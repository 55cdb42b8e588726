package e2e

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// debianCargo is Debian's cargo, whose rustc has the arm64 standard
// library (rustup's cannot download one here); .ci/run installs it.
const debianCargo = "/usr/bin/cargo"

func TestTwoPlatformIndexWithRealCrossBuild(t *testing.T) {
	for _, tool := range []string{debianCargo, "/usr/bin/rustc", "aarch64-linux-gnu-gcc", "qemu-aarch64-static", "skopeo"} {
		requireTool(t, tool)
	}
	// Debian's cargo 1.65 cannot read the newer Cargo.lock: leave it out.
	project := copyExample(t, t.TempDir())
	if err := os.Remove(filepath.Join(project, "Cargo.lock")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/bin:" + os.Getenv("PATH")}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CARGO_TARGET_") {
			t.Fatalf("%s is set: this test checks that no linker configuration is needed", kv)
		}
	}
	res := krust(t, project, env, "build", "-v", "--no-push", "--libc", "glibc", "--base", "scratch",
		"--platform", "linux/amd64,linux/arm64", "--cargo", debianCargo)
	dir := ociRef(t, res, "latest")
	if !strings.Contains(res.stderr, "linking aarch64-unknown-linux-gnu with aarch64-linux-gnu-gcc") {
		t.Errorf("-v does not say which cross linker was found:\n%s", res.stderr)
	}
	validateLayout(t, dir)
	if m := manifestFor(t, dir, "latest"); m.MediaType != ocispec.MediaTypeImageIndex {
		t.Fatalf("two platforms tagged as %s, want an image index", m.MediaType)
	}
	var inspect struct{ Architecture string }
	mustJSON(t, mustRun(t, "", "skopeo", "inspect", "--override-arch", "arm64", "oci:"+dir+":latest"), &inspect)
	if inspect.Architecture != "arm64" {
		t.Errorf("skopeo --override-arch arm64 found %q", inspect.Architecture)
	}
	bin := extractBinary(t, dir, "arm64", "app/hello-krust")
	out, err := exec.Command("qemu-aarch64-static", bin, "qemu").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Hello, qemu, from docker-krust! (built for aarch64-linux)") {
		t.Errorf("arm64 binary under qemu: %v\n%s", err, out)
	}
}

// extractBinary writes the file at path in the arch image of the index
// tagged latest to a temporary file and returns its name.
func extractBinary(t *testing.T, dir, arch, path string) string {
	t.Helper()
	var idx ocispec.Index
	readJSONFile(t, blobPath(dir, manifestFor(t, dir, "latest")), &idx)
	for _, m := range idx.Manifests {
		if m.Platform == nil || m.Platform.Architecture != arch {
			continue
		}
		var man ocispec.Manifest
		readJSONFile(t, blobPath(dir, m), &man)
		top := man.Layers[len(man.Layers)-1]
		return untarFile(t, blobPath(dir, top), path)
	}
	t.Fatalf("no %s image in the index", arch)
	return ""
}

func untarFile(t *testing.T, layer, path string) string {
	t.Helper()
	f, err := os.Open(layer)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s not in layer %s", path, layer)
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name != path {
			continue
		}
		out := filepath.Join(t.TempDir(), filepath.Base(path))
		w, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, tr); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// Every seed platform in one index, each binary run under qemu: Debian's
// cargo has the standard library of all three (libstd-rust-dev:arm64 and
// :armhf), and its cross linkers are found without configuration.
func TestThreePlatformIndexWithRealCrossBuilds(t *testing.T) {
	for _, tool := range []string{debianCargo, "/usr/bin/rustc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc",
		"qemu-aarch64-static", "qemu-arm-static"} {
		requireTool(t, tool)
	}
	if _, err := os.Stat("/usr/lib/rustlib/armv7-unknown-linux-gnueabihf"); err != nil {
		// .ci/run names the reason when the package mirror could not
		// provide it; anywhere else a missing library is a failure.
		if why := os.Getenv("KRUST_CI_NO_ARMHF"); why != "" {
			t.Skip("Debian's Rust has no armv7 standard library here: " + why)
		}
		t.Fatal("Debian's Rust has no armv7 standard library: .ci/run installs libstd-rust-dev:armhf")
	}
	// Debian's cargo 1.65 cannot read a version-4 Cargo.lock: it writes
	// its own.
	project := copyExample(t, t.TempDir())
	if err := os.Remove(filepath.Join(project, "Cargo.lock")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/bin:" + os.Getenv("PATH")}
	res := krust(t, project, env, "build", "--no-push", "--libc", "glibc", "--base", "scratch",
		"--platform", "linux/amd64,linux/arm64,linux/arm/v7", "--cargo", debianCargo)
	dir := ociRef(t, res, "latest")
	validateLayout(t, dir)
	var idx ocispec.Index
	readJSONFile(t, blobPath(dir, manifestFor(t, dir, "latest")), &idx)
	var got []string
	for _, m := range idx.Manifests {
		if m.Platform != nil {
			got = append(got, m.Platform.OS+"/"+m.Platform.Architecture+"/"+m.Platform.Variant)
		}
	}
	if want := "linux/amd64/ linux/arm64/ linux/arm/v7"; strings.Join(got, " ") != want {
		t.Fatalf("index platforms %q, want %q", got, want)
	}
	for _, tc := range []struct{ arch, runner, built string }{
		{"amd64", "", "x86_64-linux"},
		{"arm64", "qemu-aarch64-static", "aarch64-linux"},
		{"arm", "qemu-arm-static", "arm-linux"},
	} {
		bin := extractBinary(t, dir, tc.arch, "app/hello-krust")
		cmd := exec.Command(bin, "qemu")
		if tc.runner != "" {
			cmd = exec.Command(tc.runner, bin, "qemu")
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "(built for "+tc.built+")") {
			t.Errorf("%s binary: %v\n%s", tc.arch, err, out)
		}
	}
}
