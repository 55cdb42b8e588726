package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// A path that would be printed on stdout's one line (oci:DIR:TAG) holding
// a control character is refused before cargo, and so is a project
// directory holding one, whatever the build is for: nothing built,
// nothing written.
func TestControlCharactersInPathsRefusedBeforeCargo(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name string
		// dir is the project's directory name, layout the --oci-layout
		// name, target CARGO_TARGET_DIR's (each "" for the default).
		dir, layout, target string
		args                []string
		want                []string
	}{
		{name: "newline in the project directory", dir: "my\nproject", args: glibcScratch,
			want: []string{`the project directory`, `my\nproject`, "holds a newline", "rename or move it"}},
		{name: "newline in the project directory, pushing", dir: "my\nproject", args: []string{"build", "--libc", "glibc", "--base", "scratch", "--repo", "127.0.0.1:9/team"},
			want: []string{"holds a newline"}},
		{name: "carriage return in the project directory", dir: "my\rproject", args: glibcScratch, want: []string{"holds a carriage return"}},
		{name: "escape in the project directory", dir: "my\x1b[31mproject", args: glibcScratch, want: []string{"holds an escape character"}},
		{name: "line separator in the project directory", dir: "my\u2028project", args: glibcScratch, want: []string{"U+2028"}},
		{name: "tab in --oci-layout", layout: "out\tput", args: glibcScratch, want: []string{"the --oci-layout directory", `out\tput`, "holds a tab", "choose another"}},
		{name: "newline in CARGO_TARGET_DIR", target: "tar\nget", args: glibcScratch,
			want: []string{"cargo's target directory", "holds a newline", "choose another with --oci-layout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			project := copyExample(t, parent)
			if tt.dir != "" {
				renamed := filepath.Join(parent, tt.dir)
				if err := os.Rename(project, renamed); err != nil {
					t.Fatal(err)
				}
				project = renamed
			}
			args := tt.args
			if tt.layout != "" {
				args = append(append([]string(nil), args...), "--oci-layout", filepath.Join(parent, tt.layout))
			}
			var env []string
			if tt.target != "" {
				env = append(env, "CARGO_TARGET_DIR="+filepath.Join(parent, tt.target))
			}
			before := snapshot(t, parent)
			res := krust(t, project, env, args...)
			assertCleanFailure(t, res, tt.want...)
			assertCargoNeverRan(t, project, res)
			if after := snapshot(t, parent); after != before {
				t.Errorf("the refused build wrote files:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// A tag given twice names the image once, in the order first given, from
// the command line or from Cargo.toml.
func TestDuplicateTagsNameTheImageOnce(t *testing.T) {
	requireTool(t, "cargo")
	project := copyExample(t, t.TempDir())
	res := krust(t, project, nil, append(glibcScratch, "--tag", "v1", "--tag", "v2", "--tag", "v1", "--tag", "v2")...)
	dir := ociRef(t, res, "v1")
	if !strings.Contains(res.stderr, "tagged v1, v2\n") {
		t.Errorf("stderr does not say the image is tagged v1, v2:\n%s", res.stderr)
	}
	assertTagsOnce(t, dir, "v1", "v2")

	manifest := filepath.Join(project, "Cargo.toml")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, manifest, string(data)+"\n[package.metadata.krust]\ntags = [\"stable\", \"stable\", \"v3\"]\n")
	res = krust(t, project, nil, glibcScratch...)
	ociRef(t, res, "stable")
	if !strings.Contains(res.stderr, "tagged stable, v3\n") {
		t.Errorf("stderr does not say the image is tagged stable, v3:\n%s", res.stderr)
	}
	assertTagsOnce(t, dir, "stable", "v3")
}

// assertTagsOnce checks that the layout dir's index.json lists each tag
// exactly once.
func assertTagsOnce(t *testing.T, dir string, tags ...string) {
	t.Helper()
	var idx struct {
		Manifests []struct{ Annotations map[string]string }
	}
	readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
	count := map[string]int{}
	for _, m := range idx.Manifests {
		if name, ok := m.Annotations["org.opencontainers.image.ref.name"]; ok {
			count[name]++
		}
	}
	for _, tag := range tags {
		if count[tag] != 1 {
			t.Errorf("index.json lists tag %s %d times, want once: %v", tag, count[tag], count)
		}
	}
}

// A registry host in upper case is the same host: LOCALHOST:PORT is
// loopback (plain HTTP), and KRUST.LOCAL means the Docker Engine, as
// krust.local does.
func TestUpperCaseHostsAreTheSameHost(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "docker")
	reg := testregistry.Start(t, testregistry.Options{})
	_, port, _ := strings.Cut(reg.Host, ":")
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	res := krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", "LOCALHOST:"+port+"/team")
	pushedRef(t, res, "localhost:"+port+"/team/hello-krust")

	tag := "e2e-" + randomHex(t)
	name := "krust.local/hello-krust:" + tag
	removeImage(t, name)
	res = krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", "KRUST.LOCAL", "--tag", tag)
	if res.code != 0 || !strings.HasPrefix(res.stdout, "sha256:") || strings.Count(res.stdout, "\n") != 1 {
		t.Fatalf("--repo KRUST.LOCAL: exit %d, stdout %q, want the image ID loaded into the engine\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	id := strings.TrimSpace(mustRun(t, "", "docker", "image", "inspect", "--format", "{{.Id}}", name))
	if id != strings.TrimSpace(res.stdout) {
		t.Errorf("the engine holds %s as %s, krust printed %s", name, id, res.stdout)
	}
}

// The hint for a registry whose certificate is not trusted names the
// certs.d of the Docker config in use (DOCKER_CONFIG), and putting the CA
// where it says makes the push work.
func TestUntrustedHintNamesTheDockerConfigInUse(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{TLS: true})
	project := copyExample(t, t.TempDir())
	dockerConfig := filepath.Join(t.TempDir(), "docker-elsewhere")
	env := append(isolatedEnv(t), "DOCKER_CONFIG="+dockerConfig)
	caFile := filepath.Join(dockerConfig, "certs.d", reg.Host, "ca.crt")
	res := krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/x")
	assertCleanFailure(t, res, "not trusted", "put its CA in "+caFile+" (or /etc/docker/certs.d/"+reg.Host+"/ca.crt)", "--insecure-registry "+reg.Host)
	assertCargoNeverRan(t, project, res)
	if strings.Contains(res.stderr, "~/.docker") {
		t.Errorf("the hint names ~/.docker, which this run does not use:\n%s", res.stderr)
	}
	ca, err := os.ReadFile(reg.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, caFile, string(ca))
	res = krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/x")
	pushedRef(t, res, reg.Host+"/x/hello-krust")
}
