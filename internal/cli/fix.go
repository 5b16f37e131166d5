package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/safefile"
)

// applyFixes applies the first suggested fix of every finding. Identical
// edits from several findings (a constant fixed once for many uses) are
// applied once; overlapping different edits are an error for that file.
// With diff, it prints a unified diff instead of writing.
//
// Writing is all or nothing: every file is checked (a read-only file is
// refused) and its new content written to a temporary file beside it
// before any is renamed over its original; when one of these steps fails,
// no file has changed. A symbolic link is followed: its target is
// rewritten and the link stays. Only a rename failing midway, after the
// checks, leaves some files changed, and the error names them.
func (r *run) applyFixes(fs []finding.Finding, diff bool) error {
	byFile := map[string][]udiff.Edit{}
	for _, f := range fs {
		if len(f.Fixes) == 0 {
			continue
		}
		for _, e := range f.Fixes[0].Edits {
			byFile[e.File] = append(byFile[e.File], udiff.Edit{Start: e.Start, End: e.End, New: e.New})
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var errs []string
	type write struct {
		file, target, tmp string
	}
	var writes []write
	cleanup := func() {
		for _, w := range writes {
			os.Remove(w.tmp)
		}
	}
	for _, file := range files {
		name := displayPath(r.env, file)
		data, err := safefile.Read(file, safefile.MaxSource)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		out, err := applyEdits(string(data), byFile[file])
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: conflicting fixes: %v", name, err))
			continue
		}
		if diff {
			fmt.Fprint(r.env.Stdout, udiff.Unified("a/"+filepath.ToSlash(name), "b/"+filepath.ToSlash(name), string(data), out))
			continue
		}
		target, tmp, err := prepareWrite(file, []byte(out))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		writes = append(writes, write{file, target, tmp})
	}
	if len(errs) > 0 {
		cleanup()
		msg := "portlint: applying fixes: " + strings.Join(errs, "; ")
		if !diff {
			msg += "; no file was changed"
		}
		return &ExitError{Code: ExitInternal, Msg: msg}
	}
	var changed []string
	for i, w := range writes {
		if err := os.Rename(w.tmp, w.target); err != nil {
			writes = writes[i:]
			cleanup()
			var left []string
			for _, w := range writes {
				left = append(left, displayPath(r.env, w.file))
			}
			return &ExitError{Code: ExitInternal, Msg: fmt.Sprintf("portlint: applying fixes: %s: %v; changed: %s; not changed: %s",
				displayPath(r.env, w.file), err, listOrNone(changed), strings.Join(left, ", "))}
		}
		changed = append(changed, displayPath(r.env, w.file))
	}
	return nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// applyEdits applies the edits to one file's text: repeated edits once,
// overlapping different ones an error, as is an edit outside the text.
func applyEdits(text string, edits []udiff.Edit) (string, error) {
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(text) {
			return "", fmt.Errorf("edit [%d, %d) outside the file's %d bytes", e.Start, e.End, len(text))
		}
	}
	return udiff.Apply(text, dedupeEdits(edits))
}

func dedupeEdits(es []udiff.Edit) []udiff.Edit {
	udiff.SortEdits(es)
	var out []udiff.Edit
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// prepareWrite writes data to a temporary file beside the file that file
// names (the target of a symbolic link), with that file's mode, and
// returns the target and the temporary file, for a rename to put in
// place. A file without write permission is refused, whoever runs.
func prepareWrite(file string, data []byte) (target, tmp string, err error) {
	target, err = filepath.EvalSymlinks(file)
	if err != nil {
		return "", "", err
	}
	st, err := os.Stat(target)
	if err != nil {
		return "", "", err
	}
	if !st.Mode().IsRegular() {
		return "", "", errors.New("not a regular file")
	}
	if st.Mode().Perm()&0o200 == 0 {
		return "", "", errors.New("read-only file")
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".portlint-*")
	if err != nil {
		return "", "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), st.Mode().Perm())
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", err
	}
	return target, f.Name(), nil
}

// generatedRE is the comment that marks a generated file
// (https://go.dev/s/generatedcode), in Go or YAML comment syntax.
var generatedRE = regexp.MustCompile(`^(//|#) Code generated .* DO NOT EDIT\.$`)

// isGenerated reports whether the file says it is generated, in a comment
// before its first line of content (Go's package clause, YAML's first
// key). A fix there would be lost when it is generated again.
func isGenerated(file string) bool {
	f, err := safefile.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<10)
	inBlock := false
	for sc.Scan() {
		l := bytes.TrimRight(sc.Bytes(), "\r")
		if generatedRE.Match(l) {
			return true
		}
		t := bytes.TrimSpace(l)
		switch {
		case inBlock:
			inBlock = !bytes.Contains(t, []byte("*/"))
		case len(t) == 0, bytes.HasPrefix(t, []byte("//")), bytes.HasPrefix(t, []byte("#")), bytes.Equal(t, []byte("---")):
		case bytes.HasPrefix(t, []byte("/*")):
			inBlock = !bytes.Contains(t[2:], []byte("*/"))
		default:
			return false
		}
	}
	return false
}

// withholdGenerated drops the fixes that edit a generated file and says
// so in the finding: the file's generator is what needs the change.
func (r *run) withholdGenerated(fs []finding.Finding) {
	gen := map[string]bool{}
	for i := range fs {
		f := &fs[i]
		if len(f.Fixes) == 0 {
			continue
		}
		for _, e := range f.Fixes[0].Edits {
			g, ok := gen[e.File]
			if !ok {
				g = isGenerated(e.File)
				gen[e.File] = g
			}
			if g {
				f.Message += fmt.Sprintf("; no fix: %s is generated, change what generates it", filepath.ToSlash(displayPath(r.env, e.File)))
				f.Fixes = nil
				break
			}
		}
	}
}
