package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// togetherWorkspace is a workspace of three members with binaries (api
// with two, api and api-admin) and two libraries: api enables shared's
// extra feature, which links the extra crate; worker uses shared without
// it. Built together, cargo unifies shared's features, so worker links
// extra too. Each binary prints its name and what shared says.
func togetherWorkspace(t *testing.T) string {
	t.Helper()
	pkg := func(name, deps string) string {
		return "[package]\nname = \"" + name + "\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n[dependencies]\n" + deps
	}
	main := func(name string) string {
		return "fn main() { println!(\"" + name + " says {}\", shared::name()); }\n"
	}
	return writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":               "[workspace]\nmembers = [\"api\", \"worker\", \"tool\", \"shared\", \"extra\"]\nresolver = \"2\"\n",
		"api/Cargo.toml":           strings.Replace(pkg("api", "shared = { path = \"../shared\", features = [\"extra\"] }\n"), "\n\n", "\ndefault-run = \"api\"\n\n", 1),
		"api/src/main.rs":          main("api"),
		"api/src/bin/api-admin.rs": main("api-admin"),
		"worker/Cargo.toml":        pkg("worker", "shared = { path = \"../shared\" }\n"),
		"worker/src/main.rs":       main("worker"),
		"tool/Cargo.toml":          pkg("tool", ""),
		"tool/src/main.rs":         "fn main() { println!(\"tool says hi\"); }\n",
		"shared/Cargo.toml":        pkg("shared", "extra = { path = \"../extra\", optional = true }\n\n[features]\nextra = [\"dep:extra\"]\n"),
		"shared/src/lib.rs": "#[cfg(feature = \"extra\")]\npub fn name() -> &'static str { extra::NAME }\n" +
			"#[cfg(not(feature = \"extra\"))]\npub fn name() -> &'static str { \"plain\" }\n",
		"extra/Cargo.toml": pkg("extra", ""),
		"extra/src/lib.rs": "pub const NAME: &str = \"extra\";\n",
	})
}

// countingCargo puts a cargo first on PATH that logs each command line
// to a file, then runs the real cargo; it returns the environment that
// uses it and the log's path.
func countingCargo(t *testing.T) ([]string, string) {
	t.Helper()
	real, err := exec.LookPath("cargo")
	if err != nil {
		t.Fatal("cargo is not installed:", err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "cargo.log")
	script := "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + real + "' \"$@\"\n"
	mustDo(t, os.WriteFile(filepath.Join(dir, "cargo"), []byte(script), 0o755))
	return []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH")}, log
}

// cargoBuilds are the cargo build command lines the log holds.
func cargoBuilds(t *testing.T, log string) []string { return cargoRuns(t, log, "build ") }

// cargoRuns are the command lines the log holds that start with prefix.
func cargoRuns(t *testing.T, log, prefix string) []string {
	t.Helper()
	data, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var builds []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, prefix) {
			builds = append(builds, line)
		}
	}
	return builds
}

// Three packages in one command: one cargo build for the platform, one
// image per package, one line each on stdout in the order named (and in
// --image-refs), each image running its own binary, and each SBOM
// listing what its binary links in that build: worker links extra, as
// api's feature brought it in.
func TestPackagesBuiltTogether(t *testing.T) {
	requireTool(t, "skopeo")
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	refs, sboms := filepath.Join(t.TempDir(), "refs"), t.TempDir()
	res := krust(t, ws, env, append(glibcScratch, "-p", "worker", "-p", "tool", "-p", "api", "--image-refs", refs, "--sbom-dir", sboms)...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if builds := cargoBuilds(t, log); len(builds) != 1 || !strings.Contains(builds[0], "--package worker --package tool --package api") {
		t.Errorf("cargo builds %q, want one of the three packages", builds)
	}
	// The three SBOMs ask cargo one question: what the three link.
	if trees := cargoRuns(t, log, "tree "); len(trees) != 1 {
		t.Errorf("cargo tree ran %d times (%q), want once for the three images", len(trees), trees)
	}
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	want := []struct{ pkg, says string }{{"worker", "worker says extra"}, {"tool", "tool says hi"}, {"api", "api says extra"}}
	if len(lines) != len(want) {
		t.Fatalf("stdout %q, want %d lines", res.stdout, len(want))
	}
	for i, w := range want {
		dir := filepath.Join(ws, "target", "krust", w.pkg, w.pkg)
		if lines[i] != "oci:"+dir+":latest" {
			t.Errorf("line %d: %q, want oci:%s:latest", i+1, lines[i], dir)
		}
		imageBinary(t, dir, "latest", w.pkg, w.says)
	}
	if data, err := os.ReadFile(refs); err != nil || string(data) != res.stdout {
		t.Errorf("--image-refs holds %q (%v), want stdout's %q", data, err, res.stdout)
	}
	for _, c := range []struct {
		bin   string
		extra bool
	}{{"worker", true}, {"api", true}, {"tool", false}} {
		data, err := os.ReadFile(filepath.Join(sboms, c.bin+".spdx.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(data), `"name": "extra"`) || strings.Contains(string(data), `"name":"extra"`); got != c.extra {
			t.Errorf("%s's SBOM lists extra: %v, want %v (cargo linked it: %v)", c.bin, got, c.extra, c.extra)
		}
	}
}

// --workspace builds every member with a binary in the workspace's order,
// but --exclude's; what one image cannot share is refused before cargo,
// and so are package options after --.
func TestWorkspaceFlagAndRefusals(t *testing.T) {
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	refusals := []struct {
		args []string
		want []string
	}{
		{[]string{"-p", "api", "-p", "worker", "--image", "127.0.0.1:1/x"}, []string{"--image names one image"}},
		{[]string{"--workspace", "--oci-layout", "out"}, []string{"--oci-layout names one image"}},
		{[]string{"--workspace", "--tarball", "x.tar"}, []string{"--tarball names one image"}},
		{[]string{"--exclude", "tool"}, []string{"--exclude without --workspace"}},
		{[]string{"--workspace", "--exclude", "shared"}, []string{"--exclude shared", "api, worker, tool"}},
		{[]string{"-p", "api", "--", "-p", "worker"}, []string{`"-p"`, "-p NAME (repeatable) or --workspace"}},
		{[]string{"--", "--workspace"}, []string{`"--workspace"`, "-p NAME"}},
		{[]string{"-p", "api", "--bin", "api", "--entrypoint", "api-admin"}, []string{`"api-admin" is not one of the binaries`, "--entrypoint"}},
		{[]string{"-p", "api", "-p", "worker", "--bin", "api"}, []string{"--bin names binaries of one package"}},
	}
	for _, r := range refusals {
		assertCleanFailure(t, krust(t, ws, env, append(glibcScratch, r.args...)...), r.want...)
	}
	if builds := cargoBuilds(t, log); len(builds) != 0 {
		t.Errorf("cargo built %q for refused command lines", builds)
	}
	// A member whose binary is named as another's: their documents would
	// share a file of --sbom-dir.
	twin := togetherWorkspace(t)
	writeCrate(t, twin, map[string]string{
		"Cargo.toml":       "[workspace]\nmembers = [\"api\", \"worker\", \"tool\", \"shared\", \"extra\", \"twin\"]\nresolver = \"2\"\n",
		"twin/Cargo.toml":  "[package]\nname = \"twin\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"worker\"\npath = \"src/main.rs\"\n",
		"twin/src/main.rs": "fn main() {}\n",
	})
	assertCleanFailure(t, krust(t, twin, env, append(glibcScratch, "-p", "worker", "-p", "twin", "--sbom-dir", t.TempDir())...),
		"--sbom-dir: worker and twin both run a binary named worker")
	if builds := cargoBuilds(t, log); len(builds) != 0 {
		t.Errorf("cargo built %q for refused command lines", builds)
	}
	res := krust(t, ws, env, append(glibcScratch, "--workspace", "--exclude", "tool")...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	want := "oci:" + filepath.Join(ws, "target", "krust", "api", "api") + ":latest\n" +
		"oci:" + filepath.Join(ws, "target", "krust", "worker", "worker") + ":latest\n"
	if res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
}

// A workspace build pushed to a real registry: one line per image, each
// pulled and run by the Docker Engine; api's image holds both its
// binaries, runs the one entrypoint names, and the other with
// --entrypoint.
func TestWorkspacePushedAndRun(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "docker")
	ws := togetherWorkspace(t)
	mustDo(t, os.WriteFile(filepath.Join(ws, "api", "Cargo.toml"), []byte(
		"[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n"+
			"[dependencies]\nshared = { path = \"../shared\", features = [\"extra\"] }\n\n"+
			"[package.metadata.krust]\nbins = [\"api\", \"api-admin\"]\nentrypoint = \"api-admin\"\n"), 0o644))
	reg := testregistry.Start(t, testregistry.Options{})
	repo := reg.Host + "/ws-" + randomHex(t)
	res := krust(t, ws, nil, "build", "--libc", "glibc", "--base", "scratch", "--insecure-registry", reg.Host, "--repo", repo, "--workspace", "-j", "2")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	pkgs := []string{"api", "worker", "tool"}
	if len(lines) != len(pkgs) {
		t.Fatalf("stdout %q, want a line per package", res.stdout)
	}
	says := map[string]string{"api": "api-admin says extra", "worker": "worker says extra", "tool": "tool says hi"}
	for i, pkg := range pkgs {
		if !strings.HasPrefix(lines[i], repo+"/"+pkg+"@sha256:") {
			t.Errorf("line %d: %q, want %s/%s@sha256:...", i+1, lines[i], repo, pkg)
		}
		t.Cleanup(func() { run(t, "", nil, "docker", "rmi", "--force", lines[i]) })
		if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", lines[i]); !strings.Contains(out, says[pkg]) {
			t.Errorf("docker run %s printed %q, want %q", lines[i], out, says[pkg])
		}
	}
	if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", "--entrypoint", "/app/api", lines[0]); !strings.Contains(out, "api says extra") {
		t.Errorf("docker run --entrypoint /app/api printed %q", out)
	}
}

// Several packages loaded into the Docker Engine by one build: stdout has
// one image ID per package in the order named, each image is tagged
// krust.local/PACKAGE:TAG in the engine and runs its own binary, and each
// ID is the config of the layout the package's image was written to.
func TestPackagesLoadedTogether(t *testing.T) {
	requireTool(t, "docker")
	ws := togetherWorkspace(t)
	tag := "e2e-" + randomHex(t)
	pkgs := []struct{ name, says string }{{"tool", "tool says hi"}, {"worker", "worker says extra"}, {"api", "api says extra"}}
	for _, p := range pkgs {
		removeImage(t, "krust.local/"+p.name+":"+tag)
	}
	res := krust(t, ws, nil, append(glibcScratch, "-p", "tool", "-p", "worker", "-p", "api", "--load", "--tag", tag, "-j", "3")...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	ids := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(ids) != len(pkgs) {
		t.Fatalf("stdout %q, want one image ID per package", res.stdout)
	}
	for i, p := range pkgs {
		name := "krust.local/" + p.name + ":" + tag
		want := layoutConfig(t, filepath.Join(ws, "target", "krust", p.name, p.name), tag)
		if ids[i] != want {
			t.Errorf("line %d: %q, want %s's image %s", i+1, ids[i], p.name, want)
		}
		if got := strings.TrimSpace(mustRun(t, "", "docker", "image", "inspect", "--format", "{{.Id}}", name)); got != want {
			t.Errorf("%s is image %s, want %s", name, got, want)
		}
		if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", name); !strings.Contains(out, p.says) {
			t.Errorf("docker run %s printed %q, want %q", name, out, p.says)
		}
	}
}

// Packages whose cargo settings name different builders are refused
// before cargo runs: one command builds its packages with one builder,
// so the first's would build the others' too.
func TestPackagesWithDifferentBuildersRefused(t *testing.T) {
	env, log := countingCargo(t)
	ws := togetherWorkspace(t)
	real, err := exec.LookPath("cargo")
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "my-cargo")
	mustDo(t, os.WriteFile(wrapper, []byte("#!/bin/sh\nexec '"+real+"' \"$@\"\n"), 0o755))
	writeFile(t, filepath.Join(ws, "worker", "Cargo.toml"), "[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"+
		"[dependencies]\nshared = { path = \"../shared\" }\n\n[package.metadata.krust]\ncargo = \""+wrapper+"\"\n")
	assertCleanFailure(t, krust(t, ws, env, append(glibcScratch, "-p", "api", "-p", "worker")...),
		"packages api and worker name different builders (cargo and \""+wrapper+"\"", "separate commands")
	if builds := cargoBuilds(t, log); len(builds) != 0 {
		t.Errorf("cargo built %q for a refused command line", builds)
	}
	if res := krust(t, ws, env, append(glibcScratch, "-p", "worker")...); res.code != 0 {
		t.Errorf("worker alone, with its builder: exit %d\n%s", res.code, res.stderr)
	}
}
