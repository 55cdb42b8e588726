package dockerarchive

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoEngineDependency keeps the archive writer away from the engine
// and registries: only cmd/docker-krust wires it to the engine's load.
func TestNoEngineDependency(t *testing.T) {
	const self = "github.com/docker-krust/docker-krust/internal/dockerarchive"
	out, err := exec.Command("go", "list", "-deps", self).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", self, err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/docker/cli/", "github.com/moby/moby/", "github.com/docker-krust/docker-krust/remote", "oras.land/oras-go/v2/registry/remote"} {
			if dep == bad || strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad) {
				t.Errorf("dockerarchive depends on %s: engine and registry I/O belong to cmd/docker-krust", dep)
			}
		}
	}
}
