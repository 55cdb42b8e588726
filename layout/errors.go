package layout

import (
	"errors"

	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

// Errors that oras-go defines a sentinel for wrap that sentinel, so that a
// caller holding the layout as an oras content.Storage tests one error
// with errors.Is whichever store it uses: ErrDigestMismatch is also
// content.ErrMismatchedDigest and ErrTooLarge errdef.ErrSizeExceedsLimit.
// A missing blob or tag is reported with an error wrapping
// errdef.ErrNotFound, and a blob pushed twice with one wrapping
// errdef.ErrAlreadyExists; this package has no sentinels of its own for
// those.

// ErrNotLayout reports a directory that exists, is not empty, and does not
// hold a valid OCI image layout.
var ErrNotLayout = errors.New("not an OCI image layout")

// ErrInvalidLayout reports a layout whose metadata is malformed: an
// unparsable index.json, a descriptor with a bad digest string, and so on.
var ErrInvalidLayout = errors.New("invalid OCI image layout")

// ErrDigestMismatch reports content that does not match the digest or size
// of its descriptor.
// It is also content.ErrMismatchedDigest.
var ErrDigestMismatch error = &orasError{"content does not match descriptor", content.ErrMismatchedDigest}

// ErrTooLarge reports a document larger than the caller's limit.
// It is also errdef.ErrSizeExceedsLimit.
var ErrTooLarge error = &orasError{"content too large", errdef.ErrSizeExceedsLimit}

// ErrInvalidTag reports a reference that is not a valid OCI tag.
var ErrInvalidTag = errors.New("invalid tag")

// ErrNotRegular reports an entry of a layout (oci-layout, index.json, a
// blob) that is not a regular file, a FIFO, socket, device or directory,
// or a layout or blobs directory that is not a directory.
// It is refused without being read, so it can neither block nor be taken
// for content.
var ErrNotRegular = errors.New("unexpected file type")

// ErrOutsideLayout reports a path inside a layout that leads out of it
// through a symbolic link. Nothing behind the link is read or written.
var ErrOutsideLayout = errors.New("symbolic link leads out of the layout")

// ErrCorruptBlob reports a blob stored in a layout whose content does not
// match its digest or size. Errors that wrap it also wrap
// ErrDigestMismatch. Reading it again gives the same bytes: it is not a
// transient failure.
var ErrCorruptBlob = errors.New("blob in the layout is damaged")

// orasError is a sentinel of this package that is also one of oras-go's:
// errors.Is matches either, and the message stays this package's own.
type orasError struct {
	msg  string
	oras error
}

func (e *orasError) Error() string { return e.msg }

// Unwrap returns the oras-go sentinel e stands for.
func (e *orasError) Unwrap() error { return e.oras }
