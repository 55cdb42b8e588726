//go:build !unix

package regular

import "os"

// Systems without FIFOs need no non-blocking open.
const oNonblock = 0

func setBlocking(*os.File) error { return nil }
