package testkube

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kubectlTimeout bounds one Kubectl call.
const kubectlTimeout = 2 * time.Minute

// Result is what a kubectl run printed and its exit status.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int
}

// Env returns the test process's environment with KUBECONFIG naming the
// server's kubeconfig and kubectl's discovery cache in the server's
// directory, for kubectl or any command that runs it.
func (s *Server) Env() []string {
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") && !strings.HasPrefix(kv, "KUBECACHEDIR=") {
			env = append(env, kv)
		}
	}
	return append(env, "KUBECONFIG="+s.Kubeconfig, "KUBECACHEDIR="+filepath.Join(s.Dir, "kubectl-cache"))
}

// KubectlPath returns the path of the kubectl the server is used with.
func (s *Server) KubectlPath() string { return s.tools.kubectl }

// Command returns kubectl with args, talking to the server.
func (s *Server) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.tools.kubectl, args...)
	cmd.Env = s.Env()
	return cmd
}

// Kubectl runs kubectl with args against the server. A non-zero exit is
// returned in Result.Code; t fails only when kubectl cannot run or does not
// finish within two minutes.
func (s *Server) Kubectl(t testing.TB, args ...string) Result {
	t.Helper()
	return s.KubectlIn(t, "", args...)
}

// KubectlIn is Kubectl with stdin as kubectl's standard input (for -f -).
func (s *Server) KubectlIn(t testing.TB, stdin string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), kubectlTimeout)
	defer cancel()
	cmd := s.Command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("kubectl %s: %v; stderr:\n%s", strings.Join(args, " "), ctx.Err(), r.Stderr)
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// OK returns the standard output of a kubectl run that exited 0, and fails
// t, quoting stderr, for any other.
func (r Result) OK(t testing.TB) string {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("kubectl %s: exit %d; stderr:\n%s", strings.Join(r.Args, " "), r.Code, r.Stderr)
	}
	return r.Stdout
}
