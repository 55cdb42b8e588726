// Package imageref names the images docker-krust builds and checks them
// against the distribution reference grammar that registries enforce.
package imageref

import (
	"errors"
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/scrub"
)

// Name returns the image name for a package: image when set (a whole
// reference, e.g. from --image or KRUST_IMAGE), else repo/PACKAGE with the
// package name made a valid repository component. It returns "" when
// neither image nor repo is set. The result is normalised the way docker
// does (a bare "user/app" is on Docker Hub) and carries no tag or digest.
func Name(image, repo, pkg string) (reference.Named, error) {
	switch {
	case image != "":
		return parseName(image, "--image")
	case repo != "":
		component, err := Component(pkg)
		if err != nil {
			return nil, err
		}
		named, err := parseName(strings.TrimSuffix(repo, "/")+"/"+component, "--repo")
		if errors.Is(err, reference.ErrNameTooLong) {
			return nil, fmt.Errorf("the image name from --repo and package name %q is longer than %d characters: set a shorter name with --image: %w", pkg, reference.RepositoryNameTotalLengthMax, err)
		}
		return named, err
	}
	return nil, nil
}

func parseName(s, flag string) (reference.Named, error) {
	if clean := scrub.Reference(s); clean != s {
		// Said without the credentials, which the reference grammar's
		// own error would quote.
		return nil, fmt.Errorf("invalid %s %q (user information removed): an image name holds no user name or password, which would be sent and written wherever the name is; log in with docker login instead", flag, clean)
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, fmt.Errorf("invalid %s %q: %w (want e.g. registry.example.com:5000/team/app, lower case)", flag, s, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, fmt.Errorf("invalid %s %q: give a name without a digest; the digest comes from the build", flag, s)
	}
	if _, ok := named.(reference.Tagged); ok {
		return nil, fmt.Errorf("invalid %s %q: give a name without a tag and set tags with --tag", flag, s)
	}
	return named, nil
}

// Component turns a Cargo package name into a repository path component:
// lower case, with any run of characters the grammar does not allow
// replaced by one "-". A name with nothing usable left is refused.
func Component(pkg string) (string, error) {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(pkg) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == '_' || r == '.':
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteRune('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-_.")
	name = collapseSeparators(name)
	if name == "" {
		return "", fmt.Errorf("package name %q gives no valid repository name: set the whole name with --image", pkg)
	}
	return name, nil
}

// collapseSeparators makes runs of separators valid: the grammar allows
// "-" runs, a single "." or "_", or "__", but not mixtures like "_-".
func collapseSeparators(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		switch sep := string(run); {
		case sep == "", sep == ".", sep == "_", sep == "__", strings.Trim(sep, "-") == "":
			b.WriteString(sep)
		default:
			b.WriteRune('-')
		}
		run = run[:0]
	}
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// ValidTag reports whether tag is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
func ValidTag(tag string) error {
	if len(tag) == 0 || len(tag) > 128 {
		return fmt.Errorf("%w %q: want 1 to 128 characters of [A-Za-z0-9_.-], not starting with . or -", ErrInvalidTag, tag)
	}
	for i, r := range tag {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || (i > 0 && (r == '.' || r == '-'))
		if !ok {
			return fmt.Errorf("%w %q: want 1 to 128 characters of [A-Za-z0-9_.-], not starting with . or -", ErrInvalidTag, tag)
		}
	}
	return nil
}
