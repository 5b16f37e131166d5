package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/registry"
)

// Options tune the scan of one file.
type Options struct {
	// Registry attributes uses to components (names, aliases, manifest
	// globs, label selectors). Nil: no use is attributed.
	Registry *registry.Registry
	// Rel is the file's path relative to the project root, slash-separated;
	// the registry's manifest globs are matched against it. Empty: no glob
	// attribution.
	Rel string
	// Discover attributes each use to the name the manifest gives its
	// owner (a compose service, a workload's name label or name, a
	// container, the directory of a config file) whether or not the
	// registry has such a component, and leaves out attribution by key
	// words ("webserver_port"), which only a plan's names make safe.
	// portlint registry init drafts components from these names.
	Discover bool
	// Package is the import path of the Go package that embeds the file
	// (//go:embed), if any: a configuration compiled into a binary is
	// the component of the package's, as the registry's packages
	// patterns say, before any name the file's path gives.
	Package string
}

// The kinds of file Scan recognises.
const (
	KindKubernetes = "kubernetes"
	KindCompose    = "compose"
	KindKuma       = "kuma"
	KindEnvoy      = "envoy"
	KindIstio      = "istio"
	KindHelmValues = "helm-values"
	KindConfig     = "config"
)

// A File is what Scan found in one file.
type File struct {
	Path string // as given to Scan
	// Kind is the format of the file's first recognised document:
	// "kubernetes", "compose", "kuma", "envoy", "istio", "helm-values",
	// "config" (plain config with port uses), or "" when nothing was
	// recognised.
	Kind string
	// Uses lists every port use in file order, each positioned at its digits.
	Uses []*check.Use
	// Notes say what was skipped and why: template lines, values set by a
	// template or variable, documents that could not be read.
	Notes []Note
	// Directives are the file's "# portlint:ignore" comments.
	Directives []*Directive
	// Pods and Services are the file's wiring facts (wiring.go): none for a
	// file read with its template actions set aside.
	Pods     []*Pod
	Services []*Service
	// Patches lists the directories whose objects a kustomization of this
	// file patches (its own and those it names as resources, bases or
	// components): their pods may not be what their files say.
	Patches []string

	named map[*check.Use]bool // uses naming a port declared elsewhere (probe port: http)
	lists map[*check.Use]listEntry
	// unfixable are uses of a rendered template whose number an
	// expression computes (ScanRendered): no edit of the source fixes them
	unfixable map[*check.Use]bool
}

// Named reports whether the use refers to its port by name ("port: http"
// in a probe, a named targetPort): it is positioned at the name, and its
// number, declared elsewhere in the file, is checked there.
func (f *File) Named(u *check.Use) bool { return f.named[u] }

// A Note records something the scan skipped.
type Note struct {
	Pos     check.Position
	Message string
	// Incomplete is set when the note says part of the file was not
	// checked (not read, or read only in part): the run cannot call the
	// file clean.
	Incomplete bool
}

func (n Note) String() string { return n.Pos.String() + ": " + n.Message }

// An Error is input portlint cannot read, positioned.
type Error struct {
	Pos check.Position
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// The scanner holds the state of one Scan.
type scanner struct {
	file     *File
	src      *source
	reg      *registry.Registry
	rel      string
	discover bool
	// extraNames are added to every use while set: the names of what runs
	// where the uses are (a compose service and its image).
	extraNames []string
	// envHosts, while an environment is scanned, maps the prefix of a
	// host variable (JAEGER_AGENT of JAEGER_AGENT_HOST) to the host it
	// names: the prefix's port variable is a dial to that host.
	envHosts map[string]string

	glob *registry.Component // the component the file's path names through a manifest glob
	pkg  string              // the import path of the Go package that embeds the file

	// per document
	lineBase    int
	docStart    check.Position
	budget      int
	budgetTotal int
	exhausted   bool
	active      map[*yaml.Node]bool
	depth       int

	// conditional are the byte ranges a template condition may leave out
	conditional []span
	// templated is set when the file was read with its template actions
	// set aside: it gives no wiring facts
	templated bool
	// templates are the template actions, set aside before decoding
	templates []span

	seen map[useKey]bool
	k8s  []k8sObj // Kubernetes objects, scanned after every document is read
}

type useKey struct {
	off       int
	role      check.Role
	component string
	source    string
}

// Scan reads one manifest and returns its port uses. The error, a *Error,
// is set only for input portlint cannot read (not YAML, not UTF-8); the
// File is returned all the same, holding what the readable documents of a
// multi-document file gave. Helm and Jinja templates are not errors: their
// template lines are skipped and recorded as notes.
func Scan(path string, data []byte, opts Options) (*File, error) {
	f := &File{Path: path}
	if len(data) > maxFileSize {
		f.Notes = append(f.Notes, Note{check.Position{File: path, Line: 1, Column: 1},
			fmt.Sprintf("not scanned: %d bytes is more than the %d a manifest may have", len(data), maxFileSize), true})
		return f, nil
	}
	src := newSource(path, data)
	f.Directives = parseDirectives(src)
	s := &scanner{file: f, src: src, reg: opts.Registry, rel: opts.Rel, discover: opts.Discover, pkg: opts.Package, seen: map[useKey]bool{}}
	if s.reg != nil && opts.Rel != "" && !s.discover {
		s.glob = s.reg.MatchFile(opts.Rel)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return f, &Error{src.pos(0), "UTF-16 text; portlint reads UTF-8 manifests"}
	case skipByName(path):
		return f, nil
	}
	if i := invalidUTF8(data); i >= 0 {
		return f, &Error{src.pos(i), "not valid UTF-8"}
	}
	text := data
	if isJSON(data) {
		// Tabs separate JSON tokens but YAML refuses them as indentation;
		// outside strings (where JSON forbids raw tabs) they are spaces.
		text = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
	}
	docs, errs := s.decode(text)
	if len(errs) > 0 {
		if spans := templateSpans(text); len(spans) > 0 {
			docs, errs = s.decode(stripSpans(text, spans))
			s.templated = true
			s.noteTemplates(text, spans)
			s.conditional = conditionals(text, spans)
			s.templates = spans
			for _, e := range errs {
				s.incompletef(e.Pos, "not scanned, even with its template actions set aside: %s", e.Msg)
			}
			errs = nil
		}
	}
	for _, d := range docs {
		s.scanDoc(d)
	}
	s.scanK8s(s.k8s)
	s.listEntries(docs)
	sort.SliceStable(f.Uses, func(i, j int) bool { return f.Uses[i].Pos.Offset < f.Uses[j].Pos.Offset })
	sort.SliceStable(f.Notes, func(i, j int) bool { return f.Notes[i].Pos.Offset < f.Notes[j].Pos.Offset })
	if len(errs) > 0 {
		for _, e := range errs[1:] {
			s.incompletef(e.Pos, "not scanned: %s", e.Msg)
		}
		return f, errs[0]
	}
	return f, nil
}

func (s *scanner) notef(at check.Position, format string, args ...any) {
	s.file.Notes = append(s.file.Notes, Note{Pos: at, Message: fmt.Sprintf(format, args...)})
}

// incompletef records a note that part of the file went unchecked.
func (s *scanner) incompletef(at check.Position, format string, args ...any) {
	s.file.Notes = append(s.file.Notes, Note{Pos: at, Message: fmt.Sprintf(format, args...), Incomplete: true})
}

// underCondition reports whether n lies in a block that a template
// condition may leave out.
// fromTemplate reports whether a scalar's value was written by a template
// action (a placeholder where "{{ .Values.port }}" stood).
func (s *scanner) fromTemplate(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	if isTemplated(n.Value) {
		return true
	}
	if len(s.templates) == 0 {
		return false
	}
	off := s.posOf(n).Offset
	for _, t := range s.templates {
		if t.start <= off && off < t.end {
			return true
		}
	}
	return false
}

func (s *scanner) underCondition(n *yaml.Node) bool {
	if n == nil || len(s.conditional) == 0 {
		return false
	}
	off := s.posOf(n).Offset
	for _, c := range s.conditional {
		if c.start <= off && off < c.end {
			return true
		}
	}
	return false
}

// A doc is one decoded document and the line its text starts at.
type doc struct {
	root *yaml.Node
	base int // added to the node lines: the document was decoded on its own
}

// decode decodes every document. When the stream as a whole fails, each
// document is decoded on its own, so that one broken document costs only
// itself.
func (s *scanner) decode(text []byte) ([]doc, []*Error) {
	roots, err := s.decodeStream(text, 0)
	if err == nil {
		return roots, nil
	}
	var docs []doc
	var errs []*Error
	for _, c := range splitDocuments(s.src, text) {
		d, err := s.decodeStream(text[c.start:c.end], c.line-1)
		docs = append(docs, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 { // the split read what the stream could not: keep the stream's verdict
		errs = append(errs, err)
	}
	return docs, errs
}

// decodeStream decodes the documents of text, whose first line is line
// base+1 of the file.
func (s *scanner) decodeStream(text []byte, base int) (docs []doc, perr *Error) {
	defer func() {
		if r := recover(); r != nil {
			perr = &Error{s.src.pos(s.src.lineStart(base + 1)), fmt.Sprintf("not valid YAML: the parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, s.yamlError(err, text, base)
		}
		if len(n.Content) > 0 {
			docs = append(docs, doc{root: n.Content[0], base: base})
		}
	}
}

// yamlError positions a yaml.v3 error in the file.
func (s *scanner) yamlError(err error, text []byte, base int) *Error {
	line, col, msg := registry.YAMLErrorPos(err, text)
	return &Error{s.src.pos(s.src.offset(base+line, col)), "not valid YAML: " + msg}
}

func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w <= 1 {
			return i
		}
		i += w
	}
	return -1
}

func isJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// A chunk is the text of one document of a stream, by its own marker lines.
type chunk struct{ start, end, line int }

// splitDocuments cuts text at "---" and after "..." lines. A chunk holding
// nothing but comments and directives joins the next one.
func splitDocuments(src *source, text []byte) []chunk {
	var out []chunk
	cur := chunk{start: 0, line: 1}
	content := false
	for line := 1; line <= len(src.lines); line++ {
		st, en := src.lines[line-1], src.lineEnd(line)
		l := text[st:en]
		switch {
		case isMarker(l, "---"):
			if content {
				cur.end = st
				out = append(out, cur)
				cur = chunk{start: st, line: line}
			}
			content = true
		case isMarker(l, "..."):
			cur.end = src.lineStart(line + 1)
			if line == len(src.lines) {
				cur.end = len(text)
			}
			out = append(out, cur)
			cur = chunk{start: cur.end, line: line + 1}
			content = false
		default:
			t := bytes.TrimSpace(l)
			if len(t) > 0 && t[0] != '#' && t[0] != '%' {
				content = true
			}
		}
	}
	cur.end = len(text)
	if cur.start < cur.end {
		out = append(out, cur)
	}
	return out
}

func isMarker(l []byte, m string) bool {
	return bytes.HasPrefix(l, []byte(m)) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t')
}

// skipByName says which files are never manifests, whatever they hold.
func skipByName(p string) bool {
	p = strings.ReplaceAll(p, "\\", "/")
	base := path.Base(p)
	switch strings.ToLower(base) {
	case "chart.yaml", "chart.lock", "requirements.lock", ".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml",
		".golangci.yml", ".golangci.yaml", ".golangci.json", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml",
		"dependabot.yml", "dependabot.yaml", "codecov.yml", ".codecov.yml", "mkdocs.yml", ".goreleaser.yml",
		".goreleaser.yaml", "package.json", "package-lock.json", "composer.json", "composer.lock", "renovate.json",
		".renovaterc.json", ".portlint.yaml", ".yamllint", ".yamllint.yaml", ".markdownlint.yaml", ".readthedocs.yaml",
		"buf.yaml", "buf.gen.yaml", "buf.work.yaml", "values.schema.json", ".eslintrc.json", "cloudbuild.yaml":
		return true
	}
	if strings.HasPrefix(strings.ToLower(base), "tsconfig") && strings.HasSuffix(base, ".json") {
		return true
	}
	if strings.HasSuffix(base, ".schema.json") {
		return true
	}
	return strings.Contains("/"+p, "/.github/workflows/") || strings.Contains("/"+p, "/.circleci/")
}
