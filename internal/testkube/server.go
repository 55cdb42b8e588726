package testkube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// DefaultReadyTimeout bounds how long Launch waits for etcd and then
// kube-apiserver. Both are ready in a few seconds on an idle machine; the
// bound is generous for one busy with builds.
const DefaultReadyTimeout = 2 * time.Minute

// portAttempts is how often Launch picks new ports when another process took
// one between choosing and binding it.
const portAttempts = 3

// errPortTaken reports that a server could not bind its port.
var errPortTaken = errors.New("port already in use")

// Options configures Launch and Start. The zero value is ready to use.
type Options struct {
	// Dir holds the servers' data, keys, certificates, logs and the
	// kubeconfig. Empty: a new temporary directory, removed by Stop.
	Dir string
	// ReadyTimeout bounds the wait for each server; 0 means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
}

// Server is a running etcd and kube-apiserver pair.
type Server struct {
	URL        string        // https://127.0.0.1:PORT
	Kubeconfig string        // a kubeconfig whose current context is this server
	Token      string        // a bearer token of a member of system:masters
	CAFile     string        // the certificate kube-apiserver generated, to trust
	Dir        string        // see Options.Dir; etcd.log and kube-apiserver.log are there
	ReadyIn    time.Duration // from starting etcd until /readyz answered 200

	tools     tools
	timeout   time.Duration
	ownDir    bool
	etcd      *process
	apiserver *process
}

// Start launches a server for test t, stopped by t's cleanup, and fails t
// (naming `make test-tools` when the binaries are missing) if it cannot.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := Launch(t.Context(), opts)
	if err != nil {
		t.Fatalf("testkube: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts etcd and kube-apiserver on free 127.0.0.1 ports and returns
// once kube-apiserver answers /readyz. ctx bounds the start only; the
// servers run until Stop.
func Launch(ctx context.Context, opts Options) (*Server, error) {
	tl, err := findTools()
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: opts.Dir, tools: tl, timeout: opts.ReadyTimeout}
	if s.timeout <= 0 {
		s.timeout = DefaultReadyTimeout
	}
	if s.Dir == "" {
		if s.Dir, err = os.MkdirTemp("", "testkube-"); err != nil {
			return nil, fmt.Errorf("create server directory: %w", err)
		}
		s.ownDir = true
	}
	if err := s.prepare(); err != nil {
		s.Stop()
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err = s.launch(ctx, attempt)
		if err == nil {
			return s, nil
		}
		s.stopProcesses()
		if !errors.Is(err, errPortTaken) || attempt == portAttempts {
			s.Stop()
			return nil, err
		}
	}
}

// Stop kills kube-apiserver and etcd and waits for them to exit, then
// removes the directory Launch created. It may be called again.
func (s *Server) Stop() {
	s.stopProcesses()
	if s.ownDir {
		_ = os.RemoveAll(s.Dir) // a temporary directory: nothing to report
	}
}

// stopProcesses stops the servers, kube-apiserver first.
func (s *Server) stopProcesses() {
	s.apiserver.stop()
	s.etcd.stop()
}

// prepare writes what does not depend on the ports: the service account
// key, the token file and the certificate directory.
func (s *Server) prepare() error {
	if err := mkdirs(s.Dir, "certs", "kubectl-cache"); err != nil {
		return err
	}
	s.CAFile = filepath.Join(s.Dir, "certs", "apiserver.crt")
	s.Kubeconfig = filepath.Join(s.Dir, "kubeconfig")
	if err := writeServiceAccountKey(filepath.Join(s.Dir, "sa.key")); err != nil {
		return err
	}
	token, err := writeTokenFile(filepath.Join(s.Dir, "tokens.csv"))
	s.Token = token
	return err
}

// launch starts etcd with a fresh data directory, then kube-apiserver, on
// new ports, and writes the kubeconfig once kube-apiserver is ready.
func (s *Server) launch(ctx context.Context, attempt int) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	start := time.Now()
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	dataDir := filepath.Join(s.Dir, "etcd-"+strconv.Itoa(attempt))
	s.etcd, err = startProcess(s.tools.etcd, etcdArgs(dataDir, etcdURL, ports[1]), s.Dir)
	if err != nil {
		return err
	}
	if err := s.wait(ctx, s.etcd, etcdHealthy(etcdURL)); err != nil {
		return err
	}
	s.URL = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	s.apiserver, err = startProcess(s.tools.apiserver, s.apiserverArgs(etcdURL, ports[2]), s.Dir)
	if err != nil {
		return err
	}
	if err := s.wait(ctx, s.apiserver, apiserverReady(s.URL, s.CAFile, s.Token)); err != nil {
		return err
	}
	s.ReadyIn = time.Since(start)
	return writeKubeconfig(s.Kubeconfig, s.URL, s.CAFile, s.Token)
}

// etcdArgs runs a one-member etcd serving clientURL, its peer port on
// 127.0.0.1 too, without fsync: the data is thrown away.
func etcdArgs(dataDir, clientURL string, peerPort int) []string {
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	return []string{
		"--data-dir=" + dataDir,
		"--listen-client-urls=" + clientURL, "--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=default=" + peerURL,
		"--unsafe-no-fsync",
	}
}

// apiserverArgs runs kube-apiserver on 127.0.0.1:port with its own
// self-signed certificate, the token file and the service account key.
func (s *Server) apiserverArgs(etcdURL string, port int) []string {
	key := filepath.Join(s.Dir, "sa.key")
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(s.Dir, "certs"),
		"--token-auth-file=" + filepath.Join(s.Dir, "tokens.csv"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + key, "--service-account-signing-key-file=" + key,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--endpoint-reconciler-type=none",
	}
}
