package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sink is bytes krust wrote or sent, named for a failure message. A local
// one stays on the machine (the terminal), where local paths may appear.
type sink struct {
	name  string
	data  []byte
	local bool
}

// leakyBase writes a base image with krust into dir/layout, tagged base,
// and returns its oci: reference.
func leakyBase(t *testing.T, dir string) string {
	t.Helper()
	plain := copyExample(t, t.TempDir())
	layoutDir := filepath.Join(dir, "layout")
	ociRef(t, krust(t, plain, isolatedEnv(t), "build", "--no-push", "--libc", "glibc", "--base", "scratch",
		"--oci-layout", layoutDir, "--tag", "base", "--sbom", "none", "--provenance", "none"), "base")
	return "oci:" + layoutDir + ":base"
}

// leakyProject writes hello-krust into parent, with user information in
// its Cargo.toml's URLs, a path dependency beside it (outside the
// workspace) whose Cargo.toml holds some too, a git dependency in a git
// repository under gitParent, and a git checkout whose remote holds a
// password. It returns the project's directory.
func leakyProject(t *testing.T, parent, gitParent string) string {
	t.Helper()
	project := copyExample(t, parent)
	writeCrate(t, filepath.Join(parent, "LEAKdepDir", "dep"), map[string]string{
		"Cargo.toml": `[package]
name = "dep"
version = "0.1.0"
edition = "2021"
license = "MIT"
repository = "https://dep:p/LEAKdepRepoPW@git.example.invalid/dep"
homepage = "https://u%40corp:p\"LEAKdepHomePW@example.invalid/dep-home"
`,
		"src/lib.rs": "pub fn answer() -> u32 { 42 }\n",
	})
	gitDep := writeCrate(t, filepath.Join(gitParent, "gitdep"), map[string]string{
		"Cargo.toml": "[package]\nname = \"gitdep\"\nversion = \"0.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
		"src/lib.rs": "pub fn word() -> &'static str { \"git\" }\n",
	})
	gitCommit(t, gitDep, "")
	writeCrate(t, project, map[string]string{
		"Cargo.toml": `[package]
name = "hello-krust"
version = "0.1.0"
edition = "2021"
description = "see https://d:LEAKdescPW@example.invalid/docs"
license = "Apache-2.0"
repository = "https://bob:p/LEAKrepoPW@git.example.invalid/x"
homepage = "https://alice:p=LEAKhomePW@example.invalid/home"
publish = false

[dependencies]
dep = { path = "../LEAKdepDir/dep" }
gitdep = { git = "file://` + gitDep + `" }
`,
		"src/main.rs": "fn main() {\n    println!(\"Hello, world! {} {}\", dep::answer(), gitdep::word());\n}\n",
		".gitignore":  "/target\n",
	})
	gitCommit(t, project, "https://gituser:p;w/LEAKgitRemotePW@git.example.invalid/r.git")
	return project
}

// gitCommit makes dir a git repository with one commit of all it holds,
// and remote as its origin when given.
func gitCommit(t *testing.T, dir, remote string) {
	t.Helper()
	git := func(args ...string) {
		mustRun(t, dir, "git", append([]string{"-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid"}, args...)...)
	}
	git("init", "-q")
	if remote != "" {
		git("remote", "add", "origin", remote)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "fixture")
}

// filesUnder returns every file under path (or path itself), each also
// uncompressed when it is gzip (a layer: the files inside count too).
func filesUnder(t *testing.T, label, path string) []sink {
	t.Helper()
	var out []sink
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(path, p)
		out = append(out, expand(t, label+": "+rel, data)...)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: nothing at %s to search", label, path)
	}
	return out
}

// expand returns data, and its uncompressed form when it is gzip.
func expand(t *testing.T, name string, data []byte) []sink {
	t.Helper()
	out := []sink{{name: name, data: data}}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return out
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return append(out, sink{name: name + " (uncompressed)", data: plain})
}

// tarMembers returns each member of a tar file, with its name.
func tarMembers(t *testing.T, label, file string) []sink {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sink
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		out = append(out, expand(t, label+": "+hdr.Name, append([]byte(hdr.Name+"\n"), data...))...)
	}
	if len(out) == 0 {
		t.Fatalf("%s: an empty tar", label)
	}
	return out
}

// engineView is what the Docker Engine holds of the image name.
func engineView(t *testing.T, name string) []sink {
	t.Helper()
	return []sink{
		{name: "docker image inspect", data: []byte(mustRun(t, "", "docker", "image", "inspect", name))},
		{name: "docker history", data: []byte(mustRun(t, "", "docker", "history", "--no-trunc", name))},
	}
}

// excerpt is the text around the first value in data.
func excerpt(data []byte, value string) string {
	i := strings.Index(string(data), value)
	start, end := max(i-120, 0), min(i+len(value)+60, len(data))
	return strings.ToValidUTF8(string(data[start:end]), "?")
}

func readFileString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
