package imageref

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// FuzzComponent checks that every name Component accepts is a lower-case,
// valid repository path component and that Component is idempotent.
func FuzzComponent(f *testing.F) {
	for _, s := range []string{
		"hello", "hello_krust", "Hello-Krust", "my..pkg", "a___b", "a._b", "--My__Cool..App!!--",
		"café", "naïve-app", "日本語", "", "-_.", "a\u212Ab", "İstanbul", strings.Repeat("a", 255), strings.Repeat("Ab", 150),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pkg string) {
		got, err := Component(pkg)
		if err != nil {
			if got != "" {
				t.Fatalf("Component(%q) returned %q with error %v", pkg, got, err)
			}
			if !errors.Is(err, ErrNoRepositoryName) || !strings.Contains(err.Error(), "whole image name") {
				t.Fatalf("Component(%q) error %q does not point to a whole image name", pkg, err)
			}
			return
		}
		if got == "" {
			t.Fatalf("Component(%q) returned an empty name without an error", pkg)
		}
		if strings.ToLower(got) != got {
			t.Fatalf("Component(%q) = %q is not lower case", pkg, got)
		}
		if _, perr := reference.ParseNormalizedNamed("example.com/" + got); perr != nil {
			// Component does not bound the length: the grammar limits the
			// whole repository path to 255 characters, and Name reports a
			// longer one. Anything else is a bug.
			if len(got) <= reference.RepositoryNameTotalLengthMax || !errors.Is(perr, reference.ErrNameTooLong) {
				t.Fatalf("Component(%q) = %q is not a valid path component: %v", pkg, got, perr)
			}
		}
		again, err := Component(got)
		if err != nil || again != got {
			t.Fatalf("Component is not idempotent: Component(%q) = %q, Component(%q) = %q, %v", pkg, got, got, again, err)
		}
	})
}

// FuzzName checks that Name never panics and that every name it returns is
// normalised, re-parses to itself, and carries no tag or digest.
func FuzzName(f *testing.F) {
	digestHex := strings.Repeat("ab", 32)
	seeds := [][3]string{
		{"localhost:5000/team/app", "", "ignored"},
		{"user/app", "", ""},
		{"app", "", ""},
		{"", "registry.example.com:5000/team", "hello_krust"},
		{"", "registry.example.com/team/", "Hello-Krust"},
		{"", "user", "hello"},
		{"", "localhost:5000", "my..pkg"},
		{"", "index.docker.io", "hello"},
		{"x:tag", "", ""},
		{"x@sha256:" + digestHex, "", ""},
		{"UPPER/App", "", ""},
		{"", "registry.example.com/team:1", "hello"},
		{"", "registry.example.com/team", "___"},
		{"", "", "hello"},
		{digestHex, "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, image, repo, pkg string) {
		named, err := Name(image, repo, pkg)
		if err != nil {
			if named != nil {
				t.Fatalf("Name(%q, %q, %q) returned %v with error %v", image, repo, pkg, named, err)
			}
			return
		}
		if named == nil {
			if image != "" || repo != "" {
				t.Fatalf("Name(%q, %q, %q) = nil, nil with image or repo set", image, repo, pkg)
			}
			return
		}
		if image == "" && repo == "" {
			t.Fatalf("Name(%q, %q, %q) = %v with neither image nor repo", image, repo, pkg, named)
		}
		s := named.String()
		again, err := reference.ParseNormalizedNamed(s)
		if err != nil {
			t.Fatalf("Name(%q, %q, %q) = %q does not parse again: %v", image, repo, pkg, s, err)
		}
		if again.String() != s {
			t.Fatalf("Name(%q, %q, %q) = %q re-parses to %q", image, repo, pkg, s, again)
		}
		for _, ref := range []reference.Named{named, again} {
			if _, ok := ref.(reference.Tagged); ok {
				t.Fatalf("Name(%q, %q, %q) = %q carries a tag", image, repo, pkg, ref)
			}
			if _, ok := ref.(reference.Digested); ok {
				t.Fatalf("Name(%q, %q, %q) = %q carries a digest", image, repo, pkg, ref)
			}
		}
	})
}

var tagGrammar = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// FuzzValidTag checks ValidTag against the tag grammar as a regexp.
func FuzzValidTag(f *testing.F) {
	for _, s := range []string{
		"latest", "v1.2.3", "1.0-rc.1", "_build", ".hidden", "-rc", "a:b", "1.0+build", "café", "",
		strings.Repeat("a", 128), strings.Repeat("a", 129), "a\n", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		err := ValidTag(tag)
		if want := tagGrammar.MatchString(tag); (err == nil) != want {
			t.Fatalf("ValidTag(%q) = %v, grammar match = %v", tag, err, want)
		}
		if err != nil && (!errors.Is(err, ErrInvalidTag) || !strings.Contains(err.Error(), strconv.Quote(tag))) {
			t.Fatalf("ValidTag(%q) error %q does not wrap ErrInvalidTag and name the tag", tag, err)
		}
	})
}
