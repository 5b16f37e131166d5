package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/safefile"
)

// The result cache keeps what the analyzer found in each Go package, keyed
// by everything the result depends on (see cachekey.go), so that a run
// over an unchanged package replays its findings and inventory instead of
// loading it with types. It lives in $PORTLINT_CACHE, else in
// os.UserCacheDir()/portlint:
//
//	results/XX/KEY   one package's result, KEY the hex SHA-256 key
//	exe/HASH         the SHA-256 of a portlint executable, by its stat
//	trim.txt         when entries not used for a week were last removed
//
// Every file is written to a temporary name and renamed. A file that does
// not read back exactly (a wrong header, checksum or key) is a miss.

// cacheFormat names the layout of the cache's files; a new layout changes
// it and so every key.
const cacheFormat = "portlint-results-2"

// Trimming: entries unused for cacheMaxAge are removed, at most once per
// cacheTrimEvery; then the oldest go until results/ holds at most
// cacheMaxBytes. A hit refreshes an entry's modification time when it is
// older than cacheTouchAfter.
const (
	cacheMaxAge     = 7 * 24 * time.Hour
	cacheTrimEvery  = 24 * time.Hour
	cacheTouchAfter = time.Hour
	cacheMaxBytes   = 512 << 20
	// cacheMaxEntry bounds one file read from the cache: a larger one,
	// or one that is not a regular file, is a miss.
	cacheMaxEntry = 64 << 20
)

// A resultCache is the result cache's directory.
type resultCache struct {
	dir string
}

// openCache returns the result cache, or nil and why there is none:
// PORTLINT_CACHE=off, a relative PORTLINT_CACHE, or no directory for it.
func openCache() (*resultCache, string) {
	dir := os.Getenv("PORTLINT_CACHE")
	switch {
	case dir == "off":
		return nil, "PORTLINT_CACHE=off"
	case dir == "":
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Sprintf("no cache directory (%v); set PORTLINT_CACHE", err)
		}
		dir = filepath.Join(base, "portlint")
	case !filepath.IsAbs(dir):
		return nil, fmt.Sprintf("PORTLINT_CACHE=%s is not an absolute path", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, "results"), 0o777); err != nil {
		return nil, fmt.Sprintf("cannot create the cache directory: %v", err)
	}
	return &resultCache{dir: dir}, ""
}

// A cacheEntry is one package's result: for a package checked with -test,
// the results of its test variants, external test package and test main
// too, in the order of their IDs.
type cacheEntry struct {
	Loaded   int               `json:"loaded"`  // packages loaded with types
	Ignored  int               `json:"ignored"` // findings a portlint:ignore silenced
	Findings []finding.Finding `json:"findings"`
	Uses     []*check.Use      `json:"uses"`
}

// entryPath returns the file of the entry with the hex key.
func (c *resultCache) entryPath(key string) string {
	return filepath.Join(c.dir, "results", key[:2], key)
}

// get returns the entry stored under key, or nil.
func (c *resultCache) get(key string) *cacheEntry {
	p := c.entryPath(key)
	payload := c.read(p, key)
	if payload == nil {
		return nil
	}
	e := &cacheEntry{}
	if err := json.Unmarshal(payload, e); err != nil {
		return nil
	}
	c.touch(p)
	return e
}

// put stores e under key. An entry that would not read back equal to e is
// not stored: the cache replays exactly what a run computes, or nothing.
func (c *resultCache) put(key string, e *cacheEntry) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return err
	}
	back := &cacheEntry{}
	if err := json.Unmarshal(payload, back); err != nil {
		return err
	}
	if !reflect.DeepEqual(e, back) {
		return fmt.Errorf("the result of %s does not survive encoding", key)
	}
	return c.write(c.entryPath(key), key, payload)
}

// header returns the first line of a cache file: the format, the key, and
// the payload's length and SHA-256.
func header(key string, payload []byte) string {
	sum := sha256.Sum256(payload)
	return fmt.Sprintf("%s %s %d %x\n", cacheFormat, key, len(payload), sum)
}

// read returns the payload of the cache file p written under key, or nil
// when p is missing, truncated, corrupt or written under another key.
func (c *resultCache) read(p, key string) []byte {
	data, err := safefile.Read(p, cacheMaxEntry)
	if err != nil {
		return nil
	}
	line, payload, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(line)+"\n" != header(key, payload) {
		return nil
	}
	return payload
}

// write stores payload under key in the file p, atomically.
func (c *resultCache) write(p, key string, payload []byte) error {
	return writeCacheFile(p, append([]byte(header(key, payload)), payload...))
}

// writeCacheFile writes data to a temporary file beside p and renames it to
// p, so that a reader sees the old file or the new one, never a part.
func writeCacheFile(p string, data []byte) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// touch marks the file p used, when its modification time is old enough
// to matter to trim.
func (c *resultCache) touch(p string) {
	st, err := os.Stat(p)
	if err != nil {
		return
	}
	if now := time.Now(); now.Sub(st.ModTime()) > cacheTouchAfter {
		_ = os.Chtimes(p, now, now) // best effort: an entry not touched is trimmed sooner
	}
}

// trim removes what was not used for cacheMaxAge, and the oldest entries
// beyond cacheMaxBytes, at most once per cacheTrimEvery.
func (c *resultCache) trim(now time.Time) {
	stamp := filepath.Join(c.dir, "trim.txt")
	if data, err := safefile.Read(stamp, 1<<10); err == nil {
		if t, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && now.Sub(time.Unix(t, 0)) < cacheTrimEvery {
			return
		}
	}
	if writeCacheFile(stamp, []byte(strconv.FormatInt(now.Unix(), 10)+"\n")) != nil {
		return
	}
	type file struct {
		path  string
		size  int64
		mtime time.Time
	}
	var kept []file
	var total int64
	for _, sub := range []string{"results", "modules", "exe"} {
		_ = filepath.WalkDir(filepath.Join(c.dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			age := now.Sub(info.ModTime())
			if age > cacheMaxAge || (strings.HasPrefix(d.Name(), ".tmp-") && age > time.Hour) {
				os.Remove(p)
				return nil
			}
			if sub == "results" {
				kept = append(kept, file{p, info.Size(), info.ModTime()})
				total += info.Size()
			}
			return nil
		})
	}
	if total <= cacheMaxBytes {
		return
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].mtime.Before(kept[j].mtime) })
	for _, f := range kept {
		if total <= cacheMaxBytes {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
}

// exeHash returns the SHA-256 of the running portlint executable. It is
// remembered in exe/ by the executable's path and stat (size, modification
// time, and where the system has them device, inode and change time), so
// that an unchanged executable is hashed once.
func (c *resultCache) exeHash() ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// On Linux, /proc/self/exe is the file this process runs, even after
	// a new build replaced the one at its path.
	open := exe
	if runtime.GOOS == "linux" {
		if _, err := os.Stat("/proc/self/exe"); err == nil {
			open = "/proc/self/exe"
		}
	}
	stat := func() (string, error) {
		st, err := os.Stat(open)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d %d %s", st.Size(), st.ModTime().UnixNano(), statIdentity(st)), nil
	}
	before, err := stat()
	if err != nil {
		return nil, err
	}
	name := sha256.Sum256([]byte(exe))
	memo := filepath.Join(c.dir, "exe", hex.EncodeToString(name[:16]))
	if data, err := safefile.Read(memo, 1<<10); err == nil {
		if st, sum, ok := strings.Cut(strings.TrimSpace(string(data)), "\n"); ok && st == before {
			if b, err := hex.DecodeString(sum); err == nil && len(b) == sha256.Size {
				return b, nil
			}
		}
	}
	f, err := os.Open(open)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	sum := h.Sum(nil)
	if after, err := stat(); err == nil && after == before {
		_ = writeCacheFile(memo, []byte(before+"\n"+hex.EncodeToString(sum)+"\n"))
	}
	return sum, nil
}
