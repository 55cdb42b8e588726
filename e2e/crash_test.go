package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// killsPerPhase is how many runs of each command are killed at a random
// moment.
const killsPerPhase = 22

// TestKillNineNeverCorruptsTheLayout kills docker-krust (and its cargo
// children) with SIGKILL at random moments of a build, a base pull and a
// push. Whatever a kill leaves behind must be a valid layout or no layout
// at all, and the next run of the same command must succeed.
func TestKillNineNeverCorruptsTheLayout(t *testing.T) {
	for _, tool := range []string{"cargo", "skopeo", "umoci"} {
		requireTool(t, tool)
	}
	start := time.Now()
	seed := time.Now().UnixNano()
	if s := os.Getenv("KRUST_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("KRUST_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("kill moments from math/rand seed %d (KRUST_CRASH_SEED=%d repeats them, as fractions of the measured run time)", seed, seed)
	rng := rand.New(rand.NewSource(seed))

	reg := testregistry.Start(t, testregistry.Options{})
	baseBlobs := pushBigBase(t, reg.Host, rng)
	// Base pulls go through a testregistry proxy, as a remote registry
	// would be reached.
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	base := proxy.Host + "/" + bigBaseRepo
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	work := t.TempDir()
	buildArgs := func(layoutDir, tag string) []string {
		return []string{"build", "--no-push", "--libc", "glibc", "--base", base, "--oci-layout", layoutDir, "--tag", tag}
	}
	epoch := func(n int) []string {
		return append(slices.Clone(env), "SOURCE_DATE_EPOCH="+strconv.Itoa(1700000000+n))
	}

	// The layout the build phase keeps adding to, and the push phase
	// pushes from. Its first build compiles and pulls.
	shared := filepath.Join(work, "shared", "oci")
	ociRef(t, krust(t, project, epoch(0), buildArgs(shared, "v0")...), "v0")

	t.Run("build into a layout", func(t *testing.T) {
		// Each round is a build with a new SOURCE_DATE_EPOCH, so it writes
		// a new layer, config and manifest and moves a tag (one of four)
		// in index.json, without cargo compiling again.
		args := func(i int) []string { return buildArgs(shared, "v"+strconv.Itoa(i%4)) }
		c := newCrashCounts(t, "build", rng, func(k int) (string, []string, []string) {
			return project, epoch(1 + k), args(1 + k)
		})
		for i := 0; c.more(); i++ {
			round := 100 + i
			before := snap(t, shared)
			if !c.kill(project, epoch(round), args(round)) {
				continue
			}
			c.check(func() string { return crashState(t, shared, nil, &before) })
			res := c.rerun(project, epoch(round), args(round))
			c.recovered(func() bool { return checkNoPushRun(t, res, shared, "v"+strconv.Itoa(round%4)) })
		}
		c.report()
	})

	t.Run("base pull into a new layout", func(t *testing.T) {
		fresh := func(i int) string { return filepath.Join(work, fmt.Sprintf("pull-%02d", i), "oci") }
		c := newCrashCounts(t, "pull", rng, func(k int) (string, []string, []string) {
			return project, epoch(0), buildArgs(fresh(900+k), "latest")
		})
		for i := 0; c.more(); i++ {
			dir := fresh(i)
			if !c.kill(project, epoch(0), buildArgs(dir, "latest")) {
				continue
			}
			c.check(func() string { return crashState(t, dir, baseBlobs, nil) })
			res := c.rerun(project, epoch(0), buildArgs(dir, "latest"))
			c.recovered(func() bool { return checkNoPushRun(t, res, dir, "latest") })
		}
		c.report()
	})

	t.Run("push", func(t *testing.T) {
		source := "oci:" + shared + ":v0"
		want := manifestFor(t, shared, "v0").Digest.String()
		target := func(i int) string { return fmt.Sprintf("%s/crash/push-%02d", reg.Host, i) }
		c := newCrashCounts(t, "push", rng, func(k int) (string, []string, []string) {
			return "", env, []string{"push", source, target(900+k) + ":v1"}
		})
		for i := 0; c.more(); i++ {
			args := []string{"push", source, target(i) + ":v1"}
			before := snap(t, shared)
			if !c.kill("", env, args) {
				continue
			}
			c.check(func() string {
				state := crashState(t, shared, nil, &before)
				switch d := registryDigest(t, target(i)+":v1"); d {
				case "":
					return state + "; tag not in the registry"
				case want:
					return state + "; tag already pushed"
				default:
					t.Errorf("after a killed push %s:v1 is %s, want %s or nothing", target(i), d, want)
					return state + "; WRONG tag in the registry"
				}
			})
			res := c.rerun("", env, args)
			c.recovered(func() bool {
				if res.code != 0 {
					t.Errorf("push after a kill failed: exit %d\nstderr:\n%s", res.code, res.stderr)
					return false
				}
				if res.stdout != target(i)+"@"+want+"\n" {
					t.Errorf("push after a kill printed %q, want one line %s@%s", res.stdout, target(i), want)
					return false
				}
				if d := registryDigest(t, target(i)+":v1"); d != want {
					t.Errorf("after the push %s:v1 is %q, want %s", target(i), d, want)
					return false
				}
				return true
			})
		}
		c.report()
	})

	t.Run("what a kill during layout creation leaves", func(t *testing.T) {
		// Random kills land here rarely, so each state layout.Create's
		// initLayout passes through before it writes oci-layout (its last
		// step) is made directly, as such a kill leaves it; Create accepts
		// every one of them, so the next build must too.
		emptyIndex := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`
		states := []struct {
			name  string
			files map[string]string // "" content makes a directory
		}{
			{"empty directory", map[string]string{}},
			{"blobs only", map[string]string{"blobs": ""}},
			{"blobs/sha256 only", map[string]string{"blobs/sha256": ""}},
			{"blobs/sha256 and a temp index.json", map[string]string{"blobs/sha256": "", ".tmp-index.json-123": emptyIndex}},
			{"blobs/sha256 and index.json", map[string]string{"blobs/sha256": "", "index.json": emptyIndex}},
			{"all but the renamed oci-layout", map[string]string{"blobs/sha256": "", "index.json": emptyIndex, ".tmp-oci-layout-123": `{"imageLayoutVersion":"1.0.0"}`}},
		}
		for _, st := range states {
			t.Run(st.name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "oci")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for rel, content := range st.files {
					if content == "" {
						if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
							t.Fatal(err)
						}
						continue
					}
					writeFile(t, filepath.Join(dir, rel), content)
				}
				res := krust(t, project, env, append(slices.Clone(glibcScratch), "--oci-layout", dir, "--tag", "after")...)
				checkNoPushRun(t, res, dir, "after")
			})
		}
	})
	t.Logf("whole test took %v", time.Since(start).Round(time.Millisecond))
}

// crashCounts runs the kills of one phase and tallies what they left.
type crashCounts struct {
	t        *testing.T
	phase    string
	rng      *rand.Rand
	durs     []time.Duration // of uninterrupted runs of the command
	runs     int
	finished int // the run ended before its kill
	killed   int
	ok       int // runs after a kill that succeeded
	states   map[string]int
	spent    map[string]time.Duration
	start    time.Time
}

// newCrashCounts times three uninterrupted runs of the phase's command
// (cmd gives the k-th one's directory, environment and arguments), which
// must succeed.
func newCrashCounts(t *testing.T, phase string, rng *rand.Rand, cmd func(k int) (string, []string, []string)) *crashCounts {
	c := &crashCounts{t: t, phase: phase, rng: rng, states: map[string]int{}, spent: map[string]time.Duration{}, start: time.Now()}
	for k := range 3 {
		dir, env, args := cmd(k)
		if res := c.rerun(dir, env, args); res.code != 0 {
			t.Fatalf("krust %s: exit %d\nstderr:\n%s", strings.Join(args, " "), res.code, res.stderr)
		}
	}
	t.Logf("%s: uninterrupted runs take %v (median of 3)", phase, c.typical().Round(time.Millisecond))
	return c
}

// typical is the median duration of the uninterrupted runs so far: the
// three first ones, those after kills and those that ended before their
// kill. Kills are spread uniformly over it, and it follows the machine
// getting busier or quieter.
func (c *crashCounts) typical() time.Duration {
	d := slices.Clone(c.durs)
	slices.Sort(d)
	return d[len(d)/2]
}

// kill runs the command and kills it at a random moment; it reports
// whether the kill is what ended it. A run that ended before must have
// succeeded.
func (c *crashCounts) kill(dir string, env, args []string) bool {
	c.runs++
	begin := time.Now()
	delay := time.Duration(c.rng.Float64() * float64(c.typical()))
	killed, res := runKilledAfter(c.t, dir, env, delay, args...)
	c.spent["killed runs"] += time.Since(begin)
	if !killed {
		c.durs = append(c.durs, time.Since(begin))
		c.finished++
		if res.code != 0 {
			c.t.Errorf("%s: a run that was not killed failed: exit %d\nstderr:\n%s", c.phase, res.code, res.stderr)
		}
		return false
	}
	c.killed++
	return true
}

// rerun runs the command to its end.
func (c *crashCounts) rerun(dir string, env, args []string) result {
	begin := time.Now()
	res := krust(c.t, dir, env, args...)
	c.durs = append(c.durs, time.Since(begin))
	c.spent["uninterrupted runs"] += time.Since(begin)
	return res
}

// check notes the state a kill left, as describe tells it.
func (c *crashCounts) check(describe func() string) {
	begin := time.Now()
	c.states[describe()]++
	c.spent["checks"] += time.Since(begin)
}

// recovered counts a successful run after a kill, as verify tells it.
func (c *crashCounts) recovered(verify func() bool) {
	begin := time.Now()
	if verify() {
		c.ok++
	}
	c.spent["checks"] += time.Since(begin)
}

// more reports whether to run again: until killsPerPhase runs were
// killed, within a bound on the runs that end before their kill.
func (c *crashCounts) more() bool {
	return c.killed < killsPerPhase && c.runs < 3*killsPerPhase
}

func (c *crashCounts) report() {
	keys := slices.Sorted(maps.Keys(c.states))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %2d  %s", c.states[k], k)
	}
	var spent []string
	for _, k := range slices.Sorted(maps.Keys(c.spent)) {
		spent = append(spent, fmt.Sprintf("%s %v", k, c.spent[k].Round(time.Millisecond)))
	}
	c.t.Logf("%s: %d runs: %d killed, %d ended before the kill; %d/%d runs after a kill succeeded; typical run %v; %v in all (%s); states after the kills:%s",
		c.phase, c.runs, c.killed, c.finished, c.ok, c.killed, c.typical().Round(time.Millisecond),
		time.Since(c.start).Round(time.Millisecond), strings.Join(spent, ", "), b.String())
	if c.killed < killsPerPhase {
		c.t.Errorf("%s: only %d of %d runs were killed, want %d", c.phase, c.killed, c.runs, killsPerPhase)
	}
}

// runKilledAfter starts krust in a process group of its own and sends
// SIGKILL to the whole group (krust, cargo, rustc) after delay, unless it
// ended before. It reports whether the kill is what ended it.
func runKilledAfter(t *testing.T, dir string, env []string, delay time.Duration, args ...string) (bool, result) {
	t.Helper()
	cmd := exec.Command(filepath.Join(h.binDir, "krust"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start krust: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(delay)
	var err error
	select {
	case err = <-done:
		timer.Stop()
	case <-timer.C:
		// The group leader is not reaped before Wait returns, so the
		// group still exists.
		if kerr := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
			t.Errorf("kill -9 -%d: %v", cmd.Process.Pid, kerr)
		}
		if serr := cmd.Process.Signal(syscall.SIGKILL); serr != nil && !errors.Is(serr, os.ErrProcessDone) {
			t.Errorf("kill -9 %d: %v", cmd.Process.Pid, serr)
		}
		err = <-done
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("wait for krust: %v", err)
	}
	res.code = cmd.ProcessState.ExitCode()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ws.Signaled() && ws.Signal() == syscall.SIGKILL, res
}

// crashState describes what a killed run left in dir, and reports an error
// if it is a layout (it has an oci-layout file) that is not valid: one
// go-containerregistry rejects, a tag skopeo cannot inspect, a blob whose
// content does not match its name. Temp files may be left. base lists the
// blobs of the base image, to tell how far a pull got; before, if not nil,
// is the layout before the killed run, to tell what the run changed.
func crashState(t *testing.T, dir string, base []string, before *layoutSnap) string {
	t.Helper()
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return "no layout directory"
	}
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); errors.Is(err, os.ErrNotExist) {
		var names []string
		err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
			if err == nil && path != dir {
				rel, _ := filepath.Rel(dir, path)
				names = append(names, rel)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("directory without oci-layout, holding [%s]", strings.Join(names, " "))
	}
	problems := layoutProblems(t, dir)
	for _, p := range problems {
		t.Errorf("a killed run left an invalid layout in %s: %s", dir, p)
	}
	state := "valid layout"
	if len(problems) > 0 {
		state = "INVALID layout"
	}
	after := snap(t, dir)
	if base != nil {
		have := 0
		for _, d := range base {
			if _, err := os.Stat(filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(d, "sha256:"))); err == nil {
				have++
			}
		}
		state += fmt.Sprintf(", %d/%d base blobs", have, len(base))
		if len(indexTags(t, dir)) > 0 {
			state += ", image tagged"
		} else {
			state += ", nothing tagged"
		}
	}
	if before != nil {
		switch {
		case after.index == before.index && after.blobs == before.blobs && after.temps == before.temps:
			state += ", unchanged"
		case after.index == before.index:
			state += fmt.Sprintf(", index.json unchanged, %+d blobs", after.blobs-before.blobs)
		default:
			state += fmt.Sprintf(", index.json updated, %+d blobs", after.blobs-before.blobs)
		}
		if n := after.temps - before.temps; n != 0 {
			state += fmt.Sprintf(", %+d temp files", n)
		}
	} else if after.temps > 0 {
		state += fmt.Sprintf(", %d temp files", after.temps)
	}
	return state
}

// layoutSnap is what crashState compares before and after a killed run.
type layoutSnap struct {
	index        string // index.json
	blobs, temps int    // files in blobs/sha256, temp files anywhere
}

func snap(t *testing.T, dir string) layoutSnap {
	t.Helper()
	var s layoutSnap
	if data, err := os.ReadFile(filepath.Join(dir, "index.json")); err == nil {
		s.index = string(data)
	}
	for _, d := range []string{dir, filepath.Join(dir, "blobs", "sha256")} {
		entries, err := os.ReadDir(d)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch {
			case strings.HasPrefix(e.Name(), ".tmp-"):
				s.temps++
			case d != dir:
				s.blobs++
			}
		}
	}
	return s
}

// layoutProblems checks a layout without stopping the test: go-containerregistry's
// validator, skopeo inspect for every tag, every blob's content against its
// name, and no temp file named by index.json.
func layoutProblems(t *testing.T, dir string) []string {
	t.Helper()
	var problems []string
	// The validator reads every layer of every image, which is slow; it
	// runs again only when a file of the layout has changed.
	fp := fingerprint(t, dir)
	validated.Lock()
	seen := validated.ok[fp]
	validated.Unlock()
	if !seen {
		idx, err := layout.ImageIndexFromPath(dir)
		if err != nil {
			problems = append(problems, "go-containerregistry cannot read it: "+err.Error())
		} else if err := validate.Index(idx); err != nil {
			problems = append(problems, "go-containerregistry rejects it: "+err.Error())
		} else {
			validated.Lock()
			validated.ok[fp] = true
			validated.Unlock()
		}
	}
	for _, tag := range indexTags(t, dir) {
		if res := run(t, "", nil, "skopeo", "inspect", "oci:"+dir+":"+tag); res.code != 0 {
			problems = append(problems, fmt.Sprintf("skopeo inspect oci:%s:%s: %s", dir, tag, res.stderr))
		}
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		problems = append(problems, err.Error())
	} else if bytes.Contains(index, []byte(".tmp-")) {
		problems = append(problems, "index.json names a temp file: "+string(index))
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	entries, err := os.ReadDir(blobs)
	if err != nil {
		return append(problems, err.Error())
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		if got := blobSHA256(t, filepath.Join(blobs, e.Name())); got != e.Name() {
			problems = append(problems, fmt.Sprintf("blob %s holds content with sha256 %s", e.Name(), got))
		}
	}
	return problems
}

// validated holds the fingerprints of the layouts go-containerregistry
// found valid.
var validated = struct {
	sync.Mutex
	ok map[string]bool
}{ok: map[string]bool{}}

// fingerprint names the state of the layout in dir: its path, index.json,
// oci-layout and the name, size and modification time of every blob.
func fingerprint(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(dir + "\n")
	for _, name := range []string{"oci-layout", "index.json"} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		b.Write(data)
		b.WriteString("\n")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		fmt.Fprintf(&b, "%s %d %d\n", e.Name(), info.Size(), info.ModTime().UnixNano())
	}
	return b.String()
}

// indexTags lists the tags in dir/index.json.
func indexTags(t *testing.T, dir string) []string {
	t.Helper()
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
	var tags []string
	for _, m := range idx.Manifests {
		if tag := m.Annotations[ocispec.AnnotationRefName]; tag != "" {
			tags = append(tags, tag)
		}
	}
	return tags
}

// hashed caches blobSHA256 by path, size and modification time, so that
// the blobs of a layout checked after every kill are read once.
var hashed = struct {
	sync.Mutex
	sums map[string]string
}{sums: map[string]string{}}

// blobSHA256 returns the hex sha256 of the file at path.
func blobSHA256(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("%s %d %d", path, info.Size(), info.ModTime().UnixNano())
	hashed.Lock()
	defer hashed.Unlock()
	if sum, ok := hashed.sums[key]; ok {
		return sum
	}
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		t.Fatal(err)
	}
	sum := hex.EncodeToString(hash.Sum(nil))
	hashed.sums[key] = sum
	return sum
}

// checkNoPushRun checks, without stopping the test, that a run after a kill
// succeeded, printed one line oci:DIR:TAG and left a valid layout.
func checkNoPushRun(t *testing.T, res result, dir, tag string) bool {
	t.Helper()
	if res.code != 0 {
		t.Errorf("run after a kill failed: exit %d\nstderr:\n%s", res.code, res.stderr)
		return false
	}
	if want := "oci:" + dir + ":" + tag + "\n"; res.stdout != want {
		t.Errorf("run after a kill printed %q, want %q", res.stdout, want)
		return false
	}
	if problems := layoutProblems(t, dir); len(problems) > 0 {
		t.Errorf("run after a kill left an invalid layout in %s:\n%s", dir, strings.Join(problems, "\n"))
		return false
	}
	return true
}

// registryDigest returns the digest ref (on a plain-HTTP registry) has, or
// "" if skopeo cannot inspect it.
func registryDigest(t *testing.T, ref string) string {
	t.Helper()
	res := run(t, "", nil, "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://"+ref)
	if res.code != 0 {
		return ""
	}
	return strings.TrimSpace(res.stdout)
}

// bigBaseRepo is where pushBigBase puts its image.
const bigBaseRepo = "base/big:v1"

// pushBigBase makes a base image with umoci whose one layer holds 6 MiB of
// random (incompressible) bytes, so pulling it takes a while, pushes it to
// host with skopeo and returns the digests of its manifest, config and layer.
func pushBigBase(t *testing.T, host string, rng *rand.Rand) []string {
	t.Helper()
	requireTool(t, "umoci")
	requireTool(t, "skopeo")
	dir := filepath.Join(t.TempDir(), "big-base")
	mustRun(t, "", "umoci", "init", "--layout", dir)
	mustRun(t, "", "umoci", "new", "--image", dir+":v1")
	noise := make([]byte, 6<<20)
	rng.Read(noise)
	file := filepath.Join(t.TempDir(), "noise")
	if err := os.WriteFile(file, noise, 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "", "umoci", "insert", "--rootless", "--image", dir+":v1", file, "/var/lib/noise")
	mustRun(t, "", "umoci", "config", "--image", dir+":v1", "--os", "linux", "--architecture", "amd64")
	mustRun(t, "", "skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:"+dir+":v1", "docker://"+host+"/"+bigBaseRepo)
	var m ocispec.Manifest
	raw := mustRun(t, "", "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+host+"/"+bigBaseRepo)
	mustJSON(t, raw, &m)
	digest := strings.TrimSpace(mustRun(t, "", "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://"+host+"/"+bigBaseRepo))
	blobs := []string{digest, m.Config.Digest.String()}
	for _, l := range m.Layers {
		blobs = append(blobs, l.Digest.String())
	}
	return blobs
}
