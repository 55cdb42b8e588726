package testkube

import (
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testtools"
)

func TestStartServesAndStopEnds(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	t.Logf("etcd and kube-apiserver ready in %v", s.ReadyIn)
	out := s.Kubectl(t, "version", "-o", "json").OK(t)
	if !strings.Contains(out, `"gitVersion": "`+KubeVersion+`"`) {
		t.Errorf("kubectl version does not show server %s:\n%s", KubeVersion, out)
	}
	if got := s.Kubectl(t, "get", "namespace", "default", "-o", "name").OK(t); got != "namespace/default\n" {
		t.Errorf("get namespace default = %q", got)
	}
	pids := []int{s.etcd.cmd.Process.Pid, s.apiserver.cmd.Process.Pid}
	host := strings.TrimPrefix(s.URL, "https://")
	s.Stop()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after Stop (kill 0: %v)", pid, err)
		}
	}
	if c, err := net.Dial("tcp", host); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Stop", host)
	}
	s.Stop() // a second Stop, as the cleanup does, is harmless
}

func TestKubeconfigNeedsItsToken(t *testing.T) {
	t.Parallel()
	s := kube.Server(t)
	data, err := os.ReadFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), s.Token) || !strings.Contains(string(data), s.CAFile) {
		t.Fatalf("kubeconfig lacks the token or the CA file:\n%s", data)
	}
	r := s.Kubectl(t, "get", "namespaces", "--token=not-the-token")
	if r.Code == 0 || !strings.Contains(r.Stderr, "Unauthorized") && !strings.Contains(r.Stderr, "provide credentials") {
		t.Errorf("a wrong token: exit %d, stderr %q; want a refusal", r.Code, r.Stderr)
	}
}

func TestStartFailsNamingMakeTestTools(t *testing.T) {
	t.Setenv(testtools.Env, t.TempDir())
	_, err := Launch(t.Context(), Options{Dir: t.TempDir()})
	if !errors.Is(err, ErrToolsMissing) || !strings.Contains(err.Error(), "make test-tools") {
		t.Fatalf("Launch without binaries: %v, want ErrToolsMissing naming make test-tools", err)
	}
}
