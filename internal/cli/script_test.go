package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
)

// The end-to-end tests run the portlint binary, built once per test run,
// over small modules written by txtar scripts in testdata/script. The
// scripts use testscript's language (exec, cmp, stdout, cd, ...) plus the
// commands in scriptCmds.

var built struct {
	once sync.Once
	dir  string // removed by TestMain
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	// in-process runs keep their results in a cache of their own
	cache := ""
	if os.Getenv("PORTLINT_CACHE") == "" {
		var err error
		if cache, err = os.MkdirTemp("", "portlint-cache-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("PORTLINT_CACHE", cache)
	}
	code := m.Run()
	if cache != "" {
		os.RemoveAll(cache)
	}
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// portlintBinary builds cmd/portlint into a temporary directory, once.
func portlintBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "portlint-e2e-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "portlint")
		if runtime.GOOS == "windows" {
			built.bin += ".exe"
		}
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			built.err = err
			return
		}
		cmd := exec.Command("go", "build", "-o", built.bin, "./cmd/portlint")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/portlint: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// goEnv returns the go command's view of the variables the scripts pass
// on: the build and module caches, so that runs are warm and offline.
func goEnv(t testing.TB) map[string]string {
	t.Helper()
	names := []string{"GOROOT", "GOCACHE", "GOMODCACHE"}
	out, err := exec.Command("go", append([]string{"env"}, names...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(vals) != len(names) {
		t.Fatalf("go env: got %q", out)
	}
	m := map[string]string{}
	for i, n := range names {
		m[n] = vals[i]
	}
	return m
}

// TestScripts runs every testdata/script/*.txtar. Each script writes its
// own module (stdlib imports only) and runs $PORTLINT, go build and go vet
// in it without network access.
func TestScripts(t *testing.T) {
	bin := portlintBinary(t)
	genv := goEnv(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       regUpdate(), // go test -run TestScripts -update
		Setup: func(env *testscript.Env) error {
			env.Setenv("PORTLINT", bin)
			env.Setenv("PATH", filepath.Dir(goBin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			for k, v := range genv {
				env.Setenv(k, v)
			}
			env.Setenv("GOPATH", filepath.Join(env.WorkDir, ".gopath"))
			env.Setenv("GOPROXY", "off")
			env.Setenv("GOFLAGS", "-mod=mod")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("GOWORK", "off")
			env.Setenv("GOENV", "off")
			env.Setenv("CGO_ENABLED", "0")
			// a result cache per script: runs after the first replay
			env.Setenv("PORTLINT_CACHE", filepath.Join(env.WorkDir, ".portlint-cache"))
			return nil
		},
		Cmds: scriptCmds,
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "ci":
				return os.Getenv("CI") == "true", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// scriptCmds are the commands the scripts add to testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"portlint":   cmdPortlint,
	"jsonlines":  cmdJSONLines,
	"sarif":      cmdSARIF,
	"portsjson":  cmdPortsJSON,
	"linecount":  cmdLineCount,
	"unchanged":  cmdUnchanged,
	"snapshot":   cmdSnapshot,
	"unreadable": cmdUnreadable,
}

// cmdPortlint runs "portlint STATUS ARGS...": the binary with ARGS, which
// must exit with STATUS. Its output is kept for stdout, stderr and cmp.
func cmdPortlint(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! portlint; give the expected exit status")
	}
	if len(args) < 1 {
		ts.Fatalf("usage: portlint STATUS [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("portlint: exit status %q is not a number", args[0])
	}
	bin, rest := ts.Getenv("PORTLINT"), args[1:]
	if uid := ts.Getenv("PORTLINT_UID"); uid != "" {
		// run as another user (see unreadable)
		rest = append([]string{"--reuid=" + uid, "--regid=" + uid, "--clear-groups", bin}, rest...)
		bin = "setpriv"
	}
	err = ts.Exec(bin, rest...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("portlint: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("portlint %s: exit status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// hasKeys checks that a decoded JSON object has the keys.
func hasKeys(obj map[string]any, keys ...string) error {
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			return fmt.Errorf("no %q in %v", k, obj)
		}
	}
	return nil
}

// cmdJSONLines checks the stdout of a portlint -json run: every line is
// one object with exactly one of config, finding, error, note, summary, as the
// README documents; the config comes first and the summary last; every
// position is relative and points at the line and column its byte offset
// names in the file; the summary counts the findings printed. With
// arguments, it also checks the run's enabled checks are exactly those.
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! jsonlines")
	}
	text, args := scriptOutput(ts, args)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 2 {
		ts.Fatalf("jsonlines: %d lines, want a config and a summary at least", len(lines))
	}
	findings := 0
	for i, line := range lines {
		var raw map[string]map[string]any
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			ts.Fatalf("jsonlines: line %d: %v: %s", i+1, err, line)
		}
		if len(raw) != 1 {
			ts.Fatalf("jsonlines: line %d has %d keys, want exactly one: %s", i+1, len(raw), line)
		}
		var msg finding.Message
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&msg); err != nil {
			ts.Fatalf("jsonlines: line %d does not decode as finding.Message: %v", i+1, err)
		}
		switch {
		case msg.Config != nil:
			if i != 0 {
				ts.Fatalf("jsonlines: config on line %d, want line 1", i+1)
			}
			ts.Check(hasKeys(raw["config"], "protocol_version", "portlint_version", "registry", "checks"))
			if msg.Config.ProtocolVersion != finding.ProtocolVersion {
				ts.Fatalf("jsonlines: protocol_version %q, want %q", msg.Config.ProtocolVersion, finding.ProtocolVersion)
			}
			if len(args) > 0 {
				want := append([]string(nil), args...)
				sort.Strings(want)
				if got := strings.Join(msg.Config.Checks, ","); got != strings.Join(want, ",") {
					ts.Fatalf("jsonlines: checks %s, want %s", got, strings.Join(want, ","))
				}
			}
		case msg.Finding != nil:
			findings++
			f := msg.Finding
			ts.Check(hasKeys(raw["finding"], "check", "severity", "message", "pos", "end"))
			if check.Lookup(f.Check) == nil {
				ts.Fatalf("jsonlines: line %d: unknown check %q", i+1, f.Check)
			}
			switch f.Severity {
			case check.Error, check.Warning, check.Note:
			default:
				ts.Fatalf("jsonlines: line %d: severity %q", i+1, f.Severity)
			}
			if f.Message == "" || strings.HasSuffix(f.Message, ".") || strings.HasSuffix(f.Message, "]") {
				ts.Fatalf("jsonlines: line %d: message %q", i+1, f.Message)
			}
			// every finding says what to do about it
			if f.Hint == "" || strings.HasSuffix(f.Hint, ".") || strings.Contains(f.Hint, check.HintSep) {
				ts.Fatalf("jsonlines: line %d: hint %q", i+1, f.Hint)
			}
			checkPos(ts, "pos", f.Pos)
			checkPos(ts, "end", f.End)
			for _, r := range f.Related {
				if r.Message == "" {
					ts.Fatalf("jsonlines: line %d: related %+v", i+1, r)
				}
				checkPos(ts, "related", r.Pos)
			}
			for _, fx := range f.Fixes {
				if fx.Message == "" || len(fx.Edits) == 0 {
					ts.Fatalf("jsonlines: line %d: fix %+v", i+1, fx)
				}
				for _, e := range fx.Edits {
					data := readRel(ts, e.File)
					if filepath.IsAbs(e.File) || e.Start < 0 || e.End < e.Start || e.End > len(data) {
						ts.Fatalf("jsonlines: line %d: edit %+v outside %s (%d bytes)", i+1, e, e.File, len(data))
					}
				}
			}
		case msg.Error != nil:
			if msg.Error.Message == "" {
				ts.Fatalf("jsonlines: line %d: empty error", i+1)
			}
		case msg.Note != nil:
			if msg.Note.Message == "" {
				ts.Fatalf("jsonlines: line %d: empty note", i+1)
			}
		case msg.Summary != nil:
			if i != len(lines)-1 {
				ts.Fatalf("jsonlines: summary on line %d of %d, want the last", i+1, len(lines))
			}
			ts.Check(hasKeys(raw["summary"], "packages", "manifests", "findings", "ignored"))
			if msg.Summary.Findings != findings {
				ts.Fatalf("jsonlines: summary counts %d findings, %d printed", msg.Summary.Findings, findings)
			}
		default:
			ts.Fatalf("jsonlines: line %d sets no known key: %s", i+1, line)
		}
	}
}

// scriptOutput returns the output a checking command reads: the last
// command's stdout, or with "-in FILE" as the first arguments the file
// (what portlint -o wrote), and the arguments left.
func scriptOutput(ts *testscript.TestScript, args []string) (string, []string) {
	if len(args) >= 2 && args[0] == "-in" {
		return string(readRel(ts, args[1])), args[2:]
	}
	return ts.ReadFile("stdout"), args
}

// readRel reads a file named relative to the script's directory.
func readRel(ts *testscript.TestScript, name string) []byte {
	data, err := os.ReadFile(ts.MkAbs(name))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	return data
}

// checkPos checks that a position is relative and that its line and
// column (1-based, in bytes) are where its offset is.
func checkPos(ts *testscript.TestScript, what string, p check.Position) {
	if filepath.IsAbs(p.File) || strings.HasPrefix(p.File, "..") {
		ts.Fatalf("%s: file %q is not relative to the working directory", what, p.File)
	}
	data := readRel(ts, p.File)
	if p.Offset < 0 || p.Offset > len(data) || p.Line < 1 || p.Column < 1 {
		ts.Fatalf("%s: %+v outside %s", what, p, p.File)
	}
	line := 1 + bytes.Count(data[:p.Offset], []byte("\n"))
	col := p.Offset - (bytes.LastIndexByte(data[:p.Offset], '\n') + 1) + 1
	if line != p.Line || col != p.Column {
		ts.Fatalf("%s: %s offset %d is %d:%d, but the position says %d:%d", what, p.File, p.Offset, line, col, p.Line, p.Column)
	}
}

// sarifSchema is the official SARIF 2.1.0 schema, compiled once.
var sarifSchema struct {
	once sync.Once
	s    *jsonschema.Schema
	err  error
}

func compileSARIFSchema() (*jsonschema.Schema, error) {
	sarifSchema.once.Do(func() {
		path, err := filepath.Abs(filepath.Join("testdata", "sarif", "sarif-schema-2.1.0.json"))
		if err != nil {
			sarifSchema.err = err
			return
		}
		f, err := os.Open(path)
		if err != nil {
			sarifSchema.err = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			sarifSchema.err = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		// The schema names itself by its OASIS address; keep it offline.
		const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
		if err := c.AddResource(id, doc); err != nil {
			sarifSchema.err = err
			return
		}
		sarifSchema.s, sarifSchema.err = c.Compile(id)
	})
	return sarifSchema.s, sarifSchema.err
}

// cmdSARIF checks the stdout of a portlint -sarif run: valid against the
// official SARIF 2.1.0 schema; one rule per enabled check (the arguments)
// with a description and help; every result's rule among them; every
// region a real one (start before end, inside the file, starting on the
// text the finding's message names); and, where an argument says
// CHECK=fix, every result of CHECK carries a fix whose replacement lies in
// the file.
func cmdSARIF(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sarif")
	}
	schema, err := compileSARIFSchema()
	if err != nil {
		ts.Fatalf("sarif schema: %v", err)
	}
	out, args := scriptOutput(ts, args)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		ts.Fatalf("sarif: not JSON: %v", err)
	}
	if err := schema.Validate(inst); err != nil {
		ts.Fatalf("sarif: invalid against the SARIF 2.1.0 schema: %v", err)
	}
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		ts.Fatalf("sarif: %v", err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		ts.Fatalf("sarif: version %q with %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	wantFix := map[string]bool{}
	var want []string
	for _, a := range args {
		name, fix := strings.CutSuffix(a, "=fix")
		want = append(want, name)
		wantFix[name] = fix
	}
	sort.Strings(want)
	var got []string
	rules := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		got = append(got, r.ID)
		rules[r.ID] = true
		c := check.Lookup(r.ID)
		if c == nil || r.ShortDescription.Text != c.Title || r.Help.Text == "" || r.HelpURI == "" || r.DefaultConfiguration.Level != sarifLevel(c.Severity) {
			ts.Fatalf("sarif: rule %+v does not describe check %q", r, r.ID)
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		ts.Fatalf("sarif: rules %v, want one per enabled check %v", got, want)
	}
	if len(run.Results) == 0 {
		ts.Fatalf("sarif: no results")
	}
	for _, res := range run.Results {
		if !rules[res.RuleID] {
			ts.Fatalf("sarif: result of rule %q, which the run does not declare", res.RuleID)
		}
		if len(res.Locations) != 1 {
			ts.Fatalf("sarif: result %q has %d locations", res.Message.Text, len(res.Locations))
		}
		loc := res.Locations[0].PhysicalLocation
		data := sarifArtifact(ts, run, loc.ArtifactLocation)
		start, end := regionOffsets(ts, data, loc.Region)
		if end <= start {
			ts.Fatalf("sarif: result %q: empty region %+v", res.Message.Text, loc.Region)
		}
		// A finding's region covers the port or the address that holds it.
		text := string(data[start:end])
		if !strings.ContainsAny(text, "0123456789") {
			ts.Fatalf("sarif: result %q: region %+v covers %q, which holds no port", res.Message.Text, loc.Region, text)
		}
		if wantFix[res.RuleID] && len(res.Fixes) == 0 {
			ts.Fatalf("sarif: result %q of %s has no fix", res.Message.Text, res.RuleID)
		}
		for _, fx := range res.Fixes {
			if fx.Description.Text == "" || len(fx.ArtifactChanges) == 0 {
				ts.Fatalf("sarif: fix %+v", fx)
			}
			for _, ac := range fx.ArtifactChanges {
				fdata := sarifArtifact(ts, run, ac.ArtifactLocation)
				for _, rp := range ac.Replacements {
					d := rp.DeletedRegion
					if d.ByteOffset == nil || d.ByteLength == nil || *d.ByteOffset+*d.ByteLength > len(fdata) {
						ts.Fatalf("sarif: replacement %+v outside the file", rp)
					}
				}
			}
		}
	}
}

// sarifArtifact reads the file an artifact location names: relative to
// %SRCROOT%, which must be the script's working directory.
func sarifArtifact(ts *testscript.TestScript, run sarifRun, al sarifArtifactLocation) []byte {
	if al.URIBaseID != "%SRCROOT%" {
		ts.Fatalf("sarif: artifact %+v is not relative to %%SRCROOT%%", al)
	}
	root := run.OriginalURIBaseIDs["%SRCROOT%"].URI
	wd := filepath.ToSlash(ts.MkAbs("."))
	if root != "file://"+wd+"/" {
		ts.Fatalf("sarif: %%SRCROOT%% is %q, want file://%s/", root, wd)
	}
	return readRel(ts, al.URI)
}

// regionOffsets converts a SARIF region (1-based lines, columns in
// bytes, end column exclusive) to byte offsets in data.
func regionOffsets(ts *testscript.TestScript, data []byte, r sarifRegion) (start, end int) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	at := func(line, col int) int {
		if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1])+1 {
			ts.Fatalf("sarif: region %+v outside the file (%d lines)", r, len(lines))
		}
		off := 0
		for _, l := range lines[:line-1] {
			off += len(l)
		}
		return off + col - 1
	}
	return at(r.StartLine, r.StartColumn), at(r.EndLine, r.EndColumn)
}

// The parts of a SARIF log the checks read.
type (
	sarifLog struct {
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					Help struct {
						Text string `json:"text"`
					} `json:"help"`
					HelpURI              string `json:"helpUri"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Results []struct {
			RuleID  string `json:"ruleId"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
					Region           sarifRegion           `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			Fixes []struct {
				Description struct {
					Text string `json:"text"`
				} `json:"description"`
				ArtifactChanges []struct {
					ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
					Replacements     []struct {
						DeletedRegion struct {
							ByteOffset *int `json:"byteOffset"`
							ByteLength *int `json:"byteLength"`
						} `json:"deletedRegion"`
					} `json:"replacements"`
				} `json:"artifactChanges"`
			} `json:"fixes"`
		} `json:"results"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine"`
		EndColumn   int `json:"endColumn"`
	}
)

// cmdPortsJSON checks the stdout of portlint ports -json: every line one
// use with the documented fields, positions relative and real, the role
// one of the four; with arguments FIELD=VALUE..., some line must match
// them all.
func cmdPortsJSON(ts *testscript.TestScript, neg bool, args []string) {
	lines := strings.Split(strings.TrimSuffix(ts.ReadFile("stdout"), "\n"), "\n")
	matched := false
	for i, line := range lines {
		var raw map[string]any
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			ts.Fatalf("portsjson: line %d: %v: %s", i+1, err, line)
		}
		ts.Check(hasKeys(raw, "file", "line", "column", "port", "proto", "bind", "role", "source"))
		var rec finding.Record
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			ts.Fatalf("portsjson: line %d: %v", i+1, err)
		}
		switch rec.Role {
		case "listen", "dial", "default", "expose", "configure", "match", "redirect":
		default:
			ts.Fatalf("portsjson: line %d: role %q", i+1, rec.Role)
		}
		if rec.Port < 1 || rec.Port > 65535 || rec.Source == "" || rec.Proto == "" {
			ts.Fatalf("portsjson: line %d: %s", i+1, line)
		}
		if filepath.IsAbs(rec.File) {
			ts.Fatalf("portsjson: line %d: absolute file %q", i+1, rec.File)
		}
		data := readRel(ts, rec.File)
		ls := bytes.Split(data, []byte("\n"))
		if rec.Line < 1 || rec.Line > len(ls) || rec.Column < 1 || rec.Column > len(ls[rec.Line-1]) {
			ts.Fatalf("portsjson: line %d: %s:%d:%d is outside the file", i+1, rec.File, rec.Line, rec.Column)
		}
		all := true
		for _, a := range args {
			k, v, _ := strings.Cut(a, "=")
			if fmt.Sprint(raw[k]) != v {
				all = false
			}
		}
		matched = matched || all
	}
	if len(args) > 0 && matched == neg {
		if neg {
			ts.Fatalf("portsjson: a use matches %v", args)
		}
		ts.Fatalf("portsjson: no use matches %v", args)
	}
}

// cmdUnreadable makes "unreadable FILE" unreadable to the portlint runs
// that follow. As root, whom permissions do not stop, those runs switch to
// the nobody user with setpriv (util-linux), and the work directory and
// the binary are opened to them. Scripts skip it as root without setpriv
// unless CI=true: [root] [!exec:setpriv] [!ci] skip.
func cmdUnreadable(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: unreadable FILE")
	}
	ts.Check(os.Chmod(ts.MkAbs(args[0]), 0))
	if os.Geteuid() != 0 {
		return
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		ts.Fatalf("setpriv is needed to run as another user: apt-get install -y util-linux")
	}
	work := ts.Getenv("WORK")
	for _, d := range []string{work, filepath.Dir(work), filepath.Dir(ts.Getenv("PORTLINT"))} {
		ts.Check(os.Chmod(d, 0o755))
	}
	ts.Setenv("PORTLINT_UID", "65534")
}

// cmdLineCount checks "linecount FILE N": FILE (stdout, stderr or a file)
// has N lines.
func cmdLineCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: linecount FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("linecount: %v", err)
	}
	text := ts.ReadFile(args[0])
	got := strings.Count(text, "\n")
	if (got == n) == neg {
		ts.Fatalf("linecount: %s has %d lines, want %s%d", args[0], got, map[bool]string{true: "not ", false: ""}[neg], n)
	}
}

// cmdSnapshot copies every regular file under DIR into DIR/.snapshot (kept
// out of Go and manifest discovery by its dot), for unchanged.
func cmdSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: snapshot DIR")
	}
	root := ts.MkAbs(args[0])
	snap := filepath.Join(root, ".snapshot")
	ts.Check(os.RemoveAll(snap))
	ts.Check(filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(snap, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o666)
	}))
}

// cmdUnchanged checks "unchanged DIR": every file under DIR is as the last
// snapshot of DIR saw it, and no file was added or removed.
func cmdUnchanged(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: unchanged DIR")
	}
	root := ts.MkAbs(args[0])
	snap := filepath.Join(root, ".snapshot")
	seen := map[string]bool{}
	ts.Check(filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		seen[rel] = true
		now, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		before, err := os.ReadFile(filepath.Join(snap, rel))
		if err != nil {
			return fmt.Errorf("%s was added", rel)
		}
		if !bytes.Equal(now, before) {
			return fmt.Errorf("%s changed", rel)
		}
		return nil
	}))
	ts.Check(filepath.WalkDir(snap, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(snap, p)
		if !seen[rel] {
			return fmt.Errorf("%s was removed", rel)
		}
		return nil
	}))
}
