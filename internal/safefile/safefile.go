// Package safefile reads the files portlint is given without trusting
// them: only regular files are opened (a FIFO would block the run, a
// device never end), and a file over a size limit is refused before it is
// read.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// The limits on what portlint reads, documented in README.md.
const (
	MaxRegistry = 16 << 20 // registry.yaml
	MaxConfig   = 1 << 20  // .portlint.yaml
	MaxManifest = 16 << 20 // a manifest
	MaxSource   = 64 << 20 // a Go file read for a fix or a directive
)

// ErrNotRegular is returned for a path that names a directory, FIFO,
// socket or device.
var ErrNotRegular = errors.New("not a regular file")

// A TooLargeError is returned for a file over the limit.
type TooLargeError struct {
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%d bytes is more than the %d portlint reads", e.Size, e.Max)
}

// Kind names what a non-regular file is: "directory", "named pipe",
// "socket", "device", or "" for a regular file.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "irregular file"
}

// Check stats path (following links) and returns an error unless it is a
// regular file of at most max bytes.
func Check(path string, max int64) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if k := Kind(st.Mode()); k != "" {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: a %s", ErrNotRegular, k)}
	}
	if st.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{st.Size(), max}}
	}
	return st, nil
}

// Read returns the contents of the regular file at path, refusing a file
// that is not regular or is larger than max before reading it. The file is
// opened without blocking, so one replaced by a FIFO after the check does
// not hang the run either, and at most max bytes are read whatever its
// size says.
func Read(path string, max int64) ([]byte, error) {
	if _, err := Check(path, max); err != nil {
		return nil, err
	}
	f, err := openNonblock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if k := Kind(st.Mode()); k != "" {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: a %s", ErrNotRegular, k)}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{int64(len(data)), max}}
	}
	return data, nil
}

// Open opens the regular file at path for reading, without blocking on a
// FIFO; the caller bounds what it reads.
func Open(path string) (*os.File, error) {
	f, err := openNonblock(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		if k := Kind(st.Mode()); k != "" {
			err = &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: a %s", ErrNotRegular, k)}
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
