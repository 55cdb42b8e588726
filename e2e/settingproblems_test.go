package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// settingsCase is a build whose settings come from several sources.
type settingsCase struct {
	name string
	// cargo is added to the project's Cargo.toml, user is the krust config
	// (both "" for none), env and args are the environment and the build's
	// arguments.
	cargo, user string
	env, args   []string
	// want are in stderr; {project} and {config} stand for the paths of
	// Cargo.toml and of the krust config.
	want []string
	// problems is how many problems are reported together.
	problems int
}

// run builds the case's project with the real binary and returns the
// project's directory, the result and want with the paths filled in.
func (c settingsCase) run(t *testing.T) (string, result, []string) {
	t.Helper()
	project := copyExample(t, t.TempDir())
	manifest := filepath.Join(project, "Cargo.toml")
	if c.cargo != "" {
		data, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, manifest, string(data)+"\n"+c.cargo)
	}
	env := isolatedEnv(t)
	config := filepath.Join(strings.TrimPrefix(env[2], "XDG_CONFIG_HOME="), "krust", "config.toml")
	if c.user != "" {
		writeFile(t, config, c.user)
	}
	res := krust(t, project, append(env, c.env...), c.args...)
	want := make([]string, len(c.want))
	for i, w := range c.want {
		want[i] = strings.NewReplacer("{project}", manifest, "{config}", config).Replace(w)
	}
	return project, res, want
}

// assertProblems checks a run refused with n problems found together (one
// is not numbered), exit status 1, nothing on stdout, and nothing built.
func assertProblems(t *testing.T, project string, res result, n int, want ...string) {
	t.Helper()
	assertCleanFailure(t, res, want...)
	if res.code != 1 {
		t.Errorf("exit status %d, want 1", res.code)
	}
	got := 1
	if m := regexp.MustCompile(`(\d+) problems found before building`).FindStringSubmatch(res.stderr); m != nil {
		got = len(regexp.MustCompile(`(?m)^\d+\. `).FindAllString(res.stderr, -1))
		if m[1] != strconv.Itoa(got) {
			t.Errorf("the count says %s problems, %d are listed", m[1], got)
		}
	}
	if got != n {
		t.Errorf("%d problems reported, want %d together:\n%s", got, n, res.stderr)
	}
	assertCargoNeverRan(t, project, res)
}

// Every problem of the flags, the environment and the files' settings is
// reported in one run, each naming its source, before cargo builds.
func TestEverySettingProblemAtOnce(t *testing.T) {
	requireTool(t, "cargo")
	tests := []settingsCase{
		{name: "the issue's command line", args: append(glibcScratch, "--tag", "", "--port", "0", "--workdir", "rel"),
			want: []string{`tags "" (--tag)`, `ports "0" (--port)`, `workdir "rel" (--workdir)`}, problems: 3},
		{name: "every source", cargo: "[package.metadata.krust]\nports = [0]\ntags = [\"ok\", \"-x\"]\n", user: "workdir = \"rel\"\n",
			env:  []string{"KRUST_REPO=Bad Repo", "SOURCE_DATE_EPOCH=soon"},
			args: []string{"build", "--libc", "glibc", "--env", "A", "--timeout", "0", "--", "--target", "x86_64-unknown-linux-gnu"},
			want: []string{`ports "0" (ports in {project} [package.metadata.krust])`, `tags "-x" (tags in {project} [package.metadata.krust])`,
				`workdir "rel" (workdir in {config})`, `repo "Bad Repo" (KRUST_REPO)`, `SOURCE_DATE_EPOCH="soon"`, `invalid --env "A"`,
				"invalid --timeout 0s", `"--target" (the cargo arguments after --)`}, problems: 8},
		{name: "wrong TOML types in both files and a bad flag", cargo: "[package.metadata.krust]\ntags = \"v1\"\n", user: "\nports = \"8080\"\n",
			args: append(glibcScratch, "--port", "0"),
			want: []string{`{project}: line 12: package.metadata.krust.tags: want an array of strings, not a string ("v1"): write tags = ["v1"]`,
				`krust config {config}: line 2: ports: want an array of integers or strings, not a string ("8080")`, `ports "0" (--port)`}, problems: 3},
		{name: "nowhere to push and a bad port", args: []string{"build", "--libc", "glibc", "--base", "scratch", "--port", "0"},
			want: []string{`ports "0" (--port)`, "no registry to push to"}, problems: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project, res, want := tt.run(t)
			assertProblems(t, project, res, tt.problems, want...)
			for _, goWord := range []string{"interface {}", "[]string", "map[string]", "int64"} {
				if strings.Contains(res.stderr, goWord) {
					t.Errorf("stderr speaks Go (%s):\n%s", goWord, res.stderr)
				}
			}
		})
	}
}

// A value is blamed on where it came from: a variable, a file and its key;
// a flag only when a flag gave it.
func TestProblemsNameTheirSource(t *testing.T) {
	requireTool(t, "cargo")
	tests := []settingsCase{
		{name: "KRUST_REPO", env: []string{"KRUST_REPO=Bad Repo"}, args: glibcScratch,
			want: []string{`invalid setting repo "Bad Repo" (KRUST_REPO)`}},
		{name: "KRUST_IMAGE", env: []string{"KRUST_IMAGE=registry.example/app:v1"}, args: glibcScratch,
			want: []string{`invalid setting image "registry.example/app:v1" (KRUST_IMAGE): want a name without a tag`}},
		{name: "default_registry", user: "default_registry = \"Team Registry\"\n", args: glibcScratch,
			want: []string{`repo "Team Registry" (default_registry in {config})`}},
		{name: "libc in Cargo.toml", cargo: "[package.metadata.krust]\nlibc = \"uclibc\"\n", args: []string{"build", "--no-push", "--base", "scratch"},
			want: []string{`libc "uclibc" (libc in {project} [package.metadata.krust]): want musl (the default) or glibc`}},
		{name: "platforms in the krust config", user: "platforms = [\"linux\"]\n", args: glibcScratch,
			want: []string{"platforms (platforms in {config})", `invalid platform "linux"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project, res, want := tt.run(t)
			assertProblems(t, project, res, 1, want...)
			if strings.Contains(res.stderr, "(--") || strings.Contains(res.stderr, "invalid --") {
				t.Errorf("a value no flag gave is blamed on a flag:\n%s", res.stderr)
			}
		})
	}
}
