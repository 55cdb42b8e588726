package config_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
)

// flags are settings as the command line gives them, named by its flags.
func flags(s config.Settings) config.Settings {
	s.Keys = map[string]string{"image": "--image", "repo": "--repo", "base-image": "--base", "ports": "--port", "workdir": "--workdir", "tags": "--tag",
		"libc": "--libc", "platforms": "--platform", "profile": "--profile", "cargo-args": "the arguments after --"}
	return s
}

const pkgTable = "/p/Cargo.toml [package.metadata.krust]"

// environment returns a Getenv of vars.
func environment(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// Every problem of every source is reported in one error, each naming
// where its value is written, so that one run tells everything to fix.
func TestSettleReportsEveryProblemAtOnce(t *testing.T) {
	tests := []struct {
		name string
		src  config.Sources
		want []string // one per problem, each in its own
	}{
		{"the issue's command line", config.Sources{Flags: flags(config.Settings{Tags: []string{""}, Ports: []string{"0"}, Workdir: "rel"})},
			[]string{`tags "" (--tag)`, `ports "0" (--port)`, `workdir "rel" (--workdir)`}},
		{"every source", config.Sources{
			Flags:     flags(config.Settings{Tags: []string{"v1", "-x"}}),
			CargoArgs: []string{"--target", "x86_64-unknown-linux-gnu"},
			Getenv:    environment(map[string]string{"KRUST_REPO": "Bad Repo", "SOURCE_DATE_EPOCH": "soon"}),
			Package:   config.Settings{Source: pkgTable, Ports: []string{"0"}, Libc: "uclibc"},
			User: userSettings(t, &config.Config{ImageKeys: config.ImageKeys{Workdir: "rel", Platforms: []string{"linux/amd64", "linux/amd64"}},
				Build: config.Build{CargoArgs: []string{"--locked"}}}),
		}, []string{`tags "-x" (--tag)`, `repo "Bad Repo" (KRUST_REPO)`, `SOURCE_DATE_EPOCH="soon" (environment)`, `ports "0" (ports in ` + pkgTable + ")",
			`libc "uclibc" (libc in ` + pkgTable + ")", `workdir "rel" (workdir in /u/config.toml)`,
			`cargo-args "--target" (the arguments after --)`, "platforms (platforms in /u/config.toml): platform linux/amd64 is listed twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Settle(tt.src)
			var list problems.List
			if !errors.As(err, &list) || len(list) != len(tt.want) {
				t.Fatalf("Settle error %v, want %d problems", err, len(tt.want))
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(list, func(p error) bool { return strings.Contains(p.Error(), w) }) {
					t.Errorf("no problem says %q:\n%v", w, err)
				}
			}
			if !errors.Is(err, config.ErrInvalidSetting) {
				t.Errorf("error %v is not ErrInvalidSetting", err)
			}
		})
	}
}

// A value is blamed on the source it came from: KRUST_REPO, a file and
// its key, or a flag only when a flag gave it.
func TestSettleNamesTheSource(t *testing.T) {
	tests := []struct {
		name string
		src  config.Sources
		want []string
	}{
		{"--repo", config.Sources{Flags: flags(config.Settings{Repo: "Bad Repo"})}, []string{`invalid setting repo "Bad Repo" (--repo)`}},
		{"KRUST_REPO", config.Sources{Getenv: environment(map[string]string{"KRUST_REPO": "Bad Repo"})},
			[]string{`invalid setting repo "Bad Repo" (KRUST_REPO): the image name "Bad Repo/x" it gives is not valid`}},
		{"KRUST_REPO with an unusable package name", config.Sources{PackageName: "___", Getenv: environment(map[string]string{"KRUST_REPO": "r.example/team"})},
			[]string{`repo "r.example/team" (KRUST_REPO)`, `package name "___"`, "set a whole image name with image or KRUST_IMAGE"}},
		{"KRUST_REPO too long for the package", config.Sources{PackageName: strings.Repeat("a", 300), Flags: flags(config.Settings{}),
			Getenv: environment(map[string]string{"KRUST_REPO": "r.example/team"})},
			[]string{`(KRUST_REPO)`, "longer than 255", "set a whole image name with --image or KRUST_IMAGE"}},
		{"KRUST_IMAGE", config.Sources{Getenv: environment(map[string]string{"KRUST_IMAGE": "r.example/app:v1"})},
			[]string{`invalid setting image "r.example/app:v1" (KRUST_IMAGE): want a name without a tag`}},
		{"--image", config.Sources{Flags: flags(config.Settings{Name: "r.example/app@sha256:" + strings.Repeat("a", 64)})}, []string{`(--image): want a name without a digest`}},
		{"default_registry", config.Sources{User: userSettings(t, &config.Config{DefaultRegistry: "Team Registry"})},
			[]string{`repo "Team Registry" (default_registry in /u/config.toml)`}},
		{"libc in Cargo.toml", config.Sources{Flags: flags(config.Settings{}), Package: config.Settings{Source: pkgTable, Libc: "uclibc"}},
			[]string{`libc "uclibc" (libc in ` + pkgTable + "): want musl (the default) or glibc"}},
		{"platforms in the krust config", config.Sources{User: userSettings(t, &config.Config{ImageKeys: config.ImageKeys{Platforms: []string{"linux"}}})},
			[]string{"platforms (platforms in /u/config.toml)", `"linux"`}},
		{"profile in Cargo.toml", config.Sources{Flags: flags(config.Settings{}), Package: config.Settings{Source: pkgTable, Profile: "a b"}},
			[]string{"profile (profile in " + pkgTable + ")", `"a b"`}},
		{"tags in Cargo.toml", config.Sources{Flags: flags(config.Settings{}), Package: config.Settings{Source: pkgTable, Tags: []string{"ok", ".hidden"}}},
			[]string{`tags ".hidden" (tags in ` + pkgTable + ")", "not starting with . or -"}},
		{"cargo-args in the krust config", config.Sources{Flags: flags(config.Settings{}), User: userSettings(t, &config.Config{Build: config.Build{CargoArgs: []string{"--target=x"}}})},
			[]string{`(build.cargo_args in /u/config.toml)`, "set platforms (e.g. linux/arm64) and libc instead"}},
		{"--base", config.Sources{Flags: flags(config.Settings{BaseImage: "Bad Ref"})}, []string{`base-image "Bad Ref" (--base)`, "want scratch, oci:PATH[:TAG]"}},
		{"base-image in Cargo.toml", config.Sources{Flags: flags(config.Settings{}), Package: config.Settings{Source: pkgTable, BaseImage: "registry.example/Base:1"}},
			[]string{`base-image "registry.example/Base:1" (base-image in ` + pkgTable + ")", "must be lowercase"}},
		{"base_image in the krust config", config.Sources{User: userSettings(t, &config.Config{BaseImage: "a b"})}, []string{`base-image "a b" (base_image in /u/config.toml)`}},
		{"--profile against the arguments after --", config.Sources{Flags: flags(config.Settings{Profile: "dev"}), CargoArgs: []string{"--release"}},
			[]string{"--profile dev and the arguments after -- (profile release)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Settle(tt.src)
			if err == nil {
				t.Fatal("Settle accepted the value")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.HasPrefix(tt.name, "--") && strings.Contains(err.Error(), "(--") {
				t.Errorf("a value that no flag gave is blamed on a flag:\n%v", err)
			}
		})
	}
}

// A tag given twice names the image once, in the order first given;
// tags are case-sensitive.
func TestSettleTagsOnceEach(t *testing.T) {
	tests := []struct {
		name string
		src  config.Sources
		want []string
	}{
		{"--tag v1 --tag v1", config.Sources{Flags: config.Settings{Tags: []string{"v1", "v1"}}}, []string{"v1"}},
		{"repeats among others", config.Sources{Flags: config.Settings{Tags: []string{"b", "a", "b", "c", "a"}}}, []string{"b", "a", "c"}},
		{"twice in Cargo.toml", config.Sources{Package: config.Settings{Source: pkgTable, Tags: []string{"stable", "stable"}}}, []string{"stable"}},
		{"latest given and defaulted", config.Sources{Flags: config.Settings{Tags: []string{"latest", "latest"}}}, []string{"latest"}},
		{"case counts", config.Sources{Flags: config.Settings{Tags: []string{"V1", "v1"}}}, []string{"V1", "v1"}},
		{"none", config.Sources{}, []string{"latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := config.Settle(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Tags, tt.want) {
				t.Errorf("tags %q, want %q", r.Tags, tt.want)
			}
		})
	}
}
