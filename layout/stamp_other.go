//go:build !linux

package layout

import "io/fs"

// stampOf reads what a portable stat gives; without an inode and change
// time the stamp is not Trusted, so the blob's content is checked.
func stampOf(info fs.FileInfo) BlobStamp {
	return BlobStamp{Size: info.Size(), MTimeNs: info.ModTime().UnixNano()}
}
