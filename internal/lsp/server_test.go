package lsp

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portlint/portlint/internal/lsp/lsptest"
)

const (
	agentGo     = "cmd/agent/main.go"
	agentAPIGo  = "cmd/agent/api/main.go"
	webGo       = "cmd/webserver/main.go"
	portsGo     = "internal/ports/ports.go"
	daemonset   = "deploy/agent/daemonset.yaml"
	registryYML = "registry.yaml"
)

func TestGoDiagnosticsInUTF16(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	text := c.open(agentGo)
	ds := c.waitCount(agentGo, 1)
	d := ds[0]
	if d.Message != "port 8099 is retired: agent moved to 20000\nhint: use 20000, the port that replaced it" || d.Code != "retired" || d.Severity != SeverityError || d.Source != "portlint" {
		t.Errorf("diagnostic = %+v", d)
	}
	// «旧» 🚀 precede the port on its line: the column counts UTF-16 units
	// (« 1, 旧 1, 🚀 2), not bytes.
	want := span(t, text, "8099", 0)
	if d.Range != want {
		t.Errorf("range = %+v, want %+v", d.Range, want)
	}
	line := strings.Split(text, "\n")[want.Start.Line]
	if byteCol := strings.Index(line, "8099"); byteCol == want.Start.Character {
		t.Fatalf("the fixture line %q no longer tells bytes from UTF-16 units", line)
	}
	if len(d.RelatedInformation) == 0 {
		t.Fatal("no related information")
	}
	rel := d.RelatedInformation[0]
	reg, _ := os.ReadFile(c.path(registryYML))
	if rel.Location.URI != c.uri(registryYML) {
		t.Errorf("related location %s, want the registry", rel.Location.URI)
	}
	if got := textAt(t, string(reg), rel.Location.Range); got != "8099" {
		t.Errorf("related range covers %q in the registry, want the retired port 8099 (%+v)", got, rel)
	}
}

// textAt returns the text a range covers, converting UTF-16 columns
// independently of the server.
func textAt(t *testing.T, text string, r Range) string {
	t.Helper()
	return text[offsetOf(text, r.Start):offsetOf(text, r.End)]
}

func TestManifestDiagnosticsHoverAndFix(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	text := c.open(daemonset)
	ds := c.waitCount(daemonset, 2)
	byCode := map[string]Diagnostic{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	ret, res := byCode["retired"], byCode["reserved"]
	if ret.Message != "port 8099 is retired: agent moved to 20000\nhint: use 20000, the port that replaced it" || ret.Range != span(t, text, "8099", 0) {
		t.Errorf("retired = %+v, want at %+v", ret, span(t, text, "8099", 0))
	}
	if res.Message != "port 15001 is reserved by the platform (Istio Envoy outbound)\nhint: use 20002, the next free port of engine.install, and register it for agent" || res.Range != span(t, text, "15001", 0) {
		t.Errorf("reserved = %+v", res)
	}

	h := c.hover(daemonset, find(t, text, "8099", 0))
	if h == nil {
		t.Fatal("no hover on 8099")
	}
	for _, want := range []string{"**port 8099**", "agent", "**retired**: was agent's; replaced by `20000`"} {
		if !strings.Contains(h.Contents.Value, want) {
			t.Errorf("hover lacks %q:\n%s", want, h.Contents.Value)
		}
	}
	if h.Range == nil || *h.Range != span(t, text, "8099", 0) {
		t.Errorf("hover range = %+v", h.Range)
	}
	h = c.hover(daemonset, find(t, text, "15001", 0))
	if h == nil || !strings.Contains(h.Contents.Value, "**reserved** by the platform: Istio Envoy outbound") {
		t.Errorf("hover on 15001 = %+v", h)
	}

	as := c.codeActions(daemonset, Range{Start: find(t, text, "8099", 0), End: find(t, text, "8099", 0)})
	if len(as) != 1 || as[0].Title != "Replace 8099 with 20000" || as[0].Kind != QuickFix {
		t.Fatalf("code actions = %+v", as)
	}
	fixed := applyEdits(t, text, as[0].Edit.Changes[c.uri(daemonset)])
	if want := strings.Replace(text, "containerPort: 8099", "containerPort: 20000", 1); fixed != want {
		t.Fatalf("after the fix:\n%s\nwant:\n%s", fixed, want)
	}
	v := c.replace(daemonset, fixed)
	p := c.waitDiags(daemonset, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Code != "reserved" {
		t.Errorf("after the fix: %+v", p.Diagnostics)
	}
	if as := c.codeActions(daemonset, Range{Start: find(t, text, "15001", 0), End: find(t, text, "15001", 0)}); len(as) != 0 {
		t.Errorf("a reserved port has no fix, got %+v", as)
	}
}

func TestGoCodeAction(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	text := c.open(agentGo)
	c.waitCount(agentGo, 1)
	at := span(t, text, "8099", 0)
	as := c.codeActions(agentGo, at)
	if len(as) != 1 || as[0].Title != "Replace 8099 with 20000" || !as[0].IsPreferred {
		t.Fatalf("code actions = %+v", as)
	}
	edits := as[0].Edit.Changes[c.uri(agentGo)]
	if len(edits) != 1 || edits[0].Range != at || edits[0].NewText != "20000" {
		t.Fatalf("edits = %+v, want 20000 at %+v", edits, at)
	}
	fixed := applyEdits(t, text, edits)
	if !strings.Contains(fixed, `/* «旧» 🚀 */ ":20000"`) {
		t.Fatalf("fixed text:\n%s", fixed)
	}
	all := c.codeActions(agentGo, Range{}, "source.fixAll")
	if len(all) != 1 || all[0].Kind != "source.fixAll.portlint" || applyEdits(t, text, all[0].Edit.Changes[c.uri(agentGo)]) != fixed {
		t.Errorf("fix-all = %+v", all)
	}
	v := c.replace(agentGo, fixed)
	p := c.waitDiags(agentGo, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	if len(p.Diagnostics) != 0 {
		t.Errorf("after the fix: %+v", p.Diagnostics)
	}
}

func TestHoverGoAndRegistry(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	api := c.open(agentAPIGo)
	c.waitCount(agentAPIGo, 0)
	h := c.hover(agentAPIGo, find(t, api, "20000", 0))
	if h == nil {
		t.Fatal("no hover on 20000")
	}
	for _, want := range []string{
		"**port 20000**/tcp · listen on any · agent (by package) · http.ListenAndServe",
		"owner: **agent** `20000` · group engine · planes SE-M, SE-W · node API",
		"range **engine.install** `[20000, 20100)` (SE-M, SE-W)",
		"free nearby in engine.install: 20002, 20003",
	} {
		if !strings.Contains(h.Contents.Value, want) {
			t.Errorf("hover lacks %q:\n%s", want, h.Contents.Value)
		}
	}
	text := c.open(agentGo)
	c.waitCount(agentGo, 1)
	h = c.hover(agentGo, find(t, text, "8099", 0))
	if h == nil || !strings.Contains(h.Contents.Value, "**retired**: was agent's; replaced by `20000`") {
		t.Errorf("hover on 8099 = %+v", h)
	}
	if h := c.hover(agentGo, find(t, text, "log.Print", 0)); h != nil {
		t.Errorf("hover away from a port = %+v", h)
	}

	reg := c.open(registryYML)
	h = c.hover(registryYML, find(t, reg, "20202", 0))
	if h == nil {
		t.Fatal("no hover on 20202 in the registry")
	}
	for _, want := range []string{"owner: **webserver** `20202`", "range **engine.mgmt.apps** `[20200, 20300)` (SE-M)", "free nearby in engine.mgmt.apps: 20201, 20203, 20204"} {
		if !strings.Contains(h.Contents.Value, want) {
			t.Errorf("registry hover lacks %q:\n%s", want, h.Contents.Value)
		}
	}
}

func TestRegistryEditRechecksOpenDocuments(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{RegistryDelay: 50 * time.Millisecond})
	c.open(agentGo)
	c.open(daemonset)
	c.waitCount(agentGo, 1)
	c.waitCount(daemonset, 2)
	reg := c.open(registryYML)
	c.waitCount(registryYML, 0)

	// A load error: the registry reports it where it is, and the open
	// documents keep the verdicts of the last plan that loaded.
	broken := strings.Replace(reg, `pool: "[20000, 29000)"`, `pool: "[20000, 29000"`, 1)
	v := c.replace(registryYML, broken)
	p := c.waitDiags(registryYML, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	if len(p.Diagnostics) == 0 || p.Diagnostics[0].Code != "bad-value" || p.Diagnostics[0].Severity != SeverityError {
		t.Fatalf("registry diagnostics = %+v", p.Diagnostics)
	}
	if at := find(t, broken, `"[20000, 29000"`, 0); p.Diagnostics[0].Range.Start.Line != at.Line {
		t.Errorf("load error at %+v, want line %d", p.Diagnostics[0].Range, at.Line)
	}

	// The plan forgets that 8099 was the agent's and gives 20202 to the
	// agent too: the Go file loses its finding, the manifest keeps only
	// the reserved port, and the registry reports the conflict.
	edited := strings.Replace(reg, "{port: 20000, was: 8099, purpose: node API}", "{port: 20000, purpose: node API}\n      - {port: 8099, exception: kept for 2.x installers}", 1)
	edited = strings.Replace(edited, "{port: 20001, purpose: metrics}", "{port: 20202, purpose: metrics}", 1)
	v = c.replace(registryYML, edited)
	p = c.waitDiags(registryYML, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	var conflict *Diagnostic
	for i, d := range p.Diagnostics {
		if d.Code == "port-conflict" {
			conflict = &p.Diagnostics[i]
		}
	}
	if conflict == nil {
		t.Fatalf("no port-conflict in %+v", p.Diagnostics)
	}
	if len(conflict.RelatedInformation) == 0 || textAt(t, edited, conflict.RelatedInformation[0].Location.Range) == "" {
		t.Errorf("conflict without related information: %+v", conflict)
	}
	c.waitCount(agentGo, 0)
	ds := c.waitCount(daemonset, 1)
	if ds[0].Code != "reserved" {
		t.Errorf("manifest after the registry edit: %+v", ds)
	}
}

func TestRapidEditsAreDebounced(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{GoDelay: 150 * time.Millisecond})
	text := c.open(webGo)
	ds := c.waitCount(webGo, 1)
	if !strings.Contains(ds[0].Message, "port 28955 lies in range engine.data") {
		t.Fatalf("diagnostics = %+v", ds)
	}
	before := c.stats().goRuns
	// Type a new port digit by digit over the UI's, as a user would,
	// thirty edits in quick succession.
	at := span(t, text, "20200", 0)
	v := c.edit(webGo, at, "")
	pos := at.Start
	for _, digit := range "2025020250202502025020250202" {
		v = c.edit(webGo, Range{Start: pos, End: pos}, string(digit))
		pos.Character++
		time.Sleep(2 * time.Millisecond)
	}
	// the last state: 20250, in webserver's range but not registered
	v = c.edit(webGo, Range{Start: at.Start, End: pos}, "20250")
	p := c.waitDiags(webGo, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	var msgs []string
	for _, d := range p.Diagnostics {
		msgs = append(msgs, d.Message)
	}
	if len(msgs) != 2 || msgs[1] != "port 20250 is in webserver's range engine.mgmt.apps but not registered\nhint: register 20250 for webserver in the plan" {
		t.Errorf("final diagnostics = %q", msgs)
	}
	if runs := c.stats().goRuns - before; runs > 3 {
		t.Errorf("%d analyses for one burst of edits; the burst should have been debounced into one", runs)
	}
	for _, p := range c.published(webGo) {
		if p.Version != nil && *p.Version > 1 && *p.Version < v {
			t.Errorf("published diagnostics for intermediate version %d", *p.Version)
		}
	}
}

func TestStaleRunIsCancelled(t *testing.T) {
	entered := make(chan string, 10)
	cancelled := make(chan string, 10)
	opts := Options{GoDelay: 10 * time.Millisecond}
	block := true
	opts.beforeAnalyze = func(ctx context.Context, dir string) {
		if !block {
			return
		}
		block = false
		entered <- dir
		select {
		case <-ctx.Done():
			cancelled <- dir
		case <-time.After(30 * time.Second):
		}
	}
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), opts)
	text := c.open(agentGo)
	select {
	case <-entered:
	case <-time.After(60 * time.Second):
		t.Fatal("the analysis did not start")
	}
	// The first analysis is held; an edit arrives and must cancel it.
	fixed := strings.Replace(text, `":8099"`, `":20000"`, 1)
	v := c.replace(agentGo, fixed)
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the stale analysis was not cancelled")
	}
	p := c.waitDiags(agentGo, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	if len(p.Diagnostics) != 0 {
		t.Errorf("diagnostics of the new version: %+v", p.Diagnostics)
	}
	for _, p := range c.published(agentGo) {
		if p.Version != nil && *p.Version == 1 {
			t.Errorf("the cancelled analysis of version 1 was published: %+v", p)
		}
	}
	if s := c.stats(); s.goCanceled == 0 {
		t.Errorf("stats = %+v, want a cancelled run", s)
	}
}

func TestDependencySaveRechecksDependents(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{GoDelay: 20 * time.Millisecond})
	c.open(webGo)
	c.waitCount(webGo, 1)
	ports := c.open(portsGo)
	c.waitCount(portsGo, 0)
	c.replace(portsGo, strings.Replace(ports, `"28955"`, `"20202"`, 1))
	c.save(portsGo)
	c.waitCount(webGo, 0)
}

func TestRecheckKeepsDependencyTypes(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	text := c.open(agentGo)
	c.waitCount(agentGo, 1)
	c.srv.loader.mu.Lock()
	lists := c.srv.loader.lists
	c.srv.loader.mu.Unlock()
	v := c.replace(agentGo, strings.Replace(text, "// Command agent", "// Command agent, edited,", 1))
	c.save(agentGo)
	c.waitDiags(agentGo, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	c.srv.loader.mu.Lock()
	after := c.srv.loader.lists
	c.srv.loader.mu.Unlock()
	if after != lists {
		t.Errorf("re-checking an edited package ran go list %d more times; its dependencies should stay loaded", after-lists)
	}
	// A new import needs its export data: go list runs again.
	v = c.replace(agentGo, strings.Replace(text, "import (\n", "import (\n\t_ \"net/http/pprof\"\n", 1))
	c.waitDiags(agentGo, func(p PublishDiagnosticsParams) bool { return p.Version != nil && *p.Version == v })
	c.srv.loader.mu.Lock()
	after = c.srv.loader.lists
	c.srv.loader.mu.Unlock()
	if after != lists+1 {
		t.Errorf("a new import ran go list %d times, want once", after-lists)
	}
}

func TestRegistryCompletion(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	reg := c.open(registryYML)
	c.waitCount(registryYML, 0)
	labels := func(items []CompletionItem) string {
		var s []string
		for _, it := range items {
			s = append(s, it.Label)
		}
		return strings.Join(s, " ")
	}
	// a flow sequence: "ranges: [engine.mgmt.apps]", cursor after "engine."
	at := find(t, reg, "ranges: [engine.mgmt.apps]", 0)
	at.Character += len("ranges: [engine.")
	items := c.complete(registryYML, at)
	if got := labels(items); got != "engine.data engine.install engine.mgmt.apps" {
		t.Errorf("ranges: %q", got)
	}
	if len(items) > 0 && (items[0].TextEdit == nil || items[0].TextEdit.Range.Start.Character != at.Character-len("engine.")) {
		t.Errorf("the completion does not replace the typed prefix: %+v", items[0].TextEdit)
	}
	// a block mapping value: "group: engine", cursor after "group: e"
	at = find(t, reg, "group: engine", 1)
	at.Character += len("group: e")
	if got := labels(c.complete(registryYML, at)); got != "engine" {
		t.Errorf("group: %q", got)
	}
	// a new line under a component: "reuses: " completes components
	edited := strings.Replace(reg, "      - {port: 20202, purpose: management API}", "      - {port: 20202, purpose: management API, reuses: }", 1)
	c.replace(registryYML, edited)
	at = find(t, edited, "reuses: }", 0)
	at.Character += len("reuses: ")
	if got := labels(c.complete(registryYML, at)); got != "agent data_dam webserver" {
		t.Errorf("reuses: %q", got)
	}
	// planes as a block sequence item
	edited2 := strings.Replace(reg, "    planes: [SE-M]\n    ranges: [engine.mgmt.apps]", "    planes:\n      - SE\n    ranges: [engine.mgmt.apps]", 1)
	c.replace(registryYML, edited2)
	at = find(t, edited2, "      - SE\n", 0)
	at.Character += len("      - SE")
	if got := labels(c.complete(registryYML, at)); got != "SE-M SE-W" {
		t.Errorf("planes item: %q", got)
	}
	// completion is the registry's only: a manifest gets none
	ds := c.open(daemonset)
	if got := c.complete(daemonset, find(t, ds, "app: agent", 0)); len(got) != 0 {
		t.Errorf("completion in a manifest: %+v", got)
	}
}

func TestShutdownAndExit(t *testing.T) {
	c := startClient(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{})
	c.call("shutdown", nil, nil)
	c.notify("exit", nil)
	select {
	case err := <-c.done:
		if err != nil {
			t.Errorf("serve after shutdown and exit: %v", err)
		}
		c.done <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not exit")
	}
}

func TestPackageOutsideAModule(t *testing.T) {
	dir := t.TempDir()
	const src = "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8099\", nil) }\n"
	if err := os.WriteFile(dir+"/main.go", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startClient(t, dir, Options{})
	c.open("main.go")
	start := time.Now()
	if h := c.hover("main.go", find(t, src, "8099", 0)); h != nil {
		t.Errorf("hover = %+v", h)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the hover waited %v for a package that cannot be loaded", d)
	}
	if ps := c.published("main.go"); len(ps) != 0 {
		t.Errorf("published %+v", ps)
	}
}

func TestRegistryChangedOnDisk(t *testing.T) {
	var caps ClientCapabilities
	caps.Workspace.DidChangeWatchedFiles.DynamicRegistration = true
	c := startClientWith(t, lsptest.CopyDir(t, filepath.Join("testdata", "fixture")), Options{RegistryDelay: 20 * time.Millisecond}, caps)
	c.open(agentGo)
	c.waitCount(agentGo, 1)
	c.mu.Lock()
	registered := strings.Join(c.requests, " ")
	c.mu.Unlock()
	if !strings.Contains(registered, "client/registerCapability") {
		t.Errorf("the server did not ask to watch the registry: %q", registered)
	}
	// git checkout, another editor: the plan changes on disk
	reg, err := os.ReadFile(c.path(registryYML))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(reg), "{port: 20000, was: 8099, purpose: node API}", "{port: 20000, purpose: node API}", 1)
	if err := os.WriteFile(c.path(registryYML), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: c.uri(registryYML), Type: 2}}})
	// no longer retired: 8099 is just outside the engine's pool
	c.waitDiags(agentGo, func(p PublishDiagnosticsParams) bool {
		return len(p.Diagnostics) == 1 && p.Diagnostics[0].Code == "foreign-range"
	})
}

// A retired port's finding points to where its component listens on the
// port that replaced it, in another file of the package: placing that
// related position reads the file while the finding is published.
func TestRelatedPositionInAnotherFile(t *testing.T) {
	dir := lsptest.CopyDir(t, filepath.Join("testdata", "fixture"))
	node := "cmd/agent/node.go"
	nodeSrc := "package main\n\nimport \"net/http\"\n\nfunc serveNode() error {\n\treturn http.ListenAndServe(\":20000\", nil)\n}\n"
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(node)), []byte(nodeSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startClient(t, dir, Options{})
	c.timeout = 20 * time.Second
	c.open(node)
	text := c.open(agentGo)
	ds := c.waitCount(agentGo, 1)
	if got := textAt(t, text, ds[0].Range); got != "8099" {
		t.Fatalf("diagnostic covers %q, want 8099: %+v", got, ds[0])
	}
	found := false
	for _, r := range ds[0].RelatedInformation {
		if r.Location.URI == c.uri(node) && strings.Contains(textAt(t, nodeSrc, r.Location.Range), "20000") {
			found = true
		}
	}
	if !found {
		t.Errorf("no related information where the agent listens on 20000: %+v", ds[0].RelatedInformation)
	}
}

// depFixture is the fixture with a second command of the web server that
// listens on a constant of internal/mid, which builds it from the port
// constant of internal/ports: mid sits between ports and the command.
func depFixture(t *testing.T) string {
	t.Helper()
	dir := lsptest.CopyDir(t, filepath.Join("testdata", "fixture"))
	files := map[string]string{
		midGo:      "// Package mid builds the debug address.\npackage mid\n\nimport \"example.com/fixture/internal/ports\"\n\n// DebugAddr is where the debug listener binds.\nconst DebugAddr = \"localhost:\" + ports.Debug\n",
		webDebugGo: "// Command debug serves the web server's debug endpoint.\npackage main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n\n\t\"example.com/fixture/internal/mid\"\n)\n\nfunc main() {\n\tlog.Print(http.ListenAndServe(mid.DebugAddr, nil))\n}\n",
	}
	for rel, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	midGo      = "internal/mid/mid.go"
	webDebugGo = "cmd/webserver/debug/main.go"
)

// waitMessages waits for a publication for the file, after the first
// skip, of n diagnostics whose messages contain want, and returns them.
func waitMessages(c *testClient, rel string, skip, n int, want string) []Diagnostic {
	c.t.Helper()
	i := 0
	return c.waitDiags(rel, func(p PublishDiagnosticsParams) bool {
		i++
		if i <= skip || len(p.Diagnostics) != n {
			return false
		}
		for _, d := range p.Diagnostics {
			if !strings.Contains(d.Message, want) {
				return false
			}
		}
		return true
	}).Diagnostics
}

func (c *testClient) lists() int {
	c.srv.loader.mu.Lock()
	defer c.srv.loader.mu.Unlock()
	return c.srv.loader.lists
}

// A saved dependency whose files and imports are those listed is checked
// from source, with the packages between it and the open one: no go list
// runs, and the port constant's new value is seen through mid.
func TestSavedDependencyCheckedFromSource(t *testing.T) {
	c := startClient(t, depFixture(t), Options{VerifyDelay: time.Hour})
	c.open(webGo)
	c.open(webDebugGo)
	waitMessages(c, webGo, 0, 1, "port 28955")
	waitMessages(c, webDebugGo, 0, 1, "port 28955")
	ports := c.open(portsGo)
	c.waitCount(portsGo, 0)
	lists := c.lists()

	// 8080: reserved by the platform
	c.replace(portsGo, strings.Replace(ports, `"28955"`, `"8080"`, 1))
	web, debug := len(c.published(webGo)), len(c.published(webDebugGo))
	c.save(portsGo)
	waitMessages(c, webGo, web, 1, "port 8080 is reserved")
	waitMessages(c, webDebugGo, debug, 1, "port 8080 is reserved")
	// 20202: the web server's own
	c.replace(portsGo, strings.Replace(ports, `"28955"`, `"20202"`, 1))
	web, debug = len(c.published(webGo)), len(c.published(webDebugGo))
	c.save(portsGo)
	waitMessages(c, webGo, web, 0, "")
	waitMessages(c, webDebugGo, debug, 0, "")
	if after := c.lists(); after != lists {
		t.Errorf("saving a dependency ran go list %d times; it should be checked from source", after-lists)
	}
	if s := c.stats(); s.goVerified != 0 {
		t.Errorf("stats = %+v: verified before VerifyDelay", s)
	}

	// A new import is go list's to resolve: the dependents list again.
	c.replace(portsGo, strings.Replace(ports, "package ports\n", "package ports\n\nimport _ \"strconv\"\n", 1))
	debug = len(c.published(webDebugGo))
	c.save(portsGo)
	waitMessages(c, webDebugGo, debug, 1, "port 28955")
	if after := c.lists(); after == lists {
		t.Error("a dependency saved with a new import was checked without go list")
	}
}

// After a result that a dependency's source gave, the package is checked
// again as a first run would, with go list; the diagnostics, the same as a
// fresh server's, are not published again.
func TestSourceCheckIsVerified(t *testing.T) {
	dir := depFixture(t)
	c := startClient(t, dir, Options{VerifyDelay: 50 * time.Millisecond})
	c.open(webDebugGo)
	waitMessages(c, webDebugGo, 0, 1, "port 28955")
	ports := c.open(portsGo)
	c.waitCount(portsGo, 0)
	lists := c.lists()
	c.replace(portsGo, strings.Replace(ports, `"28955"`, `"8080"`, 1))
	before := len(c.published(webDebugGo))
	c.save(portsGo)
	got := waitMessages(c, webDebugGo, before, 1, "port 8080 is reserved")
	n := len(c.published(webDebugGo))
	deadline := time.Now().Add(60 * time.Second)
	for c.stats().goVerified == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("stats = %+v: no verifying run", c.stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c.lists() == lists {
		t.Error("the verifying run did not list the package")
	}
	time.Sleep(100 * time.Millisecond) // a publication would follow the run at once
	if after := len(c.published(webDebugGo)); after != n {
		t.Errorf("the verifying run published %d times the same diagnostics", after-n)
	}

	fresh := startClient(t, dir, Options{})
	fresh.open(webDebugGo)
	want := fresh.waitCount(webDebugGo, 1)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after a dependency's save:\n%+v\na fresh server:\n%+v", got, want)
	}
}

// A dependency saved with a type error leaves the dependent unanalyzed
// (gopls reports the error; the last findings stay); saved again fixed,
// the dependent is analyzed with the new value, still without go list.
func TestSavedDependencyWithTypeError(t *testing.T) {
	c := startClient(t, depFixture(t), Options{VerifyDelay: time.Hour})
	c.open(webDebugGo)
	waitMessages(c, webDebugGo, 0, 1, "port 28955")
	ports := c.open(portsGo)
	c.waitCount(portsGo, 0)
	lists := c.lists()
	published := len(c.published(webDebugGo))

	c.replace(portsGo, strings.Replace(ports, `"28955"`, `"28955" + undefinedPort`, 1))
	c.save(portsGo)
	dir := filepath.Dir(c.path(webDebugGo))
	deadline := time.Now().Add(60 * time.Second)
	for {
		c.srv.mu.Lock()
		var errs []string
		if p := c.srv.pkgs[dir]; p != nil && p.attempt != nil {
			errs = p.attempt.errors
		}
		c.srv.mu.Unlock()
		if len(errs) > 0 {
			if !strings.Contains(strings.Join(errs, "; "), "undefinedPort") {
				t.Errorf("errors = %q, want the dependency's undefined name", errs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dependent was not checked against the broken dependency")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(c.published(webDebugGo)); n != published {
		t.Errorf("%d publications for a dependent that could not be analyzed", n-published)
	}

	c.replace(portsGo, strings.Replace(ports, `"28955"`, `"8080"`, 1))
	c.save(portsGo)
	waitMessages(c, webDebugGo, published, 1, "port 8080 is reserved")
	if after := c.lists(); after != lists {
		t.Errorf("the saves ran go list %d times", after-lists)
	}
}
