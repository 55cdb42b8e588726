package imageref

import "errors"

// ErrInvalidTag means a tag does not follow the OCI tag grammar
// ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}). ValidTag's errors wrap it with the
// tag, so callers (the builder, layout's Tag) tell a bad tag apart with
// errors.Is.
var ErrInvalidTag = errors.New("invalid tag")
