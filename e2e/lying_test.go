package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
)

// TestRebuildReplacesALyingBaseLayer damages the copy of a base layer in
// the output layout (same size, other bytes) and builds again: the build
// notices and writes a good copy instead of reusing it.
func TestRebuildReplacesALyingBaseLayer(t *testing.T) {
	requireTool(t, "cargo")
	base := makeBase(t)
	project := copyExample(t, t.TempDir())
	args := []string{"build", "--no-push", "--libc", "glibc", "--base", "oci:" + base + ":v1"}
	dir := ociRef(t, krust(t, project, isolatedEnv(t), args...), "latest")
	layer := imageFor(t, dir, "latest").Layers[0]
	path := blobPath(dir, layer)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ociRef(t, krust(t, project, isolatedEnv(t), args...), "latest")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256Hex(got); sum != layer.Digest.Encoded() {
		t.Errorf("the rebuild kept the damaged base layer %s (its content hashes to %s)", layer.Digest, sum)
	}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
