package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// pushBase makes the umoci base (see makeBase) and copies it to
// HOST/base/static:v1 with skopeo; it returns that reference.
func pushBase(t *testing.T, host string) string {
	t.Helper()
	requireTool(t, "skopeo")
	ref := host + "/base/static:v1"
	mustRun(t, "", "skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:"+makeBase(t)+":v1", "docker://"+ref)
	return ref
}

// pushedRef checks that a push printed exactly one line, HOST/REPO@sha256:...,
// and returns it.
func pushedRef(t *testing.T, res result, repo string) string {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("krust failed: exit %d\nstderr:\n%s", res.code, res.stderr)
	}
	line, ok := strings.CutSuffix(res.stdout, "\n")
	if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, repo+"@sha256:") || len(line) != len(repo)+len("@sha256:")+64 {
		t.Fatalf("stdout %q is not one line %s@sha256:DIGEST", res.stdout, repo)
	}
	return line
}

// isolatedEnv gives krust an empty Docker config and krust config, so the
// machine's own never leak into a test.
func isolatedEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{"HOME=" + home, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"), "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
	// rustup and cargo find their toolchains through HOME unless told.
	realHome, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	for key, dir := range map[string]string{"RUSTUP_HOME": ".rustup", "CARGO_HOME": ".cargo"} {
		if v := os.Getenv(key); v != "" {
			env = append(env, key+"="+v)
		} else {
			env = append(env, key+"="+filepath.Join(realHome, dir))
		}
	}
	return env
}

func TestBuildOnRegistryBasePushAndDockerRun(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{})
	base := pushBase(t, reg.Host)
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	res := krust(t, project, env, "build", "--libc", "glibc", "--base", base, "--repo", reg.Host+"/team")
	ref := pushedRef(t, res, reg.Host+"/team/hello-krust")

	var inspect struct {
		Digest string
		Layers []string
	}
	mustJSON(t, mustRun(t, "", "skopeo", "inspect", "--tls-verify=false", "docker://"+ref), &inspect)
	if !strings.HasSuffix(ref, inspect.Digest) || len(inspect.Layers) != 2 {
		t.Errorf("registry has %s with %d layers; printed %s, want the base's layer plus ours", inspect.Digest, len(inspect.Layers), ref)
	}
	var cfg struct{ Config struct{ User string } }
	mustJSON(t, mustRun(t, "", "skopeo", "inspect", "--tls-verify=false", "--config", "docker://"+ref), &cfg)
	if cfg.Config.User != "65532:65532" {
		t.Errorf("user %q, want the base's 65532:65532", cfg.Config.User)
	}
	t.Run("docker run $(krust build)", func(t *testing.T) {
		requireTool(t, "docker")
		t.Cleanup(func() { run(t, "", nil, "docker", "rmi", "--force", ref) })
		out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", ref, "registry")
		if !strings.Contains(out, "Hello, registry, from docker-krust!") {
			t.Errorf("docker run %s printed %q", ref, out)
		}
	})
	t.Run("a second build pulls nothing and uploads nothing", func(t *testing.T) {
		proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
		base2 := strings.Replace(base, reg.Host, proxy.Host, 1)
		// The base is named by the proxy now, which the SBOM and
		// provenance record: new documents. The image is the same.
		again := krust(t, project, env, "build", "--libc", "glibc", "--base", base2, "--repo", proxy.Host+"/team", "--sbom", "none", "--provenance", "none")
		pushedRef(t, again, proxy.Host+"/team/hello-krust")
		if n := proxy.Count("GET", "/blobs/"); n != 0 {
			t.Errorf("second build downloaded %d blobs, want 0 (the base is in the layout)", n)
		}
		if n := proxy.Count("POST", "/blobs/uploads/") + proxy.Count("PUT", "/blobs/uploads/"); n != 0 {
			t.Errorf("second build started or finished %d uploads, want 0", n)
		}
	})
}

func TestAirGappedBuildThenPush(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{})
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	layoutRef := strings.TrimSpace(krust(t, project, env, append(glibcScratch, "--tag", "v1")...).stdout)
	// Carry the layout elsewhere, as an air-gapped build would be.
	carried := filepath.Join(t.TempDir(), "carried")
	mustRun(t, "", "cp", "-a", strings.TrimSuffix(strings.TrimPrefix(layoutRef, "oci:"), ":v1"), carried)
	res := krust(t, "", env, "push", "oci:"+carried+":v1", reg.Host+"/airgap/app:v1")
	ref := pushedRef(t, res, reg.Host+"/airgap/app")
	if want := manifestFor(t, carried, "v1").Digest.String(); !strings.HasSuffix(ref, want) {
		t.Errorf("pushed %s, want the layout's %s", ref, want)
	}
}

func TestPushLayoutWrittenBySkopeo(t *testing.T) {
	requireTool(t, "skopeo")
	reg := testregistry.Start(t, testregistry.Options{})
	base := pushBase(t, reg.Host)
	dir := filepath.Join(t.TempDir(), "from-skopeo")
	mustRun(t, "", "skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://"+base, "oci:"+dir+":copied")
	res := krust(t, "", isolatedEnv(t), "push", dir, reg.Host+"/elsewhere/static:copied")
	ref := pushedRef(t, res, reg.Host+"/elsewhere/static")
	digest := strings.TrimSpace(mustRun(t, "", "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://"+reg.Host+"/elsewhere/static:copied"))
	if !strings.HasSuffix(ref, digest) {
		t.Errorf("printed %s, registry has %s", ref, digest)
	}
}

func TestRegistryBadInput(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{})
	base := pushBase(t, reg.Host)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown base tag", []string{"build", "--no-push", "--libc", "glibc", "--base", reg.Host + "/base/static:nope"}, []string{"base/static:nope", "not found"}},
		{"base without the platform", []string{"build", "--no-push", "--libc", "glibc", "--platform", "linux/arm64", "--base", base}, []string{"linux/amd64", "linux/arm64"}},
		{"unreachable registry", []string{"build", "--libc", "glibc", "--base", "scratch", "--repo", "127.0.0.1:9/team"}, []string{"127.0.0.1:9", "cannot reach"}},
		{"invalid repo", []string{"build", "--libc", "glibc", "--base", "scratch", "--repo", "Bad Repo"}, []string{`repo "Bad Repo" (--repo)`}},
		{"push from a missing layout", []string{"push", "oci:/nonexistent/layout:v1", reg.Host + "/x:v1"}, []string{"/nonexistent/layout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := t.TempDir()
			helloCrate(t, project)
			res := krust(t, project, isolatedEnv(t), tt.args...)
			assertCleanFailure(t, res, tt.want...)
			assertNoLayout(t, filepath.Join(project, "target", "krust"))
		})
	}
}

func TestPushRefusesBadReferences(t *testing.T) {
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	requireTool(t, "cargo")
	layoutRef := strings.TrimSpace(krust(t, project, env, glibcScratch...).stdout)
	tests := []struct {
		ref, want string
	}{
		{"127.0.0.1:5000/x@sha256:" + strings.Repeat("a", 64), "not a digest"},
		{"No Such//Ref", "invalid reference"},
	}
	for _, tt := range tests {
		res := krust(t, "", env, "push", layoutRef, tt.ref)
		assertCleanFailure(t, res, tt.want)
	}
	if _, err := os.Stat(strings.TrimSuffix(strings.TrimPrefix(layoutRef, "oci:"), ":latest")); err != nil {
		t.Errorf("layout gone after failed pushes: %v", err)
	}
}
