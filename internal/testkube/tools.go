package testkube

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/testtools"
)

// The versions hack/test-tools.sh builds; a test keeps the two in step.
const (
	EtcdVersion = "v3.6.16"
	KubeVersion = "v1.36.3"
)

// ErrToolsMissing reports that etcd or kube-apiserver has not been built.
var ErrToolsMissing = errors.New("the Kubernetes test binaries are not built: run `make test-tools` " +
	"(builds etcd, kube-apiserver and cosign v3 and v2 once per machine, about 22 minutes cold)")

// ErrKubectlMissing reports that kubectl is not on PATH.
var ErrKubectlMissing = errors.New("kubectl is not on PATH and KUBECTL is not set: .ci/run says how to install it")

// tools are the paths of the binaries a server needs.
type tools struct {
	etcd, apiserver, kubectl string
}

// findTools locates etcd and kube-apiserver in the tools directory and
// kubectl in KUBECTL or on PATH.
func findTools() (tools, error) {
	dir, err := testtools.Dir()
	if err != nil {
		return tools{}, err
	}
	t := tools{
		etcd:      filepath.Join(dir, "etcd-"+EtcdVersion, "etcd"),
		apiserver: filepath.Join(dir, "kube-apiserver-"+KubeVersion, "kube-apiserver"),
	}
	for _, bin := range []string{t.etcd, t.apiserver} {
		if info, err := os.Stat(bin); err != nil || info.Mode()&0o111 == 0 {
			return tools{}, fmt.Errorf("%w: %s is missing (%s=%s)", ErrToolsMissing, bin, testtools.Env, dir)
		}
	}
	t.kubectl, err = findKubectl()
	return t, err
}

// findKubectl returns KUBECTL, or kubectl's path on PATH.
func findKubectl() (string, error) {
	if k := os.Getenv("KUBECTL"); k != "" {
		return k, nil
	}
	path, err := exec.LookPath("kubectl")
	if err != nil {
		return "", ErrKubectlMissing
	}
	return path, nil
}
