package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/portlint/portlint/finding"
)

// applyFixes applies the first suggested fix of every finding, per file and
// atomically (a temporary file renamed over the original). Identical edits
// from several findings (a constant fixed once for many uses) are applied
// once; overlapping different edits are an error for that file. With diff,
// it prints a unified diff instead of writing.
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
	var errs []error
	for _, file := range files {
		edits := dedupeEdits(byFile[file])
		data, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out, err := udiff.Apply(string(data), edits)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: conflicting fixes: %v", displayPath(r.env, file), err))
			continue
		}
		if diff {
			name := filepath.ToSlash(displayPath(r.env, file))
			fmt.Fprint(r.env.Stdout, udiff.Unified("a/"+name, "b/"+name, string(data), out))
			continue
		}
		if err := writeAtomic(file, []byte(out)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return &ExitError{Code: ExitInternal, Msg: fmt.Sprintf("portlint: applying fixes: %v", errs)}
	}
	return nil
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

// writeAtomic replaces file with data, keeping its mode.
func writeAtomic(file string, data []byte) error {
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".portlint-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), st.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
