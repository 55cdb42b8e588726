package cargo

import "errors"

// Sentinel errors of this package. The errors returned wrap them with the
// triple, platform or program they are about, so callers (the builder, the
// command) tell them apart with errors.Is while users read the whole message.
var (
	// ErrTargetMissing means the Rust standard library for a target triple
	// is not installed in the project's toolchain.
	ErrTargetMissing = errors.New("rust target not installed")

	// ErrBuilderMissing means the builder --cargo names (or cargo) is not
	// installed.
	ErrBuilderMissing = errors.New("builder not installed")

	// ErrUnsupportedPlatform means no Rust target triple is known for a
	// platform (see SupportedPlatforms), so docker-krust cannot build for it.
	ErrUnsupportedPlatform = errors.New("unsupported platform")
)
