package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// cargoRecorder is a --cargo wrapper that logs each command line it is
// given before running cargo, so a test can tell whether cargo was asked
// to build.
func cargoRecorder(t *testing.T) (wrapper, log string) {
	t.Helper()
	dir := t.TempDir()
	wrapper, log = filepath.Join(dir, "record-cargo"), filepath.Join(dir, "cargo.log")
	writeFile(t, wrapper, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '"+log+"'\nexec cargo \"$@\"\n")
	if err := os.Chmod(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper, log
}

// assertNoCargoBuild fails when the wrapper's log shows a cargo build.
func assertNoCargoBuild(t *testing.T, log string) {
	t.Helper()
	data, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "build") {
			t.Errorf("cargo was asked to build before the refusal: cargo %s", line)
		}
	}
}

// treeState describes every entry under root (not following links): its
// type and mode, a link's target, a regular file's size and sha256.
func treeState(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%q %v", path, info.Mode())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			fmt.Fprintf(&b, " -> %q", target)
		case info.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(&b, " %d %s", len(data), hex.EncodeToString(sum[:8]))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mountTmpfs mounts a tmpfs of size at dir, with more mount options, and
// unmounts it when the test ends. It needs root, as .ci/run has.
func mountTmpfs(t *testing.T, dir, size string, options ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("this test mounts a tmpfs, which needs root (.ci/run runs as root)")
	}
	opts := strings.Join(append([]string{"size=" + size}, options...), ",")
	mustRun(t, "", "mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir)
	t.Cleanup(func() {
		if res := run(t, "", nil, "umount", dir); res.code != 0 {
			t.Errorf("umount %s: %s", dir, res.stderr)
		}
	})
}

// refusalFixture is a project built once into its layout with two tags,
// a base layout, someone else's layout and a directory of outside paths.
type refusalFixture struct {
	project, layout, base, other, out string
	layer                             string // a layer blob of the layout
}

func newRefusalFixture(t *testing.T) *refusalFixture {
	t.Helper()
	tmp := t.TempDir()
	f := &refusalFixture{project: copyExample(t, tmp), base: makeBase(t), out: filepath.Join(tmp, "out")}
	f.layout = ociRef(t, krust(t, f.project, nil, append(slices.Clone(glibcScratch), "--tag", "a")...), "a")
	ociRef(t, krust(t, f.project, nil, append(slices.Clone(glibcScratch), "--tag", "b")...), "b")
	m := imageFor(t, f.layout, "a")
	f.layer = filepath.Join(f.layout, "blobs", "sha256", m.Layers[0].Digest.Encoded())
	f.other = filepath.Join(tmp, "other-layout")
	mustRun(t, "", "umoci", "init", "--layout", f.other)
	if err := os.Mkdir(f.out, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *refusalFixture) link(t *testing.T, target, name string) string {
	t.Helper()
	path := filepath.Join(f.out, name)
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOutputPathsRefusedBeforeCargo: every output path that would damage
// a layout (the build's own, its base's, anyone's), krust's layer cache,
// krust's stdout or a special file is refused before cargo builds, with
// the path and the reason, exit 1 and nothing on stdout; every layout and
// every file outside is as it was.
func TestOutputPathsRefusedBeforeCargo(t *testing.T) {
	requireTool(t, "cargo")
	f := newRefusalFixture(t)
	join := filepath.Join
	tests := []struct {
		name string
		// args are the build's flags besides the fixture's.
		args func(t *testing.T) []string
		want []string
	}{
		{"--tarball the layout's index.json", func(*testing.T) []string { return []string{"--tarball", join(f.layout, "index.json")} },
			[]string{"--tarball " + join(f.layout, "index.json"), "inside the OCI layout this build writes"}},
		{"--image-refs the layout's index.json", func(*testing.T) []string { return []string{"--image-refs", join(f.layout, "index.json")} },
			[]string{"--image-refs", "inside the OCI layout this build writes"}},
		{"--tarball a layer blob", func(*testing.T) []string { return []string{"--tarball", f.layer} },
			[]string{"inside the OCI layout this build writes"}},
		{"--tarball a link to oci-layout", func(t *testing.T) []string {
			return []string{"--tarball", f.link(t, join(f.layout, "oci-layout"), "link.tar")}
		}, []string{"it leads to " + join(f.layout, "oci-layout")}},
		{"--tarball .. after a link", func(t *testing.T) []string {
			f.link(t, join(f.layout, "blobs"), "b")
			return []string{"--tarball", join(f.out, "b") + "/../index.json"}
		}, []string{"it leads to " + join(f.layout, "index.json")}},
		{"--sbom-dir the layout's blobs", func(*testing.T) []string { return []string{"--sbom-dir", join(f.layout, "blobs", "sha256")} },
			[]string{"--sbom-dir", "inside the OCI layout this build writes"}},
		{"--oci-layout inside the layout", func(*testing.T) []string { return []string{"--oci-layout", join(f.layout, "blobs", "nested")} },
			[]string{"--oci-layout", "inside the OCI layout " + f.layout}},
		{"--tarball in a layout not made yet", func(*testing.T) []string {
			return []string{"--oci-layout", join(f.out, "new"), "--tarball", join(f.out, "new", "img.tar")}
		}, []string{"inside the OCI layout this build writes (" + join(f.out, "new") + ")"}},
		{"--tarball in the layer cache", func(*testing.T) []string {
			return []string{"--tarball", join(f.project, "target", "krust", ".cache", "layers", "x.json")}
		}, []string{"krust's layer cache"}},
		{"--image-refs in the crate graph cache", func(*testing.T) []string {
			return []string{"--image-refs", join(f.project, "target", "krust", ".cache", "graphs", "x.json")}
		}, []string{"--image-refs", "krust's crate graph cache"}},
		{"--sbom-dir in the toolchain cache", func(*testing.T) []string {
			return []string{"--sbom-dir", join(f.project, "target", "krust", ".cache", "toolchain")}
		}, []string{"--sbom-dir", "krust's toolchain cache"}},
		{"--oci-layout among krust's caches", func(*testing.T) []string {
			return []string{"--oci-layout", join(f.project, "target", "krust", ".cache", "new")}
		}, []string{"--oci-layout", "krust's caches"}},
		{"--tarball in the base's layout", func(*testing.T) []string {
			return []string{"--base", "oci:" + f.base + ":v1", "--tarball", join(f.base, "index.json")}
		}, []string{"inside the OCI layout of the base image"}},
		{"--sbom-dir in someone else's layout", func(*testing.T) []string { return []string{"--sbom-dir", join(f.other, "docs")} },
			[]string{"inside the OCI layout " + f.other}},
		{"--tarball -", func(*testing.T) []string { return []string{"--tarball", "-"} },
			[]string{"krust's standard output", ">(docker load)"}},
		{"--image-refs to stdout through a link", func(t *testing.T) []string {
			return []string{"--image-refs", f.link(t, "/proc/self/fd/1", "stdout")}
		}, []string{"--image-refs", "it is krust's standard output"}},
		{"--tarball a directory", func(*testing.T) []string { return []string{"--tarball", f.out} },
			[]string{"it is a directory"}},
		{"--tarball a device", func(t *testing.T) []string {
			dev := join(f.out, "null")
			if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
				t.Fatal(err)
			}
			return []string{"--tarball", dev}
		}, []string{"it is a character device"}},
		{"--tarball a socket", func(t *testing.T) []string {
			l, err := net.Listen("unix", join(f.out, "sock"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			return []string{"--tarball", join(f.out, "sock")}
		}, []string{"it is a socket"}},
		{"--tarball in a missing directory", func(*testing.T) []string { return []string{"--tarball", join(f.out, "no", "img.tar")} },
			[]string{"directory " + join(f.out, "no") + " does not exist"}},
		{"two outputs, one file", func(*testing.T) []string {
			return []string{"--tarball", join(f.out, "x"), "--image-refs", join(f.out, ".", "x")}
		}, []string{"two outputs name the same file"}},
		{"--tarball one of --sbom-dir's files", func(*testing.T) []string {
			return []string{"--sbom-dir", f.out, "--tarball", join(f.out, "hello-krust.provenance.json")}
		}, []string{"two outputs name the same file"}},
		{"--tarball in a read-only directory", func(t *testing.T) []string {
			ro := join(f.out, "ro")
			if err := os.Mkdir(ro, 0o755); err != nil {
				t.Fatal(err)
			}
			mountTmpfs(t, ro, "1m")
			writeFile(t, join(ro, "img.tar"), "old")
			mustRun(t, "", "mount", "-o", "remount,ro", ro)
			return []string{"--tarball", join(ro, "img.tar")}
		}, []string{"cannot write in " + join(f.out, "ro"), "read-only file system"}},
		{"every problem at once", func(*testing.T) []string {
			return []string{"--tarball", join(f.layout, "index.json"), "--image-refs", "-", "--sbom-dir", join(f.project, "Cargo.toml")}
		}, []string{"--tarball", "--image-refs -", "--sbom-dir " + join(f.project, "Cargo.toml") + ": it is a regular file, not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapper, log := cargoRecorder(t)
			args := tt.args(t)
			layouts := map[string]string{}
			for _, dir := range []string{f.layout, f.base, f.other} {
				layouts[dir] = treeState(t, dir)
			}
			outside := treeState(t, f.out)
			res := krust(t, f.project, nil, append(append(slices.Clone(glibcScratch), "--tag", "c", "--cargo", wrapper), args...)...)
			assertCleanFailure(t, res, tt.want...)
			if res.code != 1 {
				t.Errorf("exit status %d, want 1", res.code)
			}
			assertNoCargoBuild(t, log)
			for dir, before := range layouts {
				if after := treeState(t, dir); after != before {
					t.Errorf("the layout %s changed:\nbefore:\n%safter:\n%s", dir, before, after)
				}
			}
			if after := treeState(t, f.out); after != outside {
				t.Errorf("the files outside changed:\nbefore:\n%safter:\n%s", outside, after)
			}
			if tags := indexTags(t, f.layout); !slices.Equal(tags, []string{"a", "b"}) {
				t.Errorf("the layout's tags are %q, want a and b", tags)
			}
			if problems := layoutProblems(t, f.layout); len(problems) > 0 {
				t.Errorf("the layout is damaged:\n%s", strings.Join(problems, "\n"))
			}
		})
	}
}
