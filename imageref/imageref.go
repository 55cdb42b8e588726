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
// reference, e.g. registry.example.com/team/app), else repo/PACKAGE with
// the package name made a valid repository component. It returns nil when
// neither image nor repo is set. The result is normalised the way docker
// does (a bare "user/app" is on Docker Hub), with the registry host in
// lower case (host names are not case-sensitive, and krust compares them
// as they are: loopback, krust.local, credentials, certs.d), and carries no
// tag or digest. Its errors are *NameError.
func Name(image, repo, pkg string) (reference.Named, error) {
	switch {
	case image != "":
		named, err := parseName(image)
		if err != nil {
			return nil, &NameError{Setting: "image", Value: image, Err: err}
		}
		return named, nil
	case repo != "":
		component, err := Component(pkg)
		if err != nil {
			return nil, &NameError{Setting: "repo", Value: repo, Err: err, WholeName: true}
		}
		whole := strings.TrimSuffix(repo, "/") + "/" + component
		named, err := parseName(whole)
		switch {
		case errors.Is(err, reference.ErrNameTooLong):
			return nil, &NameError{Setting: "repo", Value: repo, WholeName: true, Err: fmt.Errorf(
				"with package name %q the image name is longer than %d characters: give a shorter repository, or a whole image name: %w",
				pkg, reference.RepositoryNameTotalLengthMax, err)}
		case err != nil:
			return nil, &NameError{Setting: "repo", Value: repo, Err: fmt.Errorf("the image name %q it gives is not valid: %w", scrub.Reference(whole), err)}
		}
		return named, nil
	}
	return nil, nil
}

// parseName reads a whole image name; its errors give the rule broken.
func parseName(s string) (reference.Named, error) {
	if scrub.Reference(s) != s {
		// Said without the credentials, which the reference grammar's
		// own error would quote.
		return nil, ErrCredentials
	}
	named, err := reference.ParseNormalizedNamed(s)
	if errors.Is(err, reference.ErrNameTooLong) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w (want e.g. registry.example.com:5000/team/app, lower case)", err)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, fmt.Errorf("%w: the digest comes from the build", ErrHasDigest)
	}
	if _, ok := named.(reference.Tagged); ok {
		return nil, fmt.Errorf("%w: the tags are a setting of their own", ErrHasTag)
	}
	return lowerDomain(named)
}

// lowerDomain returns named with its registry host in lower case.
func lowerDomain(named reference.Named) (reference.Named, error) {
	domain := reference.Domain(named)
	if lower := strings.ToLower(domain); lower != domain {
		return reference.ParseNormalizedNamed(lower + "/" + reference.Path(named))
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
		return "", fmt.Errorf("package name %q %w: set a whole image name instead of a repository", pkg, ErrNoRepositoryName)
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

// TagRule is the OCI tag grammar, [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, in
// words.
const TagRule = "want 1 to 128 characters of [A-Za-z0-9_.-], not starting with . or -"

// ValidTag reports whether tag is a valid tag (see TagRule).
func ValidTag(tag string) error {
	if len(tag) == 0 || len(tag) > 128 {
		return fmt.Errorf("%w %q: %s", ErrInvalidTag, tag, TagRule)
	}
	for i, r := range tag {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || (i > 0 && (r == '.' || r == '-'))
		if !ok {
			return fmt.Errorf("%w %q: %s", ErrInvalidTag, tag, TagRule)
		}
	}
	return nil
}
