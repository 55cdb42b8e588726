package layout

import (
	"os"
	"syscall"
)

// stampOf reads a file's identity and times from its stat.
func stampOf(info os.FileInfo) BlobStamp {
	s := BlobStamp{Size: info.Size(), MTimeNs: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.Dev, s.Ino = uint64(st.Dev), st.Ino
		s.CTimeNs = st.Ctim.Nano()
	}
	return s
}
