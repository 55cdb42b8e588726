//go:build linux

package layout

import (
	"io/fs"
	"syscall"
)

// stampOf reads a blob file's stamp from its stat: device, inode and
// change time come from the system's stat structure.
func stampOf(info fs.FileInfo) BlobStamp {
	s := BlobStamp{Size: info.Size(), MTimeNs: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.Dev, s.Ino = uint64(st.Dev), uint64(st.Ino)
		s.CTimeNs = st.Ctim.Sec*1e9 + st.Ctim.Nsec
	}
	return s
}
