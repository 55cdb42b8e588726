package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
)

// runInDocker loads the image ref (a skopeo reference) into the machine's
// Docker Engine under a unique name, runs it with args and removes it.
func runInDocker(t *testing.T, ref string, args ...string) string {
	t.Helper()
	requireTool(t, "docker")
	requireTool(t, "skopeo")
	name := "krust-e2e-" + randomHex(t) + ":latest"
	mustRun(t, "", "skopeo", "copy", "--quiet", ref, "docker-daemon:"+name)
	t.Cleanup(func() { run(t, "", nil, "docker", "rmi", "--force", name) })
	return mustRun(t, "", "docker", append([]string{"run", "--rm", "--network", "none", name}, args...)...)
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
