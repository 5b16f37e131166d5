package safefile_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/portlint/portlint/internal/safefile"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := safefile.Read(small, 5); err != nil || string(data) != "a: 1\n" {
		t.Errorf("Read(small) = %q, %v", data, err)
	}
	var tl *safefile.TooLargeError
	if _, err := safefile.Read(small, 4); !errors.As(err, &tl) || tl.Size != 5 || tl.Max != 4 {
		t.Errorf("Read over the limit: %v", err)
	}
	// a sparse file of 8 GiB is refused by its size, not read
	sparse := filepath.Join(dir, "sparse.yaml")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 30); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	if _, err := safefile.Read(sparse, safefile.MaxRegistry); !errors.As(err, &tl) {
		t.Errorf("Read(sparse) = %v", err)
	}
	if _, err := safefile.Read(dir, 1<<20); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("Read(dir) = %v", err)
	}
	if _, err := safefile.Read("/dev/zero", 1<<20); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("Read(/dev/zero) = %v", err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := safefile.Read(fifo, 1<<20)
		if err == nil {
			_, err = safefile.Open(fifo)
		} else if _, err2 := safefile.Open(fifo); !errors.Is(err2, safefile.ErrNotRegular) {
			err = err2
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("Read(fifo) = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}
}
