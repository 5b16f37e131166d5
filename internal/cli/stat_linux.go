package cli

import (
	"fmt"
	"os"
	"syscall"
)

// statIdentity returns what tells a file from another one at the same path
// with the same size and modification time: its device, inode and change
// time.
func statIdentity(st os.FileInfo) string {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d %d %d.%09d", s.Dev, s.Ino, s.Ctim.Sec, s.Ctim.Nsec)
	}
	return ""
}
