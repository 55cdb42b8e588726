package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/problems"
)

// Every malformed flag of one command line is reported in one error, with
// the problems of the values, each naming its flag.
func TestFlagProblemsReportedTogether(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"the issue's example", []string{"--tag", "", "--port", "0", "--workdir", "rel"},
			[]string{`tags "" (--tag)`, `ports "0" (--port)`, `workdir "rel" (--workdir)`}},
		{"malformed KEY=VALUE flags and values", []string{"--env", "A", "--env", "=1", "--label", "x", "--annotation", "=y", "--tag", "-v1", "--libc", "uclibc"},
			[]string{`invalid --env "A"`, `invalid --env "=1"`, `invalid --label "x"`, `invalid --annotation "=y"`, `tags "-v1" (--tag)`, `libc "uclibc" (--libc)`}},
		{"image, platform and cargo arguments", []string{"--image", "r.example/app:v1", "--platform", "linux", "--", "--target", "x86_64-unknown-linux-gnu"},
			[]string{`image "r.example/app:v1" (--image)`, "platforms (--platform)", `"--target" (the cargo arguments after --): krust chooses cargo's --target from the platforms setting and libc: set --platform`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, nil, nil, tt.args)
			var list problems.List
			if !errors.As(err, &list) || len(list) != len(tt.want) {
				t.Fatalf("error %v, want %d problems", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problem %d: error lacks %q:\n%v", i+1, w, err)
				}
			}
		})
	}
}

// The environment's values are blamed on their variables, not on flags.
func TestEnvironmentProblemsNameTheirVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"KRUST_REPO", map[string]string{"KRUST_REPO": "Bad Repo"}, `repo "Bad Repo" (KRUST_REPO)`},
		{"KRUST_IMAGE", map[string]string{"KRUST_IMAGE": "app:v1"}, `image "app:v1" (KRUST_IMAGE)`},
		{"SOURCE_DATE_EPOCH", map[string]string{"SOURCE_DATE_EPOCH": "now"}, `SOURCE_DATE_EPOCH="now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.env, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "(--") {
				t.Errorf("error %v, want one with %q and no flag", err, tt.want)
			}
		})
	}
}

func TestTimeoutMustBePositive(t *testing.T) {
	tests := []struct {
		timeout time.Duration
		ok      bool
	}{
		{0, false},
		{-time.Second, false},
		{time.Nanosecond, true},
		{10 * time.Minute, true},
	}
	for _, tt := range tests {
		err := (&registryFlags{timeout: tt.timeout}).check()
		if (err == nil) != tt.ok || err != nil && !strings.Contains(err.Error(), "--timeout") {
			t.Errorf("--timeout %v: %v", tt.timeout, err)
		}
	}
}

// A path krust would print on stdout's one line, or in its messages, holds
// no control character.
func TestCheckPathChars(t *testing.T) {
	tests := []struct {
		path string
		want string // "" means accepted
	}{
		{"/home/me/my project/app", ""},
		{"/srv/ünïcødé/日本", ""},
		{"/srv/a:b/-x", ""},
		{"/tmp/a\nb", "a newline"},
		{"/tmp/a\rb", "a carriage return"},
		{"/tmp/a\tb", "a tab"},
		{"/tmp/\x1b[31mred", "an escape character"},
		{"/tmp/a\x00b", "U+0000"},
		{"/tmp/a\x7fb", "U+007F"},
		{"/tmp/a\u0085b", "U+0085"},
		{"/tmp/a\u2028b", "U+2028"},
	}
	for _, tt := range tests {
		err := checkPathChars("the project directory", tt.path, "rename or move it")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q refused: %v", tt.path, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "rename or move it")):
			t.Errorf("%q: error %v, want one naming %s and the fix", tt.path, err, tt.want)
		case err != nil && strings.ContainsAny(err.Error(), "\n\r\t\x1b"):
			t.Errorf("the error itself holds the character: %q", err)
		}
	}
}
