package testkube

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The Go side and the script must agree, or the tests look for binaries
// that `make kube-tools` never builds.
func TestVersionsMatchTheBuildScript(t *testing.T) {
	script, err := os.ReadFile("../../hack/kube-tools.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ variable, want string }{
		{"ETCD_VERSION", EtcdVersion},
		{"KUBE_VERSION", KubeVersion},
	} {
		m := regexp.MustCompile(`(?m)^` + c.variable + `=\$\{` + c.variable + `:-(v[0-9.]+)\}$`).FindSubmatch(script)
		if m == nil || string(m[1]) != c.want {
			t.Errorf("hack/kube-tools.sh's %s default is %q, want %s", c.variable, m, c.want)
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
			t.Setenv(ToolsEnv, c.tools)
			t.Setenv("XDG_CACHE_HOME", c.xdg)
			t.Setenv("HOME", c.home)
			got, err := toolsDir()
			if err != nil || got != c.want {
				t.Errorf("toolsDir() = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestFindToolsRefusesAnUnbuiltCache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(ToolsEnv, dir)
	etcd := filepath.Join(dir, "etcd-"+EtcdVersion, "etcd")
	if err := os.MkdirAll(filepath.Dir(etcd), 0o755); err != nil {
		t.Fatal(err)
	}
	// A leftover of an interrupted build is not a binary.
	if err := os.WriteFile(etcd+".partial.abc123", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o755} {
		if err := os.WriteFile(etcd, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(etcd, mode); err != nil {
			t.Fatal(err)
		}
		_, err := findTools()
		if !errors.Is(err, ErrToolsMissing) {
			t.Errorf("etcd mode %v, no kube-apiserver: findTools() = %v, want ErrToolsMissing", mode, err)
		}
	}
}

func TestFindKubectl(t *testing.T) {
	t.Setenv("KUBECTL", "/opt/kubectl")
	if got, err := findKubectl(); got != "/opt/kubectl" || err != nil {
		t.Errorf("with KUBECTL: %q, %v", got, err)
	}
	t.Setenv("KUBECTL", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := findKubectl(); !errors.Is(err, ErrKubectlMissing) {
		t.Errorf("no kubectl anywhere: %v, want ErrKubectlMissing", err)
	}
}
