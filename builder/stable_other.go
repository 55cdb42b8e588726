//go:build !unix

package builder

import "os"

// lockOpenFlags adds nothing: there is no O_NOFOLLOW here (and no flock(2):
// the lock itself fails with flock.ErrUnsupported).
const lockOpenFlags = 0

// owner cannot tell a file's owner here, so the stable root is refused.
func owner(os.FileInfo) (int, bool) { return 0, false }
