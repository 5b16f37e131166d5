package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestSARIFPlain: the SARIF log of the engine example, checked against
// the embedded plan, holds no empty array and no -1 placeholder, and every
// URI is valid: relative to %SRCROOT%, or absolute, as the embedded
// registry's address in portlint's repository is.
func TestSARIFPlain(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Dir: filepath.Join(repoRoot(t), "examples", "engine")}
	if err := Run(context.Background(), env, []string{"-sarif", "-registry", "builtin", "./..."}); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var log any
	if err := json.Unmarshal(stdout.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	embedded := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case []any:
			if len(x) == 0 {
				t.Errorf("%s: an empty array", path)
			}
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case map[string]any:
			if uri, ok := x["uri"].(string); ok {
				u, err := url.Parse(uri)
				switch {
				case err != nil:
					t.Errorf("%s: uri %q: %v", path, uri, err)
				case !u.IsAbs() && x["uriBaseId"] == nil:
					t.Errorf("%s: relative uri %q without uriBaseId", path, uri)
				case strings.ContainsAny(uri, " ()"):
					t.Errorf("%s: uri %q is not escaped", path, uri)
				}
				if uri == "https://github.com/portlint/portlint/blob/main/registry.yaml" {
					embedded++
				}
			}
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case float64:
			if x < 0 {
				t.Errorf("%s: %v", path, x)
			}
		}
	}
	walk("$", log)
	if embedded == 0 {
		t.Errorf("no location names the embedded registry by its address:\n%s", stdout.String())
	}
}
