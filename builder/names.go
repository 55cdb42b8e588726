package builder

import (
	"fmt"
	"io"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
)

// checkLayoutRef refuses a layout directory whose oci:DIR:TAG reference
// could not be read back: skopeo, podman and `krust push` all take DIR
// to end at the first ":" after "oci:", and there is no way to quote one.
// tag is the tag that reference would carry.
func checkLayoutRef(dir, tag string) error {
	if !strings.Contains(dir, ":") {
		return nil
	}
	return fmt.Errorf("the OCI layout directory %s holds a ':', so its reference oci:%s:%s would not be read back (skopeo, podman and krust push end the directory at the first ':'): %w",
		dir, dir, tag, ErrLayoutRefColon)
}

// warnSameRepository warns when the package's name and another workspace
// member's give the same repository name (e.g. My-App and my-app), because
// their images, named REPO/NAME, would then replace each other. Call it
// only when the package's name names the image (--repo without --image).
func warnSameRepository(log io.Writer, proj *cargo.Project, pkg cargo.Package) {
	mine, err := imageref.Component(pkg.Name)
	if err != nil {
		return
	}
	for _, other := range proj.Packages {
		if other.Name == pkg.Name {
			continue
		}
		if theirs, err := imageref.Component(other.Name); err == nil && theirs == mine {
			logf(log, "warning: packages %s and %s both give the repository name %s, so their images replace each other: set the image name with --image (or KRUST_IMAGE) for one of them\n",
				pkg.Name, other.Name, mine)
		}
	}
}

// builderName names the builder for messages: cargo, or what --cargo
// chose when c says (as *cargo.Cargo does).
func builderName(c Cargo) string {
	if n, ok := c.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "cargo"
}
