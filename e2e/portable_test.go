package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The tool builds for the systems its users run Docker on: macOS (Docker
// Desktop) with every package and test type-checked, the command for
// Apple silicon too, and Windows, where the commands that touch a layout refuse to run
// (flock.ErrUnsupported) instead of failing to compile. Cross-compiling
// catches a unix-only call that slips outside a build-tagged file.
func TestOtherSystemsBuild(t *testing.T) {
	tests := []struct {
		goos, goarch string
		args         []string
	}{
		{"darwin", "amd64", []string{"vet", "./..."}},
		{"darwin", "arm64", []string{"build", "-o", os.DevNull, "./cmd/docker-krust"}},
		{"windows", "amd64", []string{"build", "-o", os.DevNull, "./cmd/docker-krust"}},
	}
	for _, tt := range tests {
		t.Run(tt.goos+"/"+tt.goarch, func(t *testing.T) {
			cmd := exec.Command("go", tt.args...)
			cmd.Dir = h.root
			cmd.Env = append(os.Environ(), "GOOS="+tt.goos, "GOARCH="+tt.goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s GOARCH=%s go %s: %v\n%s", tt.goos, tt.goarch, strings.Join(tt.args, " "), err, out)
			}
		})
	}
}
