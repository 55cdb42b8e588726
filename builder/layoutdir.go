package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/docker-krust/docker-krust/cargo"
)

// defaultLayoutDir is the layout a build writes when --oci-layout is not
// given: TARGET_DIR/krust/PACKAGE/BIN (BIN1+BIN2 for an image of several
// binaries; a single name holding + is made safe, below), one layout per image, as cargo keeps
// one executable per binary (target/release/BIN). One layout shared by all
// the packages and binaries of a workspace would let `build -p worker`
// move the tag `build -p api` printed (oci:DIR:latest) to worker's image;
// a tag holding the package name would change the tags pushed to the
// registry. Cargo overwrites target/release/NAME when two projects share a
// target directory (CARGO_TARGET_DIR, build.target-dir); krust keeps both
// images: a target directory outside the workspace gets PACKAGE-HASH, the
// hash of the workspace root, as cargo names what it keeps apart in
// target/release/deps.
func defaultLayoutDir(proj *cargo.Project, pkg string, bins []string) string {
	dir := pathComponent(pkg)
	if !within(proj.TargetDir, proj.WorkspaceRoot) {
		dir += "-" + shortHash(filepath.Clean(proj.WorkspaceRoot))
	}
	names := make([]string, len(bins))
	for i, b := range bins {
		names[i] = pathComponent(b)
	}
	return filepath.Join(LayoutsDir(proj.TargetDir), dir, strings.Join(names, "+"))
}

// pathComponent returns name if it is safe as one directory name in an
// oci:DIR:TAG reference (cargo accepts bin names such as "a/b" or "a:b"),
// else name with the unsafe characters replaced and a hash of it added,
// so that two names never share a directory.
func pathComponent(name string) string {
	safe := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'
	}
	if name != "" && !strings.HasPrefix(name, ".") && strings.IndexFunc(name, func(r rune) bool { return !safe(r) }) < 0 {
		return name
	}
	clean := strings.Map(func(r rune) rune {
		if safe(r) {
			return r
		}
		return '_'
	}, strings.TrimLeft(name, "."))
	return clean + "-" + shortHash(name)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
