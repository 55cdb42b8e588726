package builder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
)

// selectBins settles the binaries of pkg that go into the image and the
// one the image runs: bins as given (each checked), or the package's only
// one or its default-run; entrypoint must be one of them, and "" means
// the first.
func selectBins(pkg cargo.Package, bins []string, entrypoint string) ([]string, string, error) {
	if len(bins) <= 1 {
		one := ""
		if len(bins) == 1 {
			one = bins[0]
		}
		bin, err := cargo.SelectBin(pkg, one)
		if err != nil {
			return nil, "", err
		}
		bins = []string{bin}
	} else {
		var missing []string
		for _, b := range bins {
			if !slices.Contains(pkg.Bins(), b) {
				missing = append(missing, fmt.Sprintf("%q", b))
			}
		}
		if len(missing) > 0 {
			return nil, "", fmt.Errorf("package %s has no binary %s; its binaries: %s", pkg.Name, strings.Join(missing, ", "), strings.Join(pkg.Bins(), ", "))
		}
	}
	if entrypoint == "" {
		return bins, bins[0], nil
	}
	if !slices.Contains(bins, entrypoint) {
		return nil, "", fmt.Errorf("%w: %q is not one of the binaries the image gets (%s): add it to them, or name one of them", ErrEntrypoint, entrypoint, strings.Join(bins, ", "))
	}
	return bins, entrypoint, nil
}
