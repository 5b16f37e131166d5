package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// TestPortMapAgreesWithLint: the port map of an inventory (portlint ports
// -json) shows what portlint reports for the same tree: its banner counts
// one conflict per error finding and one "used, not planned" per warning,
// every finding is a row of the map's table with its status, and a
// foreign-range error is a conflict. The page is read in headless
// Chromium, as a user sees it.
func TestPortMapAgreesWithLint(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		msg := "chromium is not installed; apt-get install -y chromium"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	engine := filepath.Join(repoRoot(t), "examples", "engine")
	run := func(args ...string) []byte {
		t.Helper()
		var stdout, stderr bytes.Buffer
		env := &Env{Stdout: &stdout, Stderr: &stderr, Dir: engine}
		if err := Run(context.Background(), env, args); err != nil {
			t.Fatalf("portlint %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.Bytes()
	}

	// what portlint reports
	errs, warns := 0, 0
	var foreign []string
	for _, line := range strings.Split(strings.TrimSpace(string(run("-registry", "builtin", "-json", "./..."))), "\n") {
		var m finding.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m.Finding == nil {
			continue
		}
		if m.Finding.Severity == check.Error {
			errs++
		} else {
			warns++
		}
		if m.Finding.Check == check.ForeignRange {
			foreign = append(foreign, m.Finding.Message)
		}
	}
	if errs == 0 || len(foreign) == 0 {
		t.Fatalf("the engine example should have errors, a foreign-range among them: %d errors, %v", errs, foreign)
	}

	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.jsonl")
	mustWrite(t, inv, run("-registry", "builtin", "ports", "-json", "./..."))
	page := filepath.Join(dir, "portmap.html")
	if _, stderr, code := runExport(t, repoRoot(t), "export", "-format", "html", "-o", page, "-inventory", inv, "registry.yaml"); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	tctx, tcancel := chromedp.NewContext(actx)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	type row struct{ Status, Why string }
	type view struct {
		Banner string
		Rows   []row
	}
	got, err := chromedp.Run(tctx, chromedp.Evaluate[view](`(() => ({
		Banner: document.querySelector('.overlay-summary').innerText,
		Rows: [...document.querySelectorAll('table.inv tbody tr')].map(tr => ({Status: tr.className, Why: tr.lastElementChild.innerText})),
	}))()`))
	if err != nil {
		t.Fatal(err)
	}
	count := func(what string) int {
		m := regexp.MustCompile(`(\d+|no) ` + what).FindStringSubmatch(got.Banner)
		if m == nil {
			t.Fatalf("the banner %q does not count %q", got.Banner, what)
		}
		n, _ := strconv.Atoi(m[1]) // "no conflicts" is 0
		return n
	}
	if c, u := count("conflicts?"), count("used, not planned"); c != errs || u != warns {
		t.Errorf("the map's banner %q counts %d conflicts and %d unplanned; portlint reports %d errors and %d warnings", got.Banner, c, u, errs, warns)
	}
	if len(got.Rows) != errs+warns {
		t.Errorf("the map's table has %d rows; portlint reports %d findings: %+v", len(got.Rows), errs+warns, got.Rows)
	}
	for _, msg := range foreign {
		ok := false
		for _, r := range got.Rows {
			if strings.Contains(r.Why, msg) {
				ok = r.Status == "conflict"
			}
		}
		if !ok {
			t.Errorf("foreign-range %q is not a conflict on the map: %+v", msg, got.Rows)
		}
	}
}
