package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testkube"
	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// kube is the Kubernetes API server the e2e tests share (stopped by
// TestMain); each test works in a namespace of its own.
var kube testkube.Shared

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.NS.krust.example
spec:
  group: NS.krust.example
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              image: {type: string}
`

// kubeYAML holds every kind of place a reference can be: a Deployment, a
// CronJob, a ConfigMap, a custom resource and a List.
const kubeYAML = `apiVersion: v1
kind: Namespace
metadata:
  name: NS
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: NS}
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: krust://api   # the front
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: NS}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: worker
            image: "krust://worker"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: NS}
data:
  worker-image: krust://worker
---
apiVersion: NS.krust.example/v1
kind: Widget
metadata: {name: gear, namespace: NS}
spec:
  image: krust://tool
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: listed, namespace: NS}
  data:
    image: 'krust://api/api-admin'
`

// krust apply against a real API server: every reference becomes the
// pushed image (read back with kubectl, pulled by the Docker Engine),
// server-side validation errors come back with kubectl's status, delete
// removes what apply made, and a failed build applies nothing.
func TestApplyAndDeleteOnAnAPIServer(t *testing.T) {
	requireTool(t, "kubectl")
	srv := kube.Server(t)
	ns := "e2e-" + randomHex(t)
	srv.KubectlIn(t, strings.ReplaceAll(widgetCRD, "NS", ns), "apply", "-f", "-").OK(t)
	srv.Kubectl(t, "wait", "--for=condition=Established", "crd/widgets."+ns+".krust.example", "--timeout=60s").OK(t)
	t.Cleanup(func() {
		// Not t's context: it is done by the time cleanups run.
		_ = srv.Command(context.Background(), "delete", "crd", "widgets."+ns+".krust.example", "--wait=false").Run()
	})
	ws := togetherWorkspace(t)
	writeFile(t, filepath.Join(ws, "k8s", "all.yaml"), strings.ReplaceAll(kubeYAML, "NS", ns))
	reg := testregistry.Start(t, testregistry.Options{})
	repo := reg.Host + "/k8s-" + randomHex(t)
	env := append(srv.Env(), "KRUST_REPO="+repo)
	build := []string{"--libc", "glibc", "--base", "scratch", "--insecure-registry", reg.Host, "-f", "k8s"}
	refs := filepath.Join(t.TempDir(), "refs")

	res := krust(t, ws, env, append(append([]string{"apply"}, build...), "--image-refs", refs)...)
	if res.code != 0 {
		t.Fatalf("krust apply: exit %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "deployment.apps/api created") || !strings.Contains(res.stdout, "widget."+ns+".krust.example/gear created") {
		t.Errorf("stdout lacks kubectl's report:\n%s", res.stdout)
	}
	images := readLines(t, refs)
	if len(images) != 4 {
		t.Fatalf("--image-refs: %q, want the images of api, worker, tool and api's api-admin", images)
	}
	get := []struct {
		what, path, want string
	}{
		{"deployment/api", "{.spec.template.spec.containers[0].image}", images[0]},
		{"cronjob/nightly", "{.spec.jobTemplate.spec.template.spec.containers[0].image}", images[1]},
		{"configmap/settings", "{.data.worker-image}", images[1]},
		{"widget/gear", "{.spec.image}", images[2]},
		{"configmap/listed", "{.data.image}", images[3]},
	}
	for _, g := range get {
		if got := srv.Kubectl(t, "get", g.what, "-n", ns, "-o", "jsonpath="+g.path).OK(t); got != g.want {
			t.Errorf("%s %s = %q, want %q", g.what, g.path, got, g.want)
		}
	}
	t.Cleanup(func() { run(t, "", nil, "docker", "rmi", "--force", images[0]) })
	mustRun(t, "", "docker", "pull", "-q", images[0])

	// Validation happens on the server, and its verdict is kubectl's exit.
	bad := filepath.Join(ws, "bad", "bad.yaml")
	writeFile(t, bad, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: "+ns+"}\nspec:\n  replicas: -3\n  selector: {matchLabels: {app: bad}}\n"+
		"  template:\n    metadata: {labels: {app: bad}}\n    spec: {containers: [{name: bad, image: krust://tool}]}\n")
	res = krust(t, ws, env, "apply", "-f", bad, "--libc", "glibc", "--base", "scratch", "--insecure-registry", reg.Host, "--", "--dry-run=server")
	if res.code == 0 || !strings.Contains(res.stderr, "spec.replicas") {
		t.Errorf("an invalid Deployment: exit %d, stderr:\n%s", res.code, res.stderr)
	}

	// A build that fails applies nothing, not even the objects that need
	// no image.
	never := filepath.Join(ws, "never", "never.yaml")
	writeFile(t, never, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: never, namespace: "+ns+"}\ndata: {image: krust://tool}\n---\n"+
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain, namespace: "+ns+"}\n")
	writeFile(t, filepath.Join(ws, "tool", "src", "main.rs"), "fn main() { this does not compile }\n")
	res = krust(t, ws, env, "apply", "-f", never, "--libc", "glibc", "--base", "scratch", "--insecure-registry", reg.Host)
	if res.code == 0 || res.stdout != "" {
		t.Errorf("apply with a failing build: exit %d, stdout %q\n%s", res.code, res.stdout, res.stderr)
	}
	for _, name := range []string{"never", "plain"} {
		if r := srv.Kubectl(t, "get", "configmap", name, "-n", ns); r.Code == 0 {
			t.Errorf("a failed build applied configmap %s:\n%s", name, r.Stdout)
		}
	}

	res = krust(t, ws, env, "delete", "-f", "k8s", "--", "--wait=false")
	if res.code != 0 || !strings.Contains(res.stdout, "deployment.apps \"api\" deleted") {
		t.Fatalf("krust delete: exit %d\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
	}
	if r := srv.Kubectl(t, "get", "configmap", "listed", "-n", ns); r.Code == 0 {
		t.Errorf("configmap listed is still there after krust delete:\n%s", r.Stdout)
	}

}

// readLines is a file's lines.
func readLines(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// An API server that accepts connections and never answers: apply and
// delete give up on kubectl after --timeout, naming it, with nothing on
// stdout.
func TestKubectlWaitIsBounded(t *testing.T) {
	requireTool(t, "kubectl")
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeFile(t, kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: silent\n  cluster: {server: \"https://"+silent.Addr().String()+"\", insecure-skip-tls-verify: true}\n"+
		"users:\n- name: u\n  user: {token: t0ken}\ncontexts:\n- name: silent\n  context: {cluster: silent, user: u}\ncurrent-context: silent\n")
	writeFile(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n")
	env := []string{"KUBECONFIG=" + kubeconfig, "KUBECACHEDIR=" + filepath.Join(dir, "cache")}
	for _, verb := range []string{"apply", "delete"} {
		t.Run(verb, func(t *testing.T) {
			start := time.Now()
			res := krust(t, dir, env, verb, "-f", "cm.yaml", "--timeout", "3s")
			assertCleanFailure(t, res, "kubectl "+verb+" did not finish within 3s (--timeout)")
			if took := time.Since(start); took > time.Minute {
				t.Errorf("krust %s took %v against a silent API server with --timeout 3s", verb, took)
			}
		})
	}
}

// Ctrl-C while resolve waits for a stdin nobody writes: it stops at
// once with 130, nothing on stdout.
func TestResolveStdinWaitEndsOnInterrupt(t *testing.T) {
	cmd := exec.Command(filepath.Join(h.binDir, "krust"), "resolve", "-f", "-")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	var stdout, stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	waitReadingStdin(t, cmd.Process.Pid)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("krust resolve -f - still waits for stdin a minute after SIGINT\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, want 130 and nothing\n%s", code, stdout.String(), stderr.String())
	}
}

// waitReadingStdin waits until a thread of process pid is in a read(2)
// of file descriptor 0 (/proc/PID/task/TID/syscall: "0 0x0 ..."): then
// krust waits for stdin, its signal handling long set up.
func waitReadingStdin(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
		for _, task := range tasks {
			if data, err := os.ReadFile(task); err == nil && strings.HasPrefix(string(data), "0 0x0 ") {
				return
			}
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, bounded by the deadline
	}
	t.Fatalf("process %d never read its stdin", pid)
}

// apply and delete hand kubectl (KUBECTL) the YAML on stdin and the
// arguments after --, and exit with its status; delete builds nothing,
// even for YAML with references.
func TestKubectlGetsTheYAMLAndGivesItsStatus(t *testing.T) {
	env, log := countingCargo(t)
	dir := t.TempDir()
	stub := filepath.Join(dir, "kubectl-stub")
	writeFile(t, stub, "#!/bin/sh\necho \"$*\" > '"+dir+"/args'\ncat > '"+dir+"/stdin'\necho kubectl says hi\nexit 7\n")
	mustDo(t, os.Chmod(stub, 0o755))
	yaml := "# no reference\nkind: ConfigMap\n"
	writeFile(t, filepath.Join(dir, "in.yaml"), yaml)
	withRef := "kind: ConfigMap\ndata: {image: krust://api}\n"
	writeFile(t, filepath.Join(dir, "ref.yaml"), withRef)
	cases := []struct {
		verb, file, stdin string
	}{
		{"apply", "in.yaml", yaml},
		{"delete", "in.yaml", yaml},
		{"delete", "ref.yaml", withRef},
	}
	for _, tc := range cases {
		t.Run(tc.verb+" "+tc.file, func(t *testing.T) {
			res := krust(t, dir, append(env, "KUBECTL="+stub), tc.verb, "-f", tc.file, "--", "--context", "other", "-n", "ns one")
			if res.code != 7 || res.stdout != "kubectl says hi\n" {
				t.Errorf("exit %d, stdout %q; want kubectl's 7 and its output\n%s", res.code, res.stdout, res.stderr)
			}
			if got := readLines(t, filepath.Join(dir, "args")); len(got) != 1 || got[0] != tc.verb+" -f - --context other -n ns one" {
				t.Errorf("kubectl got arguments %q", got)
			}
			if data, err := os.ReadFile(filepath.Join(dir, "stdin")); err != nil || string(data) != tc.stdin {
				t.Errorf("kubectl read %q (%v), want %q", data, err, tc.stdin)
			}
		})
	}
	if builds := cargoBuilds(t, log); len(builds) != 0 {
		t.Errorf("cargo built %q, want nothing: no reference to build for apply, and delete builds none", builds)
	}
	missing := krust(t, dir, append(env, "KUBECTL="+filepath.Join(dir, "none")), "apply", "-f", "ref.yaml")
	assertCleanFailure(t, missing, "kubectl, which apply hands the YAML to, is not installed", "set KUBECTL")
	if builds := cargoBuilds(t, log); len(builds) != 0 {
		t.Errorf("cargo built %q before kubectl was found", builds)
	}
}
