//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// openNonblock opens path with O_NONBLOCK: opening a FIFO with no writer
// returns at once instead of waiting for one (the caller then refuses it);
// a regular file reads the same with the flag.
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
