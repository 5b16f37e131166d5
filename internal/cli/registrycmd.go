package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/registry"
)

// registrySubcommands are the "portlint registry X" commands; files that
// add one register it in init.
var registrySubcommands = map[string]*command{}

func init() {
	register(&command{name: "registry", summary: "check, show, allocate from and export the port plan", run: runRegistry})
	for _, c := range []*command{
		{name: "check", summary: "validate a registry: load errors, contradictions, open gaps", run: runRegistryCheck},
		{name: "show", summary: "print the plan as tables of ranges and components", run: runRegistryShow},
		{name: "next", summary: "print the lowest free ports of a range", run: runRegistryNext},
	} {
		registrySubcommands[c.name] = c
	}
}

const registryUsage = `usage: portlint registry <command> [flags] [FILE]

The registry is FILE if given, else -registry, else "registry" in .portlint.yaml,
else the nearest registry.yaml above the working directory, else the embedded
default (the engine's plan).

Commands:
`

func runRegistry(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stderr, registryUsage)
		var names []string
		for n := range registrySubcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "  %-8s %s\n", n, registrySubcommands[n].summary)
		}
		if len(args) == 0 {
			return &ExitError{Code: ExitUsage}
		}
		return nil
	}
	c := registrySubcommands[args[0]]
	if c == nil {
		return usageError("portlint registry: unknown command %q; run 'portlint registry help'", args[0])
	}
	return c.run(ctx, env, args[1:])
}

// registryFlags are the flags every registry subcommand shares.
type registryFlags struct {
	path   string
	config string
	v      bool
}

func (f *registryFlags) add(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&f.path, "registry", "", "registry `file`, or builtin for the embedded plan (default: .portlint.yaml, nearest registry.yaml, embedded)")
	fs.StringVar(&f.config, "config", "", "the .portlint.yaml `file` to use instead of the nearest one; its relative paths are relative to its directory")
	fs.BoolVar(&f.v, "v", false, "say which registry is used")
}

// projectConfig reads the configuration that -config names, else the
// nearest .portlint.yaml above dir, else none. A file typed on the command
// line may lie anywhere, and so may the registry it names.
func projectConfig(dir string, f *registryFlags) (*config.Config, error) {
	if f.config != "" {
		p := f.config
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return config.LoadNamed(filepath.Clean(p))
	}
	if p := config.Find(dir); p != "" {
		return config.Load(p)
	}
	return nil, nil
}

// openRegistry resolves and loads the registry for a registry subcommand.
// A positional FILE wins over -registry. Load errors become exit status 2.
func openRegistry(env *Env, f *registryFlags, file string) (*registry.Registry, config.Source, error) {
	dir, err := env.dir()
	if err != nil {
		return nil, config.Source{}, err
	}
	path := f.path
	if file != "" {
		path = file
	}
	var cfg *config.Config
	if path == "" {
		if cfg, err = projectConfig(dir, f); err != nil {
			return nil, config.Source{}, inputError(err)
		}
	}
	src := config.ResolveRegistry(dir, path, cfg)
	noticeEmbedded(env, src)
	if f.v && src.How != config.FromEmbedded {
		fmt.Fprintf(env.Stderr, "portlint: using %s\n", src)
	}
	reg, err := config.LoadRegistry(src)
	if err != nil {
		var el registry.ErrorList
		if errors.As(err, &el) {
			// Print positions as the check findings do: relative to the
			// working directory. The loaded list may be cached; copy it.
			rel := make(registry.ErrorList, len(el))
			for i, d := range el {
				d.Pos.File = displayPath(env, d.Pos.File)
				rel[i] = d
			}
			err = rel
		}
		return nil, src, inputError(err)
	}
	return reg, src, nil
}

func runRegistryCheck(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "registry check", "portlint registry check [-strict] [-v] [FILE]")
	var rf registryFlags
	rf.add(fs)
	strict := fs.Bool("strict", false, "exit 3 on warnings too, not only on errors")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError("portlint registry check: one registry at a time")
	}
	file := ""
	if len(pos) == 1 {
		file = pos[0]
	}
	reg, _, err := openRegistry(env, &rf, file)
	if err != nil {
		return err
	}
	errs, warns := 0, 0
	for _, d := range reg.Problems {
		fmt.Fprintln(env.Stdout, displayDiag(env, reg, d))
		switch d.Severity {
		case registry.SevError:
			errs++
		case registry.SevWarning:
			warns++
		}
	}
	if rf.v || errs+warns > 0 {
		fmt.Fprintf(env.Stderr, "%s: %d errors, %d warnings\n", displayPath(env, reg.File), errs, warns)
	}
	if errs > 0 || (*strict && warns > 0) {
		return errFindings
	}
	return nil
}

// displayDiag prints a registry diagnostic as a finding is printed, with
// its remedy: "registry.yaml:12:7: error: message; hint: remedy [rule]".
// reg is the registry it is about, nil for a load error.
func displayDiag(env *Env, reg *registry.Registry, d registry.Diagnostic) string {
	hint := check.RegistryHint(reg, d)
	d.Pos.File = displayPath(env, d.Pos.File)
	return printable(fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, check.DiagMessage(d.Message, hint, d.Rule)))
}

func runRegistryShow(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "registry show", "portlint registry show [-group G] [-plane P] [-component C] [FILE]")
	var rf registryFlags
	rf.add(fs)
	group := fs.String("group", "", "show only this group")
	plane := fs.String("plane", "", "show only ranges and components of this plane")
	comp := fs.String("component", "", "show only this component (and the ranges it uses)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	file := ""
	if len(pos) > 0 {
		file = pos[0]
	}
	reg, _, err := openRegistry(env, &rf, file)
	if err != nil {
		return err
	}
	filt, err := newShowFilter(reg, *group, *plane, *comp)
	if err != nil {
		return err
	}
	writeShow(env.Stdout, reg, filt)
	return nil
}

// showFilter selects what registry show prints.
type showFilter struct {
	group *registry.Group
	plane *registry.Plane
	comp  *registry.Component
}

func newShowFilter(reg *registry.Registry, group, plane, comp string) (*showFilter, error) {
	f := &showFilter{}
	if group != "" {
		if f.group = reg.Group(group); f.group == nil {
			return nil, usageError("no group %q in the registry; groups: %s", group, names(reg.Groups, func(g *registry.Group) string { return g.Name }))
		}
	}
	if plane != "" {
		if f.plane = reg.Plane(plane); f.plane == nil {
			return nil, usageError("no plane %q in the registry; planes: %s", plane, names(reg.Planes, func(p *registry.Plane) string { return p.Name }))
		}
	}
	if comp != "" {
		if f.comp = reg.Component(comp); f.comp == nil {
			return nil, usageError("no component %q in the registry", comp)
		}
	}
	return f, nil
}

func names[T any](xs []T, name func(T) string) string {
	var s []string
	for _, x := range xs {
		s = append(s, name(x))
	}
	return strings.Join(s, ", ")
}

func hasPlane(ps []*registry.Plane, p *registry.Plane) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func (f *showFilter) component(c *registry.Component) bool {
	if f.group != nil && !c.InGroup(f.group) {
		return false
	}
	if f.plane != nil && !hasPlane(c.Planes, f.plane) {
		return false
	}
	return f.comp == nil || f.comp == c
}

func (f *showFilter) rangeOK(r *registry.Range) bool {
	if f.group != nil && r.Group != f.group {
		return false
	}
	if f.plane != nil && len(r.Planes) > 0 && !hasPlane(r.Planes, f.plane) {
		return false
	}
	if f.comp != nil {
		for _, x := range f.comp.Ranges {
			if x == r {
				return true
			}
		}
		return false
	}
	return true
}

// depth counts the enclosing ranges the filter shows, for indenting.
func (f *showFilter) depth(r *registry.Range) int {
	n := 0
	for p, i := r.Parent, 0; p != nil && i < 16; p, i = p.Parent, i+1 {
		if f.rangeOK(p) {
			n++
		}
	}
	return n
}

// writeShow prints, per group, the ranges (nested ranges indented) with the
// ports assigned inside each and the free count, then the components.
func writeShow(w io.Writer, reg *registry.Registry, f *showFilter) {
	for _, g := range reg.Groups {
		if f.group != nil && g != f.group {
			continue
		}
		if f.comp != nil && !f.comp.InGroup(g) {
			continue
		}
		if f.plane != nil && f.plane.Group != g {
			continue
		}
		if g.HasPool() {
			fmt.Fprintf(w, "group %s: pool %s", g.Name, g.Pool)
		} else {
			fmt.Fprintf(w, "group %s: no pool (fixed ports)", g.Name)
		}
		if len(g.Allow) > 0 {
			fmt.Fprintf(w, ", also %s", names(g.Allow, registry.Interval.Dash))
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RANGE\tSPAN\tPLANES\tPORTS\tFREE")
		rs := append([]*registry.Range(nil), g.Ranges...)
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Unallocated != rs[j].Unallocated {
				return !rs[i].Unallocated
			}
			if rs[i].Span.Lo != rs[j].Span.Lo {
				return rs[i].Span.Lo < rs[j].Span.Lo
			}
			return rs[i].Span.Len() > rs[j].Span.Len()
		})
		for _, r := range rs {
			if !f.rangeOK(r) {
				continue
			}
			var ports []string
			for _, c := range g.Components {
				if !f.component(c) {
					continue
				}
				for _, p := range c.Ports {
					if r.Span.ContainsInterval(p.Span) && (r.Unallocated || home(reg, c, p) == r) {
						ports = append(ports, c.Name+" "+p.String())
					}
				}
			}
			planes := names(r.Planes, func(p *registry.Plane) string { return p.Name })
			name := strings.Repeat("  ", f.depth(r)) + r.Name
			free := strconv.Itoa(reg.FreeCount(r, registry.FreeOptions{}))
			if r.Unallocated {
				name += " (unallocated)"
				free = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", name, spanText(r), dash(planes), dash(strings.Join(ports, ", ")), free)
		}
		// Ports in no range: allowed extras, exceptions, pending gaps.
		var outside []string
		for _, c := range g.Components {
			if !f.component(c) {
				continue
			}
			for _, p := range c.Ports {
				if reg.RangeAt(g, p.Span.Lo) == nil || !c.InRanges(p.Span.Lo) {
					note := ""
					switch {
					case p.Exception != "":
						note = " (exception)"
					case p.Pending != "":
						note = " (pending)"
					case g.Allowed(p.Span.Lo):
						note = " (allowed)"
					}
					outside = append(outside, c.Name+" "+p.String()+note)
				}
			}
		}
		if len(outside) > 0 {
			fmt.Fprintf(tw, "  (outside own ranges)\t\t\t%s\n", strings.Join(outside, ", "))
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tGROUP\tPLANES\tPORTS\tRETIRED")
	for _, c := range reg.Components {
		if !f.component(c) {
			continue
		}
		var ports, old []string
		for _, p := range c.Ports {
			ports = append(ports, p.String())
			for _, o := range p.Was {
				if o.Port == p.Span.Lo && o.Bind == p.Bind {
					continue
				}
				s := strconv.Itoa(o.Port)
				if o.Bind.Kind != registry.BindAny {
					s = o.Bind.String() + ":" + s
				}
				old = append(old, s+"->"+strconv.Itoa(p.Span.Lo))
			}
		}
		planes := names(c.Planes, func(p *registry.Plane) string { return p.Name })
		groups := names(c.Groups, func(g *registry.Group) string { return g.Name })
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, groups, dash(planes), dash(strings.Join(ports, " ")), dash(strings.Join(old, " ")))
	}
	tw.Flush()
	// The ports the plan says more about, in file order.
	first := true
	for _, c := range reg.Components {
		if !f.component(c) {
			continue
		}
		for _, p := range c.Ports {
			if p.Doc == "" {
				continue
			}
			if first {
				fmt.Fprintln(w)
				tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "PORT\tCOMPONENT\tDOC")
				first = false
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.String(), c.Name, oneLine(p.Doc))
		}
	}
	if !first {
		tw.Flush()
	}
}

// home is the range whose row lists a port: the innermost of the
// component's own ranges that holds it, else the innermost range that does.
// (The agent's 20000 belongs in engine.install, which the agent names, not
// in engine.install.mgmt, the SE-M sub-range that happens to hold it; with
// -plane SE-W the port would otherwise vanish from the table.)
func home(reg *registry.Registry, c *registry.Component, p *registry.Port) *registry.Range {
	var best *registry.Range
	for _, r := range c.Ranges {
		if r.Span.ContainsInterval(p.Span) && (best == nil || r.Span.Len() < best.Span.Len()) {
			best = r
		}
	}
	if best != nil {
		return best
	}
	return reg.RangeAt(c.Group, p.Span.Lo)
}

// spanText is the range's span as the registry writes it.
func spanText(r *registry.Range) string {
	if r.Written != "" {
		return r.Written
	}
	return r.Span.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runRegistryNext(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "registry next", "portlint registry next [-n N] [-retired] RANGE [FILE]")
	var rf registryFlags
	rf.add(fs)
	n := fs.Int("n", 1, "how many free ports to print")
	retired := fs.Bool("retired", false, "count retired ports as free (the plan allows reassigning them with 'reuses')")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || len(pos) > 2 {
		fs.Usage()
		return &ExitError{Code: ExitUsage}
	}
	if *n < 1 {
		return usageError("portlint registry next: -n must be at least 1")
	}
	file := ""
	if len(pos) == 2 {
		file = pos[1]
	}
	reg, _, err := openRegistry(env, &rf, file)
	if err != nil {
		return err
	}
	r := reg.Range(pos[0])
	if r == nil {
		var all []string
		for _, x := range reg.Ranges {
			all = append(all, x.Name)
		}
		return usageError("portlint registry next: no range %q; ranges: %s", pos[0], strings.Join(all, ", "))
	}
	if r.Unallocated {
		fmt.Fprintf(env.Stderr, "portlint: warning: %s is unallocated; plan a range for the component before taking ports from it\n", r.Name)
	}
	free := reg.Free(r, *n, registry.FreeOptions{IncludeRetired: *retired})
	for _, p := range free {
		fmt.Fprintln(env.Stdout, p)
	}
	if len(free) < *n {
		return &ExitError{Code: ExitFindings, Msg: fmt.Sprintf("portlint registry next: range %s %s has only %d free ports", r.Name, spanText(r), len(free))}
	}
	return nil
}
