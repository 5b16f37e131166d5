package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// quickStart reads the README's first command (go run ./cmd/portlint
// ARGS), the output it shows, and the exit status it states.
func quickStart(t *testing.T, readme string) (args []string, want string, status int) {
	t.Helper()
	_, qs, ok := strings.Cut(readme, "\n## Quick start\n")
	if !ok {
		t.Fatal("README.md has no Quick start section")
	}
	blocks := regexp.MustCompile("(?s)\n```\n(.*?)```\n").FindAllStringSubmatchIndex(qs, 2)
	if len(blocks) < 2 {
		t.Fatal("the Quick start has no command and output blocks")
	}
	cmd := strings.TrimSpace(qs[blocks[0][2]:blocks[0][3]])
	rest, ok := strings.CutPrefix(cmd, "go run ./cmd/portlint ")
	if !ok {
		t.Fatalf("the first command is %q, not go run ./cmd/portlint", cmd)
	}
	want = qs[blocks[1][2]:blocks[1][3]]
	m := regexp.MustCompile(`exits with status (\d+)`).FindStringSubmatch(qs[blocks[1][1]:])
	if m == nil {
		t.Fatal("the Quick start does not state the exit status")
	}
	status, _ = strconv.Atoi(m[1])
	return strings.Fields(rest), want, status
}

// TestReadmeQuickStart runs the README's first command with the built
// binary from the repository root: the output and exit status must be
// exactly what the README shows.
func TestReadmeQuickStart(t *testing.T) {
	bin := portlintBinary(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	args, want, status := quickStart(t, string(data))
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("portlint %s printed\n%s\nthe README shows\n%s", strings.Join(args, " "), out, want)
	}
	if stderr.Len() != 0 {
		t.Errorf("portlint %s wrote on stderr, which the README does not show:\n%s", strings.Join(args, " "), stderr.String())
	}
	if code != status {
		t.Errorf("portlint %s exited %d, the README says %d; stderr:\n%s", strings.Join(args, " "), code, status, stderr.String())
	}
	if n := strings.Count(want, "\n"); n != 6 {
		t.Errorf("the README shows %d findings; the example plants 6", n)
	}
}
