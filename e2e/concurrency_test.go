package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// proc is a krust process started in the background.
type proc struct {
	args           []string
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// startKrust starts `krust ARGS...` in dir without waiting for it.
func startKrust(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{args: args, cmd: exec.Command(filepath.Join(h.binDir, "krust"), args...)}
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start krust %v: %v", args, err)
	}
	return p
}

// wait waits for the process and returns what it did.
func (p *proc) wait(t *testing.T) result {
	t.Helper()
	err := p.cmd.Wait()
	res := result{stdout: p.stdout.String(), stderr: p.stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("wait for krust %v: %v", p.args, err)
	}
	return res
}

// runAtOnce starts every command, then waits for all of them.
func runAtOnce(t *testing.T, env []string, dirs []string, args [][]string) []result {
	t.Helper()
	procs := make([]*proc, len(args))
	for i := range args {
		procs[i] = startKrust(t, dirs[i], env, args[i]...)
	}
	results := make([]result, len(procs))
	for i, p := range procs {
		results[i] = p.wait(t)
	}
	return results
}

// checkSharedLayout checks that every run succeeded and printed
// oci:DIR:TAG for its own tag, that the layout holds exactly those tags, and
// that it is valid: go-containerregistry's validator, skopeo inspect of
// every tag, every blob's content against its name.
func checkSharedLayout(t *testing.T, dir string, tags []string, results []result) {
	t.Helper()
	for i, res := range results {
		if res.code != 0 {
			t.Errorf("build %s failed: exit %d\nstderr:\n%s", tags[i], res.code, res.stderr)
			continue
		}
		if want := "oci:" + dir + ":" + tags[i] + "\n"; res.stdout != want {
			t.Errorf("build %s printed %q, want %q", tags[i], res.stdout, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		t.Fatalf("no layout after the builds: %v", err)
	}
	got := indexTags(t, dir)
	slices.Sort(got)
	want := slices.Sorted(slices.Values(tags))
	if !slices.Equal(got, want) {
		t.Errorf("index.json has tags %q, want exactly %q", got, want)
	}
	validateLayout(t, dir)
	for _, p := range layoutProblems(t, dir) {
		t.Errorf("shared layout: %s", p)
	}
}

func TestEightBuildsIntoOneLayout(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	const n = 8
	env := isolatedEnv(t)
	// Nobody has made the layout yet: all eight race to create it.
	shared := filepath.Join(t.TempDir(), "shared", "oci")
	var dirs, tags []string
	var args [][]string
	for i := range n {
		// One project each, so cargo's lock on a target directory does not
		// queue the builds; a label makes each image (config, manifest)
		// its own, while all share one layer.
		dirs = append(dirs, copyExample(t, t.TempDir()))
		tags = append(tags, fmt.Sprintf("t%d", i+1))
		args = append(args, append(slices.Clone(glibcScratch),
			"--oci-layout", shared, "--tag", tags[i], "--label", "krust.e2e.n="+strconv.Itoa(i+1)))
	}
	start := time.Now()
	results := runAtOnce(t, env, dirs, args)
	t.Logf("%d builds at once took %v", n, time.Since(start).Round(time.Millisecond))
	checkSharedLayout(t, shared, tags, results)
	for i, tag := range tags {
		var cfg struct{ Labels map[string]string }
		mustJSON(t, mustRun(t, "", "skopeo", "inspect", "oci:"+shared+":"+tag), &cfg)
		if got := cfg.Labels["krust.e2e.n"]; got != strconv.Itoa(i+1) {
			t.Errorf("oci:%s:%s has label krust.e2e.n=%q, want %d: a tag points at another build's image", shared, tag, got, i+1)
		}
	}
}

func TestTwoBuildsOfOneProjectAtOnce(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	env := isolatedEnv(t)
	project := copyExample(t, t.TempDir())
	tags := []string{"first", "second"}
	var args [][]string
	for _, tag := range tags {
		args = append(args, append(slices.Clone(glibcScratch), "--tag", tag))
	}
	start := time.Now()
	results := runAtOnce(t, env, []string{project, project}, args)
	t.Logf("two builds of one project at once took %v", time.Since(start).Round(time.Millisecond))
	// Both write the default layout in the project's target directory.
	checkSharedLayout(t, filepath.Join(project, "target", "krust", "hello-krust", "hello-krust"), tags, results)
}

func TestConcurrentBuildsPullOneBaseIntoOneLayout(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	reg := testregistry.Start(t, testregistry.Options{})
	baseBlobs := pushBigBase(t, reg.Host, rand.New(rand.NewSource(1)))
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	env := isolatedEnv(t)
	shared := filepath.Join(t.TempDir(), "shared", "oci")
	tags := []string{"one", "two"}
	var dirs []string
	var args [][]string
	for _, tag := range tags {
		dirs = append(dirs, copyExample(t, t.TempDir()))
		args = append(args, []string{"build", "--no-push", "--libc", "glibc", "--base", proxy.Host + "/" + bigBaseRepo,
			"--oci-layout", shared, "--tag", tag})
	}
	start := time.Now()
	results := runAtOnce(t, env, dirs, args)
	t.Logf("two builds pulling one base at once took %v; %d blob downloads", time.Since(start).Round(time.Millisecond), proxy.Count("GET", "/blobs/"))
	checkSharedLayout(t, shared, tags, results)
	baseLayer := baseBlobs[len(baseBlobs)-1]
	for _, tag := range tags {
		if m := imageFor(t, shared, tag); len(m.Layers) != 2 || m.Layers[0].Digest.String() != baseLayer {
			t.Errorf("%s: layers %v, want the base's %s and ours", tag, m.Layers, baseLayer)
		}
	}
}

// TestConcurrentFailedBuildKeepsAnotherBuildsImage: a build that fails
// must not take away a layout another build has written to meanwhile.
func TestConcurrentFailedBuildKeepsAnotherBuildsImage(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	env := isolatedEnv(t)
	shared := filepath.Join(t.TempDir(), "shared", "oci")
	// The failing build's base pull hangs until the proxy is closed, so it
	// fails only after the other build has finished; nothing is ever
	// forwarded to the upstream.
	asked := make(chan struct{})
	var once sync.Once
	stalled := testregistry.StartProxy(t, "http://127.0.0.1:9", "", func(int, *http.Request) string {
		once.Do(func() { close(asked) })
		return testregistry.FaultStall
	})
	doomed := startKrust(t, copyExample(t, t.TempDir()), env, "build", "--no-push", "--libc", "glibc",
		"--base", stalled.Host+"/base/never:v1", "--oci-layout", shared, "--tag", "doomed")
	// The layout is created before the base is pulled: once the pull has
	// reached the proxy, the doomed build has made the layout.
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		_ = doomed.cmd.Process.Kill()
		t.Fatalf("the doomed build never asked for its base; stderr:\n%s", doomed.wait(t).stderr)
	}
	project := copyExample(t, t.TempDir())
	res := krust(t, project, env, append(slices.Clone(glibcScratch), "--oci-layout", shared, "--tag", "good")...)
	checkSharedLayout(t, shared, []string{"good"}, []result{res})
	stalled.Close()
	if res := doomed.wait(t); res.code == 0 || res.stdout != "" {
		t.Fatalf("the build with a stalled base: exit %d, stdout %q; want a failure", res.code, res.stdout)
	}
	if _, err := os.Stat(filepath.Join(shared, "index.json")); err != nil {
		t.Fatalf("a failed build removed the layout another build had just written oci:%s:good to: %v", shared, err)
	}
	checkSharedLayout(t, shared, []string{"good"}, []result{res})
}
