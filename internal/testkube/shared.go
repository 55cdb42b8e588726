package testkube

import (
	"context"
	"sync"
	"testing"
)

// Shared is one server for all the tests of a package, started by the first
// test that asks for it, so that a package pays the start (a few seconds)
// once. Its TestMain calls Stop after m.Run:
//
//	var kube testkube.Shared
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		kube.Stop()
//		os.Exit(code)
//	}
//
// Tests sharing a server share its objects: each should use names or a
// namespace of its own.
type Shared struct {
	Options Options

	once sync.Once
	srv  *Server
	err  error
}

// Server returns the shared server, starting it on the first call; it fails
// t if the server could not start (every later call fails the same way).
func (sh *Shared) Server(t testing.TB) *Server {
	t.Helper()
	sh.once.Do(func() {
		// Not t's context: the server outlives the test that started it.
		sh.srv, sh.err = Launch(context.Background(), sh.Options)
	})
	if sh.err != nil {
		t.Fatalf("testkube: %v", sh.err)
	}
	return sh.srv
}

// Stop stops the server if one was started.
func (sh *Shared) Stop() {
	if sh.srv != nil {
		sh.srv.Stop()
	}
}
