package scrub

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// hostilePasswords are passwords as users type them into a URL, without
// percent-encoding: each holds a character that ends or splits a URL or a
// word somewhere. Each holds "SECRET" so a leak is found by a search.
var hostilePasswords = []string{
	"SECRET", "p=SECRET", "p;SECRET", "p,SECRET", "p(SECRET)", `p"SECRET`, "p'SECRET",
	"p SECRET", "p/SECRET", "p//SECRET", "p%40SECRET", "p@SECRET", "p:SECRET", "p?SECRET",
	"p#SECRET", "p[SECRET]", "p{SECRET}", "p\tSECRET", "p\\SECRET", "SECRET/", "p&SECRET",
	"1234/SECRET", "p@host.example/SECRET",
}

// hostileURLs are URL shapes a password is put into: {} is user:password.
var hostileURLs = []string{
	"http://{}@proxy:3128", "https://{}@git.example.com/org/repo.git", "ssh://{}@git.example.com:2222/r",
	"git+https://{}@git.example.com/r", "sparse+https://{}@index.example.com/",
	"https://{}@[::1]:8443/x", "https://{}@host", "https://{}@host.example.com?x=1#f",
}

func TestURLDropsUserinfoWhateverItHolds(t *testing.T) {
	for _, shape := range hostileURLs {
		for _, pw := range hostilePasswords {
			for _, user := range []string{"alice:", "", "x-access-token:"} {
				in := strings.Replace(shape, "{}", user+pw, 1)
				for name, f := range map[string]func(string) string{"URL": URL, "Prose": Prose, "Value": Value} {
					if got := f(in); strings.Contains(got, "SECRET") || strings.Contains(got, "alice") {
						t.Errorf("%s(%q) = %q: the user information is left", name, in, got)
					}
				}
			}
		}
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/o/r", "https://github.com/o/r"},
		{"  https://github.com/o/r  ", "https://github.com/o/r"},
		{"https://x-access-token:ghs_abc@github.com/o/r.git", "https://github.com/o/r.git"},
		{"https://bob:p=ss;w/x@git.example.com/x", "https://git.example.com/x"},
		{"https://bob:1234/5678@host/x", "https://host/x"},
		{"https://ghp_ab/cd@github.com/o/r", "https://github.com/o/r"},
		{"http://user:p w@proxy:3128", "http://proxy:3128"},
		{"https://a:b@c/d@host.example/x", "https://host.example/x"},
		{"https://host.example/x?private_token=abc#frag", "https://host.example/x"},
		{"HTTPS://Host.example/x", "https://Host.example/x"},
		{"git@github.com:o/r.git", "ssh://github.com/o/r.git"},
		{"tok:en@git.example.com:/o/r", "ssh://git.example.com/o/r"},
		{"ssh://alice@git.corp:2222/o/r", "ssh://git.corp:2222/o/r"},
		{"file:///home/alice/src/r", "file://<local>/r"},
		// A path segment starting with "@", or an "@" in the path of a
		// plain host, is no user information.
		{"https://medium.com/@alice/post", "https://medium.com/@alice/post"},
		{"https://github.com/o/r@v1.2", "https://github.com/o/r@v1.2"},
		{"https://www.npmjs.com/package/@scope/name", "https://www.npmjs.com/package/@scope/name"},
		// Not an absolute URL: left out.
		{"/home/alice/src/r", ""},
		{"../r", ""},
		{"github.com/o/r", ""},
		{"https://", ""},
		{"https://host/%zz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"A greeting from https://alice:tok@example.com/x, and /usr/bin", "A greeting from https://example.com/x, and /usr/bin"},
		{"see https://example.com/docs then mail me@example.com", "see https://example.com/docs then mail me@example.com"},
		{"https://u:p w@host/x", "https://host/x"},
		{"two: http://a:b@h1/x http://c:d@h2/y", "two: http://h1/x http://h2/y"},
		{"no URL at all: a@b.c", "no URL at all: a@b.c"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Prose(tt.in); got != tt.want {
			t.Errorf("Prose(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUserinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"host", "host"},
		{"u@host", "host"},
		{"u:p@ss@host/x", "host/x"},
		{"u:p#x@host.example/y", "host.example/y"},
		{"u:p?x@host.example", "host.example"},
		{"[::1]:80/x", "[::1]:80/x"},
		{"u:p@[::1]:80/x", "[::1]:80/x"},
		{"host.example/a@b/c", "host.example/a@b/c"},
		{"u@host.example/a@b/c", "b/c"}, // credentials came before: any "@" may end them
		{"gitserver/@team/r", "team/r"}, // no plain host: "/@team" may end a password
		{"u@host.example/r#app@1.0.0", "host.example/r#app@1.0.0"},
		{"u:p@h/x@192.168.1.1:80/y", "192.168.1.1:80/y"},
		{"u:pw@", ""},
		{"u:p/@", "u:p/@"}, // no host after any "@": nothing to cut at
	}
	for _, tt := range tests {
		if got := Userinfo(tt.in); got != tt.want {
			t.Errorf("Userinfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestURLRandomPasswords puts random passwords drawn from the characters
// that split URLs and words into URLs: none may be left, in any form.
func TestURLRandomPasswords(t *testing.T) {
	const alphabet = "=;,()\"' /%@:?#[]{}&+$!*<>|\\\tab12"
	rng := rand.New(rand.NewPCG(17, 1))
	for range 20000 {
		pw := []byte("QX")
		for range 1 + rng.IntN(12) {
			pw = append(pw, alphabet[rng.IntN(len(alphabet))])
		}
		pw = append(pw, "XQ"...)
		shape := hostileURLs[rng.IntN(len(hostileURLs))]
		in := strings.Replace(shape, "{}", "alice:"+string(pw), 1)
		for name, f := range map[string]func(string) string{"URL": URL, "Prose": Prose, "Value": Value} {
			if got := f(in); strings.Contains(got, "QX") || strings.Contains(got, "XQ") || strings.Contains(got, "alice") {
				t.Fatalf("%s(%q) = %q: the user information is left", name, in, got)
			}
		}
	}
}
