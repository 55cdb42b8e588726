package resolve

import (
	"errors"

	"github.com/docker-krust/docker-krust/internal/regular"
)

// ErrMalformed means a source is not valid YAML or JSON. Its errors carry
// the source's name and wrap the parser's error, which names the line.
var ErrMalformed = errors.New("malformed YAML or JSON")

// ErrEmptyReference means a value is krust:// with nothing after it.
var ErrEmptyReference = errors.New("krust:// names nothing: want krust://REF")

// ErrUnsupportedScalar means a reference is written in a way whose bytes
// cannot be replaced safely in place (a block scalar, or bytes that do not
// decode back to the value); its errors say where and how to write it.
var ErrUnsupportedScalar = errors.New("cannot replace this krust:// value in place")

// ErrUnsupportedEncoding means a source holding references is not UTF-8.
var ErrUnsupportedEncoding = errors.New("krust:// references need UTF-8 input")

// ErrInvalidReplacement means a replacement value is not one the
// reference's style holds as it is (an image reference always is).
var ErrInvalidReplacement = errors.New("replacement cannot be written in this style")

// ErrNoManifests means a directory holds no .yaml, .yml or .json file.
var ErrNoManifests = errors.New("no .yaml, .yml or .json file")

// ErrStdinRepeated means "-" (standard input) is named more than once.
var ErrStdinRepeated = errors.New("standard input (-) named more than once")

// ErrNotRegular and ErrTooLarge are those of the files ReadSources opens:
// a FIFO, device, socket or directory given where a file is expected, and
// a file or standard input larger than MaxFileSize.
var (
	ErrNotRegular = regular.ErrNotRegular
	ErrTooLarge   = regular.ErrTooLarge
)
