package testkube

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testtools"
)

// The Go side and the script must agree, or the tests look for binaries
// that `make test-tools` never builds.
func TestVersionsMatchTheBuildScript(t *testing.T) {
	script, err := os.ReadFile("../../hack/test-tools.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ variable, want string }{
		{"ETCD_VERSION", EtcdVersion},
		{"KUBE_VERSION", KubeVersion},
	} {
		m := regexp.MustCompile(`(?m)^` + c.variable + `=\$\{` + c.variable + `:-(v[0-9.]+)\}$`).FindSubmatch(script)
		if m == nil || string(m[1]) != c.want {
			t.Errorf("hack/test-tools.sh's %s default is %q, want %s", c.variable, m, c.want)
		}
	}
}

func TestFindToolsRefusesAnUnbuiltCache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(testtools.Env, dir)
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
