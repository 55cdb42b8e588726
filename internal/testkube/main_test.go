package testkube

import (
	"os"
	"testing"
)

// kube is the server the tests of this package share (see Shared).
var kube Shared

func TestMain(m *testing.M) {
	code := m.Run()
	kube.Stop()
	os.Exit(code)
}
