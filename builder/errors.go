package builder

import "errors"

// Sentinel errors of this package, for errors.Is. The errors returned wrap
// them with the directory, image or platform they are about; none names a
// flag: the command adds how to change the setting that led there.
var (
	// ErrLayoutRefColon means the OCI layout directory holds a ':', so the
	// oci:DIR:TAG reference printed for it would not be read back.
	ErrLayoutRefColon = errors.New("choose a directory without ':'")
	// ErrLayoutNotWritable means the OCI layout directory cannot be
	// written (see layout.CheckWritable for why).
	ErrLayoutNotWritable = errors.New("cannot write the OCI layout")
	// ErrNoPuller means a base image is named by a registry reference and
	// the Builder has no Puller.
	ErrNoPuller = errors.New("pulling from a registry is not available here")
	// ErrCrateList means the crates linked into a binary, which its SBOM
	// and provenance list, could not be listed.
	ErrCrateList = errors.New("list the crates linked")
	// ErrFiles means a file of the files setting cannot go into the
	// image (see FilesError).
	ErrFiles = errors.New("cannot go into the image")
	// ErrEntrypoint means the entrypoint setting names a binary that the
	// image does not get.
	ErrEntrypoint = errors.New("invalid entrypoint")
)
