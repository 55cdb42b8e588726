//go:build !unix

package layout

import "os"

// Systems without FIFOs need no non-blocking open.
const oNonblock = 0

func setBlocking(*os.File) error { return nil }
