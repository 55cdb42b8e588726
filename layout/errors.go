package layout

import "errors"

// ErrNotLayout reports a directory that exists, is not empty, and does not
// hold a valid OCI image layout.
var ErrNotLayout = errors.New("not an OCI image layout")

// ErrInvalidLayout reports a layout whose metadata is malformed: an
// unparsable index.json, a descriptor with a bad digest string, and so on.
var ErrInvalidLayout = errors.New("invalid OCI image layout")

// ErrDigestMismatch reports content that does not match the digest or size
// of its descriptor.
var ErrDigestMismatch = errors.New("content does not match descriptor")

// ErrTooLarge reports a document larger than the caller's limit.
var ErrTooLarge = errors.New("content too large")

// ErrInvalidTag reports a reference that is not a valid OCI tag.
var ErrInvalidTag = errors.New("invalid tag")
