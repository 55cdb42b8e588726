package imageref

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

func TestName(t *testing.T) {
	tests := []struct {
		name             string
		image, repo, pkg string
		want             string
	}{
		{"image with registry and port", "localhost:5000/team/app", "", "ignored", "localhost:5000/team/app"},
		{"image on Docker Hub", "user/app", "", "ignored", "docker.io/user/app"},
		{"official image", "app", "", "ignored", "docker.io/library/app"},
		{"image wins over repo", "registry.example.com/x", "other.example.com/team", "pkg", "registry.example.com/x"},
		{"repo with registry", "", "registry.example.com:5000/team", "hello_krust", "registry.example.com:5000/team/hello_krust"},
		{"repo trailing slash", "", "registry.example.com/team/", "hello_krust", "registry.example.com/team/hello_krust"},
		{"repo user on Docker Hub", "", "user", "hello", "docker.io/user/hello"},
		{"repo registry only", "", "localhost:5000", "hello", "localhost:5000/hello"},
		{"package upper case", "", "ghcr.io/org", "Hello-Krust", "ghcr.io/org/hello-krust"},
		{"package double dot", "", "ghcr.io/org", "my..pkg", "ghcr.io/org/my-pkg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			named, err := Name(tc.image, tc.repo, tc.pkg)
			if err != nil {
				t.Fatalf("Name(%q, %q, %q): %v", tc.image, tc.repo, tc.pkg, err)
			}
			if named == nil {
				t.Fatalf("Name(%q, %q, %q) = nil", tc.image, tc.repo, tc.pkg)
			}
			if got := named.String(); got != tc.want {
				t.Errorf("Name(%q, %q, %q) = %q, want %q", tc.image, tc.repo, tc.pkg, got, tc.want)
			}
			if _, ok := named.(reference.Tagged); ok {
				t.Errorf("%q carries a tag", named)
			}
			if _, ok := named.(reference.Digested); ok {
				t.Errorf("%q carries a digest", named)
			}
		})
	}
}

func TestNameNeither(t *testing.T) {
	tests := []struct {
		name string
		pkg  string
	}{
		{"valid package", "hello"},
		{"unusable package", "!!!"},
		{"empty package", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			named, err := Name("", "", tc.pkg)
			if err != nil || named != nil {
				t.Fatalf("Name(\"\", \"\", %q) = %v, %v; want nil, nil", tc.pkg, named, err)
			}
		})
	}
}

func TestNameInvalid(t *testing.T) {
	digestHex := strings.Repeat("ab", 32)
	tests := []struct {
		name             string
		image, repo, pkg string
		// setting is the setting the error blames, image or repo; whole
		// says the fix is a whole image name.
		setting   string
		whole     bool
		wantInErr []string
		// wantIs is the reference grammar's sentinel the error wraps; nil
		// where the grammar has none (upper case) or the name parsed and
		// krust refused it (a tag or digest given, nothing usable left).
		wantIs error
	}{
		{"upper case image", "UPPER/App", "", "", "image", false, []string{`invalid image name "UPPER/App"`, "lowercase"}, nil},
		{"space in image", "a b", "", "", "image", false, []string{`image name "a b"`}, reference.ErrReferenceInvalidFormat},
		{"tagged image", "x:tag", "", "", "image", false, []string{`"x:tag"`, "tags are a setting"}, ErrHasTag},
		{"tagged image with registry", "localhost:5000/x:1.0", "", "", "image", false, nil, ErrHasTag},
		{"digest image", "x@sha256:" + digestHex, "", "", "image", false, nil, ErrHasDigest},
		{"tag and digest image", "x:tag@sha256:" + digestHex, "", "", "image", false, []string{"digest"}, nil},
		{"empty path component", "registry.example.com//app", "", "", "image", false, []string{"registry.example.com//app"}, reference.ErrReferenceInvalidFormat},
		{"invalid repo", "", "Team Repo", "hello", "repo", false, []string{`invalid repository "Team Repo"`, `"Team Repo/hello"`}, reference.ErrReferenceInvalidFormat},
		{"tagged repo", "", "registry.example.com/team:1", "hello", "repo", false, []string{`repository "registry.example.com/team:1"`}, reference.ErrReferenceInvalidFormat},
		{"unusable package", "", "registry.example.com/team", "___", "repo", true, []string{`"___"`, "whole image name"}, ErrNoRepositoryName},
		{"too long", "", "registry.example.com/team", strings.Repeat("a", 300), "repo", true, []string{"package name", "255", "whole image name"}, reference.ErrNameTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			named, err := Name(tc.image, tc.repo, tc.pkg)
			if err == nil {
				t.Fatalf("Name(%q, %q, %q) = %v, want an error", tc.image, tc.repo, tc.pkg, named)
			}
			if named != nil {
				t.Errorf("Name returned %v with its error", named)
			}
			var nameErr *NameError
			if !errors.As(err, &nameErr) || nameErr.Setting != tc.setting || nameErr.Value != tc.image+tc.repo || nameErr.WholeName != tc.whole {
				t.Errorf("error %#v is not a *NameError for the %s setting's value", err, tc.setting)
			}
			for _, s := range tc.wantInErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			// A library names settings; only the command knows flags.
			if strings.Contains(err.Error(), "--") {
				t.Errorf("error %q names a flag", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %q does not wrap %q", err, tc.wantIs)
			}
		})
	}
}

// A registry host in any case names the same registry: the name carries
// it in lower case, so that every comparison of hosts (loopback,
// krust.local, credentials, certs.d, insecure registries) sees one form.
// The path keeps the grammar's rule (lower case only).
func TestNameLowersTheHost(t *testing.T) {
	tests := []struct {
		name             string
		image, repo, pkg string
		want             string
	}{
		{"LOCALHOST image", "LOCALHOST:5000/app", "", "", "localhost:5000/app"},
		{"KRUST.LOCAL repo", "", "KRUST.LOCAL", "app", "krust.local/app"},
		{"mixed-case registry repo", "", "Registry.Example.COM/team", "App", "registry.example.com/team/app"},
		{"Docker Hub in capitals", "DOCKER.IO/library/app", "", "", "docker.io/library/app"},
		{"Docker Hub official image in capitals", "DOCKER.IO/app", "", "", "docker.io/library/app"},
		{"lower case kept", "", "127.0.0.1:5000/team", "app", "127.0.0.1:5000/team/app"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			named, err := Name(tc.image, tc.repo, tc.pkg)
			if err != nil {
				t.Fatal(err)
			}
			if named.String() != tc.want {
				t.Errorf("Name(%q, %q, %q) = %s, want %s", tc.image, tc.repo, tc.pkg, named, tc.want)
			}
		})
	}
}

func TestComponent(t *testing.T) {
	tests := []struct {
		name string
		pkg  string
		want string
	}{
		{"plain", "hello", "hello"},
		{"underscore", "hello_krust", "hello_krust"},
		{"double underscore", "a__b", "a__b"},
		{"triple underscore", "a___b", "a-b"},
		{"dash", "hello-krust", "hello-krust"},
		{"upper case", "Hello-Krust", "hello-krust"},
		{"all upper", "HELLO", "hello"},
		{"single dot", "my.pkg", "my.pkg"},
		{"double dot", "my..pkg", "my-pkg"},
		{"dot underscore", "a._b", "a-b"},
		{"underscore dash", "a_-b", "a-b"},
		{"dash run", "a--b", "a-b"},
		{"space", "hello krust", "hello-krust"},
		{"symbol run", "a!@#b", "a-b"},
		{"symbol next to separator", "a_!b", "a-b"},
		{"leading separators", "__hello", "hello"},
		{"trailing separators", "hello-_.", "hello"},
		{"leading symbols", "!!hello", "hello"},
		{"digits", "123", "123"},
		{"non-ASCII", "café", "caf"},
		{"non-ASCII inside", "naïve-app", "na-ve-app"},
		{"mixed", "--My__Cool..App!!--", "my__cool-app"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Component(tc.pkg)
			if err != nil {
				t.Fatalf("Component(%q): %v", tc.pkg, err)
			}
			if got != tc.want {
				t.Errorf("Component(%q) = %q, want %q", tc.pkg, got, tc.want)
			}
			if _, err := reference.ParseNormalizedNamed("example.com/" + got); err != nil {
				t.Errorf("Component(%q) = %q is not a valid path component: %v", tc.pkg, got, err)
			}
		})
	}
}

func TestComponentInvalid(t *testing.T) {
	tests := []struct {
		name string
		pkg  string
	}{
		{"empty", ""},
		{"symbols only", "!@#$%"},
		{"separators only", "-_."},
		{"non-ASCII only", "日本語"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Component(tc.pkg)
			if err == nil {
				t.Fatalf("Component(%q) = %q, want an error", tc.pkg, got)
			}
			if got != "" {
				t.Errorf("Component(%q) returned %q with its error", tc.pkg, got)
			}
			if !errors.Is(err, ErrNoRepositoryName) || !strings.Contains(err.Error(), "whole image name") || strings.Contains(err.Error(), "--") {
				t.Errorf("error %q does not point to a whole image name, in settings' words", err)
			}
		})
	}
}

// Every name Component accepts must be a valid path component, whatever
// mix of separators and other characters it is given.
func TestComponentAlwaysValid(t *testing.T) {
	alphabet := []string{"a", "B", "0", "-", "_", ".", " ", "é", "/", ":"}
	tests := []struct {
		name   string
		length int
	}{
		{"length 1", 1},
		{"length 2", 2},
		{"length 3", 3},
		{"length 4", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idx := make([]int, tc.length)
			for {
				var b strings.Builder
				for _, i := range idx {
					b.WriteString(alphabet[i])
				}
				pkg := b.String()
				if got, err := Component(pkg); err == nil {
					if _, err := reference.ParseNormalizedNamed("example.com/" + got); err != nil {
						t.Errorf("Component(%q) = %q is not a valid path component: %v", pkg, got, err)
					}
				} else if strings.ContainsAny(strings.ToLower(pkg), "ab0") {
					t.Errorf("Component(%q) refused a name with letters or digits: %v", pkg, err)
				}
				// Next combination.
				k := len(idx) - 1
				for k >= 0 && idx[k] == len(alphabet)-1 {
					idx[k] = 0
					k--
				}
				if k < 0 {
					break
				}
				idx[k]++
			}
		})
	}
}

func TestValidTag(t *testing.T) {
	anchoredTag := regexp.MustCompile(`^` + reference.TagRegexp.String() + `$`)
	tests := []struct {
		name  string
		tag   string
		valid bool
	}{
		{"latest", "latest", true},
		{"version", "v1.2.3", true},
		{"dashes", "1.0-rc.1", true},
		{"underscore first", "_build", true},
		{"upper case", "Release_2024", true},
		{"single char", "a", true},
		{"digit first", "0", true},
		{"128 chars", strings.Repeat("a", 128), true},
		{"129 chars", strings.Repeat("a", 129), false},
		{"empty", "", false},
		{"leading dot", ".hidden", false},
		{"leading dash", "-rc", false},
		{"colon", "a:b", false},
		{"slash", "a/b", false},
		{"plus", "1.0+build", false},
		{"space", "a b", false},
		{"at", "a@b", false},
		{"non-ASCII", "café", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidTag(tc.tag)
			if (err == nil) != tc.valid {
				t.Fatalf("ValidTag(%q) = %v, want valid = %v", tc.tag, err, tc.valid)
			}
			if err != nil && (!errors.Is(err, ErrInvalidTag) || !strings.Contains(err.Error(), strconv.Quote(tc.tag))) {
				t.Errorf("error %q does not wrap ErrInvalidTag and name the tag", err)
			}
			if anchoredTag.MatchString(tc.tag) != tc.valid {
				t.Errorf("test case disagrees with the reference tag grammar for %q", tc.tag)
			}
		})
	}
}

// TestNameRefusesCredentials: a name holding user information is refused
// with an error that names it without them, whatever the password holds.
func TestNameRefusesCredentials(t *testing.T) {
	tests := []struct{ image, repo, want string }{
		{"", "user:SECRET@ghcr.io/me", `"ghcr.io/me/app"`},
		{"", "user:p/SECRET@ghcr.io/me", `"ghcr.io/me/app"`},
		{"", "https://u:p=s;SECRET@ghcr.io/me", `"https://ghcr.io/me/app"`},
		{"SECRET@127.0.0.1:5000/app", "", `"127.0.0.1:5000/app"`},
	}
	for _, tt := range tests {
		_, err := Name(tt.image, tt.repo, "app")
		if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "docker login") {
			t.Errorf("Name(%q, %q) error = %v, want one naming %s without the credentials", tt.image, tt.repo, err, tt.want)
		}
	}
}
