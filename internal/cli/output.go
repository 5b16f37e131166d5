package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/internal/safefile"
)

// output prints the findings in the chosen format and returns the exit
// status: findings (3) for text output with findings; input errors (2)
// when packages or manifests could not be read; 0 otherwise. JSON and SARIF
// runs exit 0 with findings: the consumer reads them from the output.
func (r *run) output(res *scanResult) error {
	for _, e := range res.errors {
		fmt.Fprintln(r.env.Stderr, printable(r.relErr(e)))
	}
	if r.flags.v {
		for _, n := range res.notes {
			fmt.Fprintln(r.env.Stderr, "note: "+printable(r.relErr(n)))
		}
		for _, n := range res.verbose {
			fmt.Fprintln(r.env.Stderr, "portlint: "+printable(n))
		}
	} else {
		for _, n := range res.loud {
			fmt.Fprintln(r.env.Stderr, "note: "+printable(r.relErr(n)))
		}
	}
	var shown []finding.Finding
	ignored := res.ignored
	for _, f := range res.findings {
		if f.Ignored {
			ignored++
			continue
		}
		shown = append(shown, f)
	}
	r.withholdGenerated(shown)
	if r.flags.fix || r.flags.diff {
		if err := r.applyFixes(shown, r.flags.diff); err != nil {
			return err
		}
		if r.flags.fix {
			shown = unfixed(shown)
		}
	}
	switch {
	case r.flags.diff:
	case r.flags.out != "":
		if err := r.writeStructured(shown, res, ignored); err != nil {
			return err
		}
		r.printText(shown)
	case r.flags.json:
		if err := r.printJSON(r.env.Stdout, shown, res, ignored); err != nil {
			return err
		}
	case r.flags.sarif:
		if err := r.printSARIF(r.env.Stdout, shown, res); err != nil {
			return err
		}
	default:
		r.printText(shown)
	}
	if r.flags.v {
		fmt.Fprintf(r.env.Stderr, "portlint: %d Go packages and %d manifests checked; %d findings, %d ignored\n", res.goPkgs, res.files, len(shown), ignored)
	}
	if len(res.errors) > 0 {
		return &ExitError{Code: ExitUsage}
	}
	if len(shown) > 0 && r.textOutput() {
		return errFindings
	}
	return nil
}

// textOutput reports whether the findings went to standard output as text,
// the output whose findings make the exit status 3: a plain run, and one
// with -o, which writes -json or -sarif to a file and text to standard
// output (one run fails a CI step and leaves a SARIF log to upload).
func (r *run) textOutput() bool {
	return !r.flags.diff && (r.flags.out != "" || !r.flags.json && !r.flags.sarif)
}

// writeStructured writes the -json or -sarif output to the -o file: to a
// temporary file beside it, renamed over it once complete, so that a
// reader never sees a part.
func (r *run) writeStructured(shown []finding.Finding, res *scanResult, ignored int) error {
	var buf bytes.Buffer
	var err error
	if r.flags.json {
		err = r.printJSON(&buf, shown, res, ignored)
	} else {
		err = r.printSARIF(&buf, shown, res)
	}
	if err != nil {
		return err
	}
	p := r.env.abs(r.flags.out)
	if err := writeFileAtomic(p, buf.Bytes()); err != nil {
		return &ExitError{Code: ExitInternal, Msg: fmt.Sprintf("portlint: -o %s: cannot write: %v", r.flags.out, pathErrReason(err))}
	}
	return nil
}

// writeFileAtomic writes data to a temporary file in p's directory and
// renames it to p. The file is readable by everyone, as files written with
// shell redirection are.
func writeFileAtomic(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func unfixed(fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if len(f.Fixes) == 0 {
			out = append(out, f)
		}
	}
	return out
}

// relErr rewrites absolute paths at the start of an error to relative ones.
func (r *run) relErr(e string) string { return relLines(r.env, e) }

// relLines rewrites the absolute path at the start of each line of an
// error message (file:line:col: ...) to one relative to the working
// directory; go/packages' "-: " for errors without a position is dropped.
func relLines(env *Env, e string) string {
	lines := strings.Split(e, "\n")
	for j, l := range lines {
		l = strings.TrimPrefix(l, "-: ")
		if i := strings.Index(l, ":"); i > 0 {
			l = displayPath(env, l[:i]) + l[i:]
		}
		lines[j] = l
	}
	return strings.Join(lines, "\n")
}

// printText prints findings like go vet: path:line:col: message [check].
func (r *run) printText(fs []finding.Finding) {
	cache := map[string][]string{}
	for _, f := range fs {
		fmt.Fprintf(r.env.Stdout, "%s:%d:%d: %s\n", printable(displayPath(r.env, f.Pos.File)), f.Pos.Line, f.Pos.Column, printable(check.DiagMessage(f.Message, f.Hint, f.Check)))
		if r.flags.context >= 0 {
			r.printContext(cache, f.Pos)
		}
		// the uses of the constant the finding is at, as go vet prints
		// related information: position, a tab, the message
		for _, rel := range f.Related {
			if rel.Kind != finding.RelatedUse {
				continue
			}
			fmt.Fprintf(r.env.Stdout, "%s:%d:%d: \t%s\n", printable(displayPath(r.env, rel.Pos.File)), rel.Pos.Line, rel.Pos.Column, printable(rel.Message))
			if r.flags.context >= 0 {
				r.printContext(cache, rel.Pos)
			}
		}
	}
}

func (r *run) printContext(cache map[string][]string, pos check.Position) {
	lines, ok := cache[pos.File]
	if !ok {
		data, err := safefile.Read(pos.File, safefile.MaxSource)
		if err == nil {
			lines = strings.Split(string(data), "\n")
		}
		cache[pos.File] = lines
	}
	n := r.flags.context
	for l := max(1, pos.Line-n); l <= min(len(lines), pos.Line+n); l++ {
		fmt.Fprintf(r.env.Stdout, "%d\t%s\n", l, printable(lines[l-1]))
	}
}

// printable keeps one finding, error or table row on one line of a
// terminal or CI log: every control character but the tab, and the
// Unicode line and paragraph separators, is written as a Go escape (\n,
// \x1b, \u2028). A name or a path holding a line break then cannot forge
// a finding line or a CI workflow command (::error) of its own, nor
// repaint a terminal.
func printable(s string) string {
	i := strings.IndexFunc(s, unprintable)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !unprintable(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r) // '\n', '\x1b', '\u2028'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func unprintable(r rune) bool {
	return r != '\t' && unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
