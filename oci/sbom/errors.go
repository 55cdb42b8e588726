package sbom

import "errors"

// Errors Encode wraps, for errors.Is.
var (
	// ErrUnknownFormat is a format that is none of spdx, cyclonedx and none.
	ErrUnknownFormat = errors.New("unknown SBOM format")
	// ErrNoDocument is Encode asked for the None format.
	ErrNoDocument = errors.New("no SBOM document for format none")
	// ErrInvalidInput is an Input an SBOM cannot be written from.
	ErrInvalidInput = errors.New("invalid SBOM input")
)
