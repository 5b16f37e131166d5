package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":            "plain text",
		"tab\tkept":             "tab\tkept",
		"a\n::error::forged":    `a\n::error::forged`,
		"cr\rand esc\x1b[2J":    `cr\rand esc\x1b[2J`,
		"sep\u2028line":         `sep\u2028line`,
		"总控 stays":              "总控 stays",
		"nul\x00 and del\x7f":   `nul\x00 and del\x7f`,
		"next line \u0085 here": `next line \u0085 here`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTextOutputCannotBeForged lints a manifest whose file name holds a
// line break followed by a GitHub workflow command: the finding stays on
// one line, and no output line starts with the forged command.
func TestTextOutputCannotBeForged(t *testing.T) {
	dir := t.TempDir()
	name := "deploy\n::error file=main.go,line=1::forged finding\n.yaml"
	manifest := "services:\n  web:\n    image: web\n    ports: [\"8080:8080\"]\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(manifest), 0o644); err != nil {
		t.Skipf("this file system refuses a line break in a file name: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-no-go", "."}, {"ports", "-no-go", "."}} {
		var stdout, stderr bytes.Buffer
		_ = Run(context.Background(), &Env{Stdout: &stdout, Stderr: &stderr, Dir: dir}, args)
		out := stdout.String() + stderr.String()
		if !strings.Contains(out, `deploy\n::error file=main.go,line=1::forged finding\n.yaml`) {
			t.Errorf("%v: the file with the hostile name is not reported, escaped:\n%s", args, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "::error") || strings.HasPrefix(line, ".yaml") {
				t.Errorf("%v: a forged line: %q", args, line)
			}
		}
	}
}
