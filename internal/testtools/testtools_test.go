package testtools

import (
	"os"
	"regexp"
	"testing"
)

// The Go side and the script must agree, or the tests look for a cosign
// that `make test-tools` never builds.
func TestCosignVersionMatchesTheBuildScript(t *testing.T) {
	script, err := os.ReadFile("../../hack/test-tools.sh")
	if err != nil {
		t.Fatal(err)
	}
	for variable, want := range map[string]string{"COSIGN_VERSION": CosignVersion, "COSIGN_V2_VERSION": CosignV2Version} {
		m := regexp.MustCompile(`(?m)^` + variable + `=\$\{` + variable + `:-(v[0-9.]+)\}$`).FindSubmatch(script)
		if m == nil || string(m[1]) != want {
			t.Errorf("hack/test-tools.sh's %s default is %q, want %s", variable, m, want)
		}
	}
}

func TestToolsDir(t *testing.T) {
	cases := []struct {
		name, tools, xdg, home, want string
	}{
		{"variable wins", "/x/tools", "/xdg", "/home/u", "/x/tools"},
		{"XDG cache", "", "/xdg", "/home/u", "/xdg/docker-krust/tools"},
		{"home cache", "", "", "/home/u", "/home/u/.cache/docker-krust/tools"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(Env, c.tools)
			t.Setenv("XDG_CACHE_HOME", c.xdg)
			t.Setenv("HOME", c.home)
			got, err := Dir()
			if err != nil || got != c.want {
				t.Errorf("Dir() = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
