package imageref

import (
	"errors"
	"fmt"

	"github.com/docker-krust/docker-krust/internal/scrub"
)

// ErrInvalidTag means a tag does not follow the OCI tag grammar
// ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}). ValidTag's errors wrap it with the
// tag, so callers (the builder, layout's Tag) tell a bad tag apart with
// errors.Is.
var ErrInvalidTag = errors.New("invalid tag")

// ErrHasDigest and ErrHasTag mean an image name setting holds a digest or
// a tag, which the build and the tags setting give instead.
var (
	ErrHasDigest = errors.New("want a name without a digest")
	ErrHasTag    = errors.New("want a name without a tag")
)

// ErrNoRepositoryName means a package's name leaves nothing usable as a
// repository path component (see Component): a whole image name is needed.
var ErrNoRepositoryName = errors.New("gives no valid repository name")

// NameError says that the image name an image or repo setting gives is
// not valid; Err says why, and wraps the reference grammar's sentinel
// (reference.ErrReferenceInvalidFormat, ErrNameTooLong...) where it has
// one. Callers that know where the value came from name that source.
type NameError struct {
	// Setting is "image" (a whole name) or "repo" (a prefix for
	// REPO/PACKAGE), and Value its value.
	Setting, Value string
	Err            error
	// WholeName says the fix is a whole image name instead of a repo: the
	// package's name gives no valid name under it, or one too long.
	WholeName bool
}

// ErrCredentials means an image name holds a user name or password, which
// would be sent and written wherever the name goes.
var ErrCredentials = errors.New("an image name holds no user name or password, which would be sent and written wherever the name is (user information removed here); log in with docker login instead")

// Error names the value without any user information it holds.
func (e *NameError) Error() string {
	what := map[string]string{"image": "image name", "repo": "repository"}[e.Setting]
	return fmt.Sprintf("invalid %s %q: %v", what, scrub.Reference(e.Value), e.Err)
}

func (e *NameError) Unwrap() error { return e.Err }
