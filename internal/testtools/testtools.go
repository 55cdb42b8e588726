// Package testtools finds the tools the tests run that take minutes to
// build: `make test-tools` (hack/test-tools.sh) builds them once per
// machine, one directory per version, and the Makefile names that
// directory in KRUST_TEST_TOOLS.
package testtools

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Env names the variable holding the directory hack/test-tools.sh builds
// into. The Makefile sets it; unset, the script's default is used.
const Env = "KRUST_TEST_TOOLS"

// CosignVersion and CosignV2Version are the cosigns hack/test-tools.sh
// builds; a test keeps them in step.
const (
	CosignVersion   = "v3.1.3"
	CosignV2Version = "v2.6.5"
)

// ErrMissing reports a tool that has not been built.
var ErrMissing = errors.New("a test tool is not built: run `make test-tools` (builds etcd, kube-apiserver and cosign v3 and v2 once per machine, about 22 minutes cold)")

// Dir returns KRUST_TEST_TOOLS, or the script's default:
// ${XDG_CACHE_HOME:-$HOME/.cache}/docker-krust/tools.
func Dir() (string, error) {
	if dir := os.Getenv(Env); dir != "" {
		return dir, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%w: %s is unset and there is no home directory: %w", ErrMissing, Env, err)
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "docker-krust", "tools"), nil
}

// Path returns the path of tool NAME at version, built into Dir as
// NAME-VERSION/NAME, or an error wrapping ErrMissing.
func Path(name, version string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name+"-"+version, name)
	if info, err := os.Stat(bin); err != nil || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%w: %s is missing (%s=%s)", ErrMissing, bin, Env, dir)
	}
	return bin, nil
}

// Cosign returns the path of the cosign the tests verify with.
func Cosign() (string, error) { return Path("cosign", CosignVersion) }

// CosignV2 returns the path of the cosign v2 that checks the older
// signature format.
func CosignV2() (string, error) { return Path("cosign", CosignV2Version) }
