package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// filesMain prints, for each path it is given, what the image holds
// there: its kind, permissions and content (a link's target's).
const filesMain = `use std::os::unix::fs::PermissionsExt;

fn main() {
    for p in std::env::args().skip(1) {
        let meta = std::fs::symlink_metadata(&p).expect("no such file in the image");
        let kind = if meta.file_type().is_symlink() {
            format!("link->{}", std::fs::read_link(&p).unwrap().display())
        } else if meta.is_dir() {
            "dir".to_string()
        } else {
            "file".to_string()
        };
        let body = if meta.is_dir() { String::new() } else { std::fs::read_to_string(&p).unwrap() };
        println!("{} {} {:o} {}", p, kind, meta.permissions().mode() & 0o7777, body.trim());
    }
}
`

// filesProject writes a std-only project whose Cargo.toml lists a tree
// of static assets and a CA bundle, with content unique to the test.
func filesProject(t *testing.T, marker string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files-e2e")
	writeCrate(t, dir, map[string]string{
		"Cargo.toml": "[package]\nname = \"files-e2e\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n" +
			"[package.metadata.krust]\nfiles = [\n  { from = \"static\", to = \"/srv/static\" },\n" +
			"  { from = \"certs/ca.crt\", to = \"/etc/ssl/certs/ca-certificates.crt\" },\n]\n",
		"src/main.rs":         filesMain,
		"static/index.html":   "<h1>" + marker + "</h1>",
		"static/js/app.js":    "console.log('" + marker + "')",
		"static/bin/hello.sh": "#!/bin/sh\necho " + marker,
		"certs/ca.crt":        "-----BEGIN CERTIFICATE-----" + marker,
	})
	mustDo(t, os.Chmod(filepath.Join(dir, "static", "bin", "hello.sh"), 0o700))
	mustDo(t, os.Chmod(filepath.Join(dir, "static", "index.html"), 0o600))
	mustDo(t, os.Symlink("js/app.js", filepath.Join(dir, "static", "current.js")))
	return dir
}

// A real cargo build of a project with a files tree, loaded into the
// Docker Engine: the image's own binary reads every asset at its place,
// with the layer's modes, and the link resolved inside the tree; a
// rebuild takes the files layer from the cache.
func TestFilesInAnImageRunByDocker(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "docker")
	marker := randomHex(t)
	project := filesProject(t, marker)
	tag := "e2e-" + randomHex(t)
	removeImage(t, "krust.local/files-e2e:"+tag)
	args := []string{"build", "--libc", "glibc", "--base", "scratch", "--load", "--tag", tag, "-v"}
	res := krust(t, project, nil, args...)
	id := imageID(t, res)
	out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", id,
		"/srv/static/index.html", "/srv/static/current.js", "/srv/static/bin/hello.sh", "/etc/ssl/certs/ca-certificates.crt", "/srv/static/js")
	want := []string{
		"/srv/static/index.html file 644 <h1>" + marker + "</h1>",
		"/srv/static/current.js link->js/app.js 777 console.log('" + marker + "')",
		"/srv/static/bin/hello.sh file 755 #!/bin/sh\necho " + marker,
		"/etc/ssl/certs/ca-certificates.crt file 644 -----BEGIN CERTIFICATE-----" + marker,
		"/srv/static/js dir 755 ",
	}
	if got := strings.TrimSuffix(out, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("docker run printed:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	again := krust(t, project, nil, args...)
	if imageID(t, again) != id || !strings.Contains(again.stderr, "layer for files taken from the cache") {
		t.Errorf("a rebuild with the same files gave another image or compressed the files again:\n%s", again.stderr)
	}
}

// What an image cannot hold is refused before cargo runs, naming the
// file and where the setting is written; --file replaces Cargo.toml's.
func TestFilesRefusedBeforeCargoRuns(t *testing.T) {
	requireTool(t, "cargo")
	project := filesProject(t, randomHex(t))
	mustDo(t, syscall.Mkfifo(filepath.Join(project, "static", "pipe"), 0o644))
	manifest := filepath.Join(project, "Cargo.toml")
	res := krust(t, project, nil, glibcScratch...)
	assertCleanFailure(t, res, "static/pipe cannot go into the image", "named pipe (FIFO)", "files in "+manifest+" [package.metadata.krust]")
	res = krust(t, project, nil, append(glibcScratch, "--file", "certs:/app/files-e2e")...)
	assertCleanFailure(t, res, "certs cannot go into the image", "of --file)", "replace the binary /app/files-e2e")
	res = krust(t, project, nil, append(glibcScratch, "--file", "static:srv")...)
	assertCleanFailure(t, res, `--file "static:srv"`, "FROM:TO")
	if _, err := os.Stat(filepath.Join(project, "target")); !os.IsNotExist(err) {
		t.Errorf("cargo ran (target exists: %v): files are checked before", err)
	}
	res = krust(t, project, nil, append(glibcScratch, "--file", "certs:/certs")...)
	if dir := ociRef(t, res, "latest"); !strings.Contains(dir, "files-e2e") {
		t.Errorf("--file certs:/certs, which replaces Cargo.toml's files (and their FIFO), built into %s", dir)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
