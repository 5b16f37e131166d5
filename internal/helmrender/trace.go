package helmrender

import (
	"bytes"
	"encoding/json"
	"math"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"

	"github.com/portlint/portlint/check"
)

// markerText starts the comment instrument appends to a template line.
const markerText = "#@pl:"

// instrument appends a marker comment to each template line of the chart
// and its subcharts that can carry one without changing what the template
// means (see markable), and keeps the sources as written.
func (r *renderer) instrument(top *chart.Chart) {
	r.src = map[int][]byte{}
	r.byName = map[string]int{}
	var walk func(ch *chart.Chart)
	walk = func(ch *chart.Chart) {
		dir, archived := r.dirs[ch], false
		if dir == "" {
			archived = true
			dir = filepath.Join(r.chart.Dir, "charts", ch.Name())
		}
		for _, t := range ch.Templates {
			base := path.Base(t.Name)
			ext := strings.ToLower(path.Ext(base))
			if strings.HasPrefix(base, "_") || (ext != ".yaml" && ext != ".yml") {
				continue
			}
			id := len(r.files)
			r.files = append(r.files, filepath.Join(dir, filepath.FromSlash(t.Name)))
			r.archived = append(r.archived, archived)
			r.names = append(r.names, ch.ChartFullPath()+"/"+t.Name)
			r.byName[ch.ChartFullPath()+"/"+t.Name] = id
			r.src[id] = t.Data
			t.Data = mark(t.Data, id)
		}
		for _, d := range ch.Dependencies() {
			walk(d)
		}
	}
	walk(top)
}

func (r *renderer) templateName(id int) string { return r.names[id] }

// mark returns the template with a marker comment at the end of each line
// that can take one: not blank, not a comment, not inside a block scalar, a
// define block or a template action that spans lines, not ending in a
// right-trimming action ("-}}", which would glue the marker to the next
// line), and not made only of control actions (if, else, end, range,
// with, variable assignments, comments), which print nothing.
func mark(src []byte, id int) []byte {
	lines := strings.SplitAfter(string(src), "\n")
	var b strings.Builder
	depth := 0       // open {{ ... }} across lines
	var stack []bool // open blocks: true for define
	blockIndent := -1
	for i, raw := range lines {
		line := strings.TrimRight(raw, "\r\n")
		nl := raw[len(line):]
		trimmed := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		startDepth := depth
		inDefine := contains(stack)
		actions, onlyControl := scanActions(line, &depth, &stack)
		definedAfter := contains(stack)
		ok := trimmed != "" && !strings.HasPrefix(trimmed, "#") && trimmed != "---" && startDepth == 0 && depth == 0 &&
			!inDefine && !definedAfter && !strings.HasSuffix(trimmed, "-}}") && !(actions > 0 && onlyControl)
		// block scalars: lines indented deeper than the key that opened one
		if blockIndent >= 0 {
			if trimmed == "" || indent > blockIndent || actions > 0 && onlyControl {
				ok = false
			} else {
				blockIndent = -1
			}
		}
		if blockIndent < 0 && opensBlockScalar(line) {
			blockIndent = indent
		}
		b.WriteString(line)
		if ok {
			b.WriteString(" " + markerText + strconv.Itoa(id) + ":" + strconv.Itoa(i+1))
		}
		b.WriteString(nl)
	}
	return []byte(b.String())
}

func contains(stack []bool) bool {
	for _, d := range stack {
		if d {
			return true
		}
	}
	return false
}

var blockScalar = regexp.MustCompile(`(^|[:\-]\s+|^\s*-\s*)[|>][0-9+\-]*\s*(#.*)?$`)

// opensBlockScalar reports whether a line ends with a block scalar
// indicator ("config: |", "- >-").
func opensBlockScalar(line string) bool {
	t := strings.TrimRight(line, " \t")
	if strings.Contains(t, "{{") && strings.HasSuffix(t, "}}") {
		return false
	}
	return blockScalar.MatchString(t)
}

// scanActions counts the template actions of a line, follows the actions
// that span lines (depth) and the blocks they open (stack: true for a
// define or block), and reports whether every action is a control action.
func scanActions(line string, depth *int, stack *[]bool) (n int, onlyControl bool) {
	onlyControl = true
	rest := line
	if *depth > 0 {
		j := strings.Index(rest, "}}")
		if j < 0 {
			return 0, false
		}
		*depth = 0
		rest = rest[j+2:]
	}
	outside := strings.Builder{}
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			outside.WriteString(rest)
			break
		}
		outside.WriteString(rest[:i])
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			*depth = 1
			n++
			onlyControl = false
			break
		}
		act := strings.TrimSpace(strings.Trim(strings.TrimSpace(rest[i+2:i+j]), "-"))
		n++
		word := act
		if k := strings.IndexAny(act, " \t("); k >= 0 {
			word = act[:k]
		}
		switch {
		case word == "if" || word == "with" || word == "range":
			*stack = append(*stack, false)
		case word == "define" || word == "block":
			*stack = append(*stack, true)
			onlyControl = onlyControl && word == "define"
		case word == "end":
			if len(*stack) > 0 {
				*stack = (*stack)[:len(*stack)-1]
			}
		case word == "else" || strings.HasPrefix(act, "/*") || strings.HasPrefix(act, "$") && (strings.Contains(act, ":=") || strings.Contains(act, " = ")):
		default:
			onlyControl = false
		}
		rest = rest[i+j+2:]
	}
	if strings.TrimSpace(outside.String()) != "" {
		onlyControl = false
	}
	return n, onlyControl
}

// streamLines maps the lines of the rendered stream to the templates they
// came from.
type streamLines struct {
	names     []string // rendered template of each chunk
	text      string
	starts    []int // byte offset of each line (0-based index: line-1)
	chunk     []int // chunk of each line
	chunkFrom []int // first line of each chunk
	chunkTo   []int // last line of each chunk
}

// stream joins the rendered templates that hold objects, in name order,
// as one multi-document stream.
func (r *renderer) stream(out map[string]string) (string, *streamLines) {
	var keys []string
	for k, v := range out {
		base := path.Base(k)
		if strings.HasPrefix(base, "_") || strings.EqualFold(base, "NOTES.txt") || strings.TrimSpace(stripMarkers(v)) == "" {
			continue
		}
		if _, ok := r.byName[k]; !ok {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sl := &streamLines{}
	var b strings.Builder
	line := 1
	for ci, k := range keys {
		if ci > 0 {
			b.WriteString("\n---\n")
			line += 2
		}
		body := strings.TrimRight(splitDocs(out[k]), "\n")
		sl.names = append(sl.names, k)
		sl.chunkFrom = append(sl.chunkFrom, line)
		line += strings.Count(body, "\n")
		sl.chunkTo = append(sl.chunkTo, line)
		b.WriteString(body)
	}
	b.WriteString("\n")
	sl.text = b.String()
	sl.starts = append(sl.starts, 0)
	for i := 0; i < len(sl.text); i++ {
		if sl.text[i] == '\n' {
			sl.starts = append(sl.starts, i+1)
		}
	}
	sl.chunk = make([]int, len(sl.starts)+1)
	for ci := range sl.names {
		for l := sl.chunkFrom[ci]; l <= sl.chunkTo[ci] && l < len(sl.chunk); l++ {
			sl.chunk[l] = ci
		}
	}
	return sl.text, sl
}

// docSep is how Helm splits a rendered template into documents
// (releaseutil.SplitManifests): a "---" after a line break, with
// whatever follows on its line ("---# comment" after a trimmed action).
var docSep = regexp.MustCompile("(?:^|\\s*\n)---\\s*")

// splitDocs rewrites a rendered template's documents as YAML reads them:
// one "---" line between documents, empty ones dropped.
func splitDocs(s string) string {
	var docs []string
	for _, d := range docSep.Split(s, -1) {
		if strings.TrimSpace(stripMarkers(d)) != "" {
			docs = append(docs, d)
		}
	}
	return strings.Join(docs, "\n---\n")
}

func stripMarkers(s string) string {
	if !strings.Contains(s, markerText) {
		return s
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if i := strings.Index(l, " "+markerText); i >= 0 {
			nl := ""
			if strings.HasSuffix(l, "\n") {
				nl = "\n"
			}
			l = l[:i] + nl
		}
		b.WriteString(l)
	}
	return b.String()
}

// lineText returns stream line l (1-based) without its newline.
func (sl *streamLines) lineText(l int) string {
	if l < 1 || l > len(sl.starts) {
		return ""
	}
	end := len(sl.text)
	if l < len(sl.starts) {
		end = sl.starts[l] - 1
	}
	return sl.text[sl.starts[l-1]:max(end, sl.starts[l-1])]
}

// markerOf returns the template and line of a stream line: its own marker,
// else the next marker of its template's output (the line of the
// expression that printed a multi-line block), else the previous one.
func (sl *streamLines) markerOf(l int) (id, tline int, ok bool) {
	if l < 1 || l >= len(sl.chunk) {
		return 0, 0, false
	}
	ci := sl.chunk[l]
	if id, tl, ok := parseMarker(sl.lineText(l)); ok {
		return id, tl, true
	}
	for k := l + 1; k <= sl.chunkTo[ci]; k++ {
		if id, tl, ok := parseMarker(sl.lineText(k)); ok {
			return id, tl, true
		}
	}
	for k := l - 1; k >= sl.chunkFrom[ci]; k-- {
		if id, tl, ok := parseMarker(sl.lineText(k)); ok {
			return id, tl, true
		}
	}
	return 0, 0, false
}

func parseMarker(line string) (id, tline int, ok bool) {
	i := strings.Index(line, markerText)
	if i < 0 {
		return 0, 0, false
	}
	rest := line[i+len(markerText):]
	a, rest, ok1 := leadingInt(rest)
	if !ok1 || !strings.HasPrefix(rest, ":") {
		return 0, 0, false
	}
	b, _, ok2 := leadingInt(rest[1:])
	return a, b, ok2
}

// origin positions a rendered place at its template line: the literal
// digits there, else the line's first template action, else the line.
func (r *renderer) origin(sl *streamLines) func(check.Position, string) (check.Position, check.Position, bool) {
	return func(at check.Position, digits string) (check.Position, check.Position, bool) {
		id, tl, ok := sl.markerOf(at.Line)
		if !ok || id < 0 || id >= len(r.files) {
			p := check.Position{File: filepath.Join(r.chart.Dir, "Chart.yaml"), Line: 1, Column: 1}
			return p, p, false
		}
		src := r.src[id]
		off := 0
		lines := bytes.SplitAfter(src, []byte("\n"))
		for i := 0; i < tl-1 && i < len(lines); i++ {
			off += len(lines[i])
		}
		var text string
		if tl-1 < len(lines) {
			text = strings.TrimRight(string(lines[tl-1]), "\r\n")
		}
		file := r.files[id]
		pos := func(col, n int) (check.Position, check.Position) {
			p := check.Position{File: file, Line: tl, Column: col + 1, Offset: off + col}
			e := p
			e.Column += n
			e.Offset += n
			return p, e
		}
		if digits != "" {
			if c := literalAt(text, digits); c >= 0 {
				p, e := pos(c, len(digits))
				return p, e, !r.archived[id]
			}
		}
		if c := strings.Index(text, "{{"); c >= 0 {
			n := len(text) - c
			if j := strings.Index(text[c:], "}}"); j >= 0 {
				n = j + 2
			}
			p, e := pos(c, n)
			return p, e, false
		}
		c := len(text) - len(strings.TrimLeft(text, " \t"))
		p, e := pos(c, 0)
		return p, e, false
	}
}

// literalAt finds digits written as a number of their own on a template
// line, outside its template actions; -1 if none.
func literalAt(line, digits string) int {
	for from := 0; from < len(line); {
		j := strings.Index(line[from:], digits)
		if j < 0 {
			return -1
		}
		c := from + j
		before := c == 0 || line[c-1] < '0' || line[c-1] > '9'
		after := c+len(digits) >= len(line) || line[c+len(digits)] < '0' || line[c+len(digits)] > '9'
		if before && after && !insideAction(line, c) {
			return c
		}
		from = c + 1
	}
	return -1
}

func insideAction(line string, c int) bool {
	open := strings.LastIndex(line[:c], "{{")
	if open < 0 {
		return false
	}
	return !strings.Contains(line[open:c], "}}")
}

// A useKey pairs the uses of the two renders: the template line they come
// from, how they were found, and their order there.
type useKey struct {
	id, line int
	source   string
	role     check.Role
	n        int
}

func (r *renderer) keyUses(uses []*check.Use, sl *streamLines) map[useKey]*check.Use {
	out := map[useKey]*check.Use{}
	count := map[useKey]int{}
	for _, u := range uses {
		id, tl, ok := sl.markerOf(u.Pos.Line)
		if !ok {
			continue
		}
		k := useKey{id: id, line: tl, source: u.Source, role: u.Role}
		k.n = count[k]
		count[useKey{id: id, line: tl, source: u.Source, role: u.Role}]++
		out[k] = u
	}
	return out
}

// Sentinels.

const (
	sentinelBase = 61000
	sentinelStep = 7
)

// countWords are words of a values key that make its number no port.
var countWords = map[string]bool{
	"replica": true, "replicas": true, "count": true, "size": true, "timeout": true, "seconds": true, "second": true,
	"minutes": true, "hours": true, "days": true, "limit": true, "limits": true, "max": true, "min": true, "threshold": true,
	"period": true, "retries": true, "retry": true, "interval": true, "percent": true, "percentage": true, "uid": true,
	"gid": true, "user": true, "group": true, "fsgroup": true, "memory": true, "cpu": true, "storage": true, "revision": true,
	"history": true, "weight": true, "priority": true, "ttl": true, "delay": true, "version": true, "burst": true,
	"qps": true, "rate": true, "level": true, "verbosity": true, "workers": true, "concurrency": true, "parallelism": true,
	"capacity": true, "budget": true, "surge": true, "unavailable": true, "ratio": true, "duration": true, "seconds_": true,
	"runasuser": true, "runasgroup": true, "number": false,
}

var portWords = map[string]bool{"port": true, "ports": true, "addr": true, "address": true, "listen": true, "bind": true, "endpoint": true, "targetport": true, "containerport": true, "nodeport": true}

// keyWords splits a key into lowercase words: camelCase, snake_case,
// kebab-case.
func keyWords(k string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, strings.ToLower(cur.String()))
			cur.Reset()
		}
	}
	for i, c := range k {
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			flush()
		case c >= 'A' && c <= 'Z' && i > 0 && k[i-1] >= 'a' && k[i-1] <= 'z':
			flush()
			cur.WriteRune(c)
		default:
			cur.WriteRune(c)
		}
	}
	flush()
	return out
}

// portish decides whether a values leaf may hold a port: a number of 1024
// and above under a key that is no count, size or time, or any port number
// under a key (or a parent key) that says port.
func portish(keys []string, n int) bool {
	if n < 1 || n > 65535 {
		return false
	}
	last := ""
	if len(keys) > 0 {
		last = keys[len(keys)-1]
	}
	lw := keyWords(last)
	for _, w := range lw {
		if countWords[w] {
			return false
		}
	}
	for _, w := range lw {
		if portWords[w] {
			return true
		}
	}
	if len(keys) > 1 {
		for _, w := range keyWords(keys[len(keys)-2]) {
			if portWords[w] || w == "service" {
				return true
			}
		}
	}
	return n >= 1024
}

// withSentinelDefaults returns a copy of the chart tree whose default
// values carry sentinels.
func (r *renderer) withSentinelDefaults(ch *chart.Chart) *chart.Chart {
	cp := *ch
	file := ""
	if dir := r.dirs[ch]; dir != "" {
		file = filepath.Join(dir, "values.yaml")
	}
	if file != "" {
		cp.Values, _ = r.sentinelValue(ch.Values, nil, func(p string) string { return file + "\x00" + p }).(map[string]any)
	}
	var deps []*chart.Chart
	for _, d := range ch.Dependencies() {
		deps = append(deps, r.withSentinelDefaults(d))
	}
	cp.SetDependencies(deps...)
	if r.dirs[&cp] == "" {
		r.dirs[&cp] = r.dirs[ch]
	}
	return &cp
}

// sentinelize returns a copy of the user's values with sentinels; a leaf's
// origin is the last --set entry or values file that sets it.
func (r *renderer) sentinelize(user map[string]any, _ string) map[string]any {
	keyOf := func(p string) string {
		if _, ok := r.leaves["\x00"+p]; ok {
			return "\x00" + p
		}
		for i := len(r.chart.Values) - 1; i >= 0; i-- {
			k := r.chart.Values[i] + "\x00" + p
			if _, ok := r.leaves[k]; ok {
				return k
			}
		}
		return ""
	}
	m, _ := r.sentinelValue(user, nil, keyOf).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// sentinelValue copies a values tree, replacing each port-like leaf that
// has a known origin with the next sentinel.
func (r *renderer) sentinelValue(v any, keys []string, keyOf func(string) string) any {
	if r.sentinels == nil {
		r.sentinels = map[int]sentinel{}
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = r.sentinelValue(e, append(keys[:len(keys):len(keys)], k), keyOf)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			ks := append([]string(nil), keys...)
			if len(ks) > 0 {
				ks[len(ks)-1] += "[" + strconv.Itoa(i) + "]"
			}
			out[i] = r.sentinelValue(e, ks, keyOf)
		}
		return out
	}
	n, text, ok := number(v)
	if !ok || !portish(trimIndex(keys), n) {
		return v
	}
	key := keyOf(strings.Join(keys, "."))
	if key == "" {
		return v
	}
	s := r.nextSentinel()
	if s == 0 {
		return v
	}
	r.sentinels[s] = sentinel{key: key, value: n}
	switch t := v.(type) {
	case string:
		return strings.Replace(t, text, strconv.Itoa(s), 1)
	case float64:
		return float64(s)
	case int64:
		return int64(s)
	case json.Number:
		return json.Number(strconv.Itoa(s))
	}
	return s
}

func trimIndex(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		if j := strings.IndexByte(k, '['); j >= 0 {
			k = k[:j]
		}
		out[i] = k
	}
	return out
}

func (r *renderer) nextSentinel() int {
	for s := sentinelBase + sentinelStep*len(r.sentinels); s <= 65535; s += sentinelStep {
		if _, used := r.sentinels[s]; !used {
			return s
		}
	}
	return 0
}

var addrPort = regexp.MustCompile(`^(?:[A-Za-z0-9.\-\[\]:]*:)?([0-9]{1,5})$`)

// number reads a values leaf as a port number: a whole number, or a
// string of digits or an address ending in ":PORT". text is the digits.
func number(v any) (int, string, bool) {
	switch t := v.(type) {
	case int:
		return t, strconv.Itoa(t), true
	case int64:
		return int(t), strconv.FormatInt(t, 10), true
	case float64:
		if t == math.Trunc(t) && t >= 1 && t <= 65535 {
			return int(t), strconv.Itoa(int(t)), true
		}
	case json.Number:
		if n, err := strconv.Atoi(string(t)); err == nil {
			return n, string(t), true
		}
	case string:
		if m := addrPort.FindStringSubmatch(t); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				return n, m[1], true
			}
		}
	}
	return 0, "", false
}
