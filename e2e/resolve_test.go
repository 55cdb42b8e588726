package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// resolveYAML is Kubernetes YAML naming togetherWorkspace's packages in
// every way krust:// takes, in every YAML style, beside what must stay
// byte for byte: comments, odd indentation, anchors, flow style, a
// document with no reference.
const resolveYAML = `# services of the workspace
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api    # the front
spec:
  template:
    spec:
      containers:
      -   name: api
          image: krust://api
      -   name: admin
          image: "krust://api/api-admin"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  worker: 'krust://./worker'
  same: &w krust://worker
  again: *w
  list: [krust://tool, "not krust"]
---
# nothing to replace here:   spacing kept
kind:    Namespace
apiVersion: v1
metadata: { name: "x" }
`

const resolveJSON = `{"apiVersion": "batch/v1", "kind": "CronJob",
 "metadata": {"name": "nightly"},
 "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "w", "image": "krust://worker"}]}}}}}}`

// krust resolve builds each image its references name once, all in one
// cargo build, pushes them, and prints the YAML with only the references
// changed; --image-refs lists each image once.
func TestResolveKeepsTheYAML(t *testing.T) {
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	deploy := filepath.Join(ws, "deploy")
	writeFile(t, filepath.Join(deploy, "a.yaml"), resolveYAML)
	writeFile(t, filepath.Join(deploy, "b.json"), resolveJSON)
	writeFile(t, filepath.Join(deploy, "notes.txt"), "krust://not-read\n")
	reg := testregistry.Start(t, testregistry.Options{})
	repo := reg.Host + "/rs-" + randomHex(t)
	refs := filepath.Join(t.TempDir(), "refs")
	res := krust(t, ws, env, "resolve", "-f", "deploy", "--libc", "glibc", "--base", "scratch", "--repo", repo,
		"--insecure-registry", reg.Host, "--image-refs", refs, "--tag", "e2e")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if builds := cargoBuilds(t, log); len(builds) != 1 {
		t.Errorf("cargo built %d times (%q), want once for every image", len(builds), builds)
	}
	data, err := os.ReadFile(refs)
	if err != nil {
		t.Fatal(err)
	}
	images := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	// First named first: api, api's api-admin (an image of its own,
	// named so that it does not take api's tags), worker (named twice),
	// tool.
	wantRepos := []string{"api", "api/api-admin", "worker", "tool"}
	if len(images) != len(wantRepos) {
		t.Fatalf("--image-refs holds %q, want one line per image: %v", data, wantRepos)
	}
	for i, name := range wantRepos {
		if !strings.HasPrefix(images[i], repo+"/"+name+"@sha256:") {
			t.Errorf("image %d is %q, want %s/%s@sha256:...", i+1, images[i], repo, name)
		}
	}
	// Each image holds its own tag: api's image and the image of its
	// binary api-admin do not share a name, so neither takes the other's.
	for _, image := range images {
		name, digest, _ := strings.Cut(image, "@")
		raw := mustRun(t, "", "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+name+":e2e")
		if got := "sha256:" + sha256Hex([]byte(raw)); got != digest {
			t.Errorf("%s:e2e is %s, want %s", name, got, digest)
		}
	}
	want := strings.NewReplacer(
		"krust://api/api-admin", images[1], "krust://api", images[0], "krust://./worker", images[2],
		"krust://worker", images[2], "krust://tool", images[3],
	).Replace(resolveYAML + "---\n" + resolveJSON)
	if res.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
	}
	for _, ref := range []string{images[0], images[1]} {
		t.Cleanup(func() { run(t, "", nil, "docker", "rmi", "--force", ref) })
	}
	if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", images[1]); !strings.Contains(out, "api-admin says extra") {
		t.Errorf("docker run of api's api-admin image printed %q", out)
	}
}

// Every reference that names nothing, and input that does not parse, is
// reported before cargo builds anything, with nothing on stdout.
func TestResolveRefusesBeforeBuilding(t *testing.T) {
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	writeFile(t, filepath.Join(ws, "bad-refs.yaml"), "a: krust://nope\nb: krust://api/nobin\nc: krust://./missing/dir\nd: krust://shared\n")
	writeFile(t, filepath.Join(ws, "broken.yaml"), "a: krust://api\nb: [unclosed\n")
	writeFile(t, filepath.Join(ws, "ok.yaml"), "image: krust://api\n")
	push := []string{"--libc", "glibc", "--base", "scratch", "--repo", "127.0.0.1:1/x"}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown references", []string{"-f", "bad-refs.yaml"}, []string{
			`bad-refs.yaml:1:4: krust://nope: no package of the workspace`, "packages with a binary: api, worker, tool",
			`bad-refs.yaml:2:4: krust://api/nobin: package api has no binary "nobin"`, "bad-refs.yaml:3:4: krust://./missing/dir: no Cargo project at",
			`bad-refs.yaml:4:4: krust://shared: no package of the workspace`}},
		{"malformed YAML", []string{"-f", "ok.yaml", "-f", "broken.yaml"}, []string{"broken.yaml", "line"}},
		{"no input", nil, []string{"-f FILE"}},
		{"a flag naming one image", []string{"-f", "ok.yaml", "--image", "127.0.0.1:1/x/y"}, []string{"--image does not apply to resolve"}},
		{"nowhere to push", []string{"-f", "ok.yaml", "--repo", ""}, []string{"no registry to push to"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"resolve"}, push...), tc.args...)
			assertCleanFailure(t, krust(t, ws, append(env, "KRUST_REPO="), args...), tc.want...)
		})
	}
	if builds := cargoBuilds(t, log); len(builds) != 0 {
		t.Errorf("cargo built %q for refused input", builds)
	}
}

// One binary named two ways (krust://api, whose default-run is api, and
// krust://api/api): two names for one image, built by one cargo run.
func TestResolveOneBinaryNamedTwoWays(t *testing.T) {
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	writeFile(t, filepath.Join(ws, "twice.yaml"), "a: krust://api\nb: krust://api/api\n")
	reg := testregistry.Start(t, testregistry.Options{})
	repo := reg.Host + "/tw-" + randomHex(t)
	refs := filepath.Join(t.TempDir(), "refs")
	res := krust(t, ws, env, "resolve", "-f", "twice.yaml", "--libc", "glibc", "--base", "scratch", "--repo", repo,
		"--insecure-registry", reg.Host, "--image-refs", refs)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if builds := cargoBuilds(t, log); len(builds) != 1 {
		t.Errorf("cargo built %d times (%q), want once", len(builds), builds)
	}
	images := readLines(t, refs)
	if len(images) != 2 || !strings.HasPrefix(images[0], repo+"/api@") || !strings.HasPrefix(images[1], repo+"/api/api@") {
		t.Fatalf("--image-refs holds %q, want %s/api@... and %s/api/api@...", images, repo, repo)
	}
	if _, d0, _ := strings.Cut(images[0], "@"); !strings.HasSuffix(images[1], "@"+d0) {
		t.Errorf("the two names of one binary's image have different digests: %q", images)
	}
}

// References are found from the current directory, a member's here: a
// package of its workspace, a relative path and an absolute one; two of
// them name one package, which is built once, into one image.
func TestResolvePathForms(t *testing.T) {
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	in := "a: krust://tool\nb: krust://../tool\nc: krust://" + filepath.Join(ws, "worker") + "\n"
	writeFile(t, filepath.Join(ws, "forms.yaml"), in)
	reg := testregistry.Start(t, testregistry.Options{})
	repo := reg.Host + "/pf-" + randomHex(t)
	res := krust(t, filepath.Join(ws, "api"), env, "resolve", "-f", "../forms.yaml", "--libc", "glibc", "--base", "scratch",
		"--repo", repo, "--insecure-registry", reg.Host)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if builds := cargoBuilds(t, log); len(builds) != 1 {
		t.Errorf("cargo built %d times (%q), want once", len(builds), builds)
	}
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("stdout %q, want three lines", res.stdout)
	}
	tool, again, worker := strings.TrimPrefix(lines[0], "a: "), strings.TrimPrefix(lines[1], "b: "), strings.TrimPrefix(lines[2], "c: ")
	if !strings.HasPrefix(tool, repo+"/tool@sha256:") || again != tool || !strings.HasPrefix(worker, repo+"/worker@sha256:") {
		t.Errorf("stdout %q, want tool's image twice, then worker's", res.stdout)
	}
}
