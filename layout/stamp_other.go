//go:build !linux

package layout

import "os"

// stampOf has only the size and modification time off Linux: a stamp
// then says less, and a blob rewritten in place with its old mtime
// restored would pass it.
func stampOf(info os.FileInfo) BlobStamp {
	return BlobStamp{Size: info.Size(), MTimeNs: info.ModTime().UnixNano()}
}
