package builder

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoRegistryOrEngineDependency keeps the pipeline below the command:
// only cmd/docker-krust joins it to remote (registry I/O) and to docker/cli
// and the engine, so the pipeline is tested without either and the data
// flows one way (cmd -> {builder, remote} -> layout, oci, cargo).
func TestNoRegistryOrEngineDependency(t *testing.T) {
	const self = "github.com/docker-krust/docker-krust/builder"
	out, err := exec.Command("go", "list", "-deps", self).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", self, err)
	}
	deps := strings.Fields(string(out))
	// Exact paths, or prefixes ending in "/". oras-go's registry client is
	// forbidden, not its remote/auth, which oras-go's root package (with
	// its Target) imports for its own options.
	forbidden := []string{
		"github.com/docker-krust/docker-krust/remote",
		"github.com/docker-krust/docker-krust/cmd/",
		"github.com/docker/cli/",
		"github.com/moby/moby/",
		"oras.land/oras-go/v2/registry/remote",
	}
	found := false
	for _, dep := range deps {
		found = found || dep == self
		for _, bad := range forbidden {
			if dep == bad || strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad) {
				t.Errorf("builder depends on %s: registry and engine I/O belong to cmd/docker-krust, which hands the pipeline plain values", dep)
			}
		}
	}
	if !found {
		t.Fatalf("go list -deps did not list %s itself:\n%s", self, out)
	}
}
