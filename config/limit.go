package config

import (
	"errors"
	"fmt"
	"io"

	"github.com/docker-krust/docker-krust/internal/regular"
)

// MaxTOMLBytes bounds the TOML files krust parses: Cargo.toml (for
// [package.metadata.krust]) and the krust config. go-toml checks each key
// against the keys already seen in its table one by one, so parsing time
// grows with the square of the keys in a table: a pathological 1 MiB file
// took 110 s, one at this limit takes 0.3 to 0.7 s (BenchmarkCargoSettings),
// while real Cargo.toml files are a few kB (bevy's, among the largest,
// about 110 kB) and parse in well under a millisecond.
const MaxTOMLBytes = 128 << 10

// readTOML reads the TOML file at path, refusing, before reading it, one
// larger than MaxTOMLBytes; what names the file in the error and fix says
// how to make it smaller. Anything but a regular file is refused at once
// (a named pipe would block the open until a writer came), with an error
// wrapping regular.ErrNotRegular. A missing file yields an error wrapping
// fs.ErrNotExist.
func readTOML(path, what, fix string) ([]byte, error) {
	f, info, err := regular.Open(path)
	if errors.Is(err, regular.ErrNotRegular) {
		return nil, fmt.Errorf("read %s: %w; krust reads it as a file: replace it with a regular file, or remove it", what, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer f.Close()
	tooLarge := func(size int64) error {
		return fmt.Errorf("%s is %d bytes, more than the %d (%d KiB) krust parses: %s",
			what, size, MaxTOMLBytes, MaxTOMLBytes>>10, fix)
	}
	if info.Size() > MaxTOMLBytes {
		return nil, tooLarge(info.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxTOMLBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(data) > MaxTOMLBytes {
		return nil, tooLarge(int64(len(data)))
	}
	return data, nil
}
