package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

func init() {
	register(&command{name: "ports", summary: "list every port use found in Go packages and manifests", run: runPorts})
}

const portsUsage = `portlint ports [-json|-csv] [-planned] [flags] [packages and paths]`

func runPorts(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "portlint ports", portsUsage)
	f := &lintFlags{}
	f.registryFlags.add(fs)
	asJSON := fs.Bool("json", false, "print JSON Lines, one use per line")
	asCSV := fs.Bool("csv", false, "print CSV")
	planned := fs.Bool("planned", false, "join with the registry: planned-but-unused and used-but-unplanned ports")
	fs.BoolVar(&f.tests, "test", false, "include _test.go files")
	fs.StringVar(&f.tags, "tags", "", "comma-separated build `tags`")
	fs.BoolVar(&f.noPrefilter, "no-prefilter", false, "load every package with types")
	fs.BoolVar(&f.noCache, "no-cache", false, "analyze every package again, neither replaying nor storing cached results")
	fs.BoolVar(&f.noManifests, "no-manifests", false, "Go packages only")
	fs.BoolVar(&f.noGo, "no-go", false, "manifests only")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usageError("portlint ports: -json and -csv cannot be combined")
	}
	r, err := newRun(env, f)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		pos = []string{"./..."}
	}
	if wantProgress(false, env.Stderr, os.Getenv) {
		r.startProgress()
	}
	res, err := r.scan(ctx, pos)
	r.progress.finish()
	if err != nil {
		return err
	}
	for _, e := range res.errors {
		fmt.Fprintln(env.Stderr, printable(r.relErr(e)))
	}
	// what the checks found at each use, as portlint prints it
	type at struct {
		file   string
		offset int
	}
	found := map[at][]finding.RecordFinding{}
	for _, f := range res.findings {
		if !f.Ignored {
			k := at{f.Pos.File, f.Pos.Offset}
			found[k] = append(found[k], finding.RecordFinding{Check: f.Check, Severity: f.Severity, Message: f.Message})
		}
	}
	recs := make([]finding.Record, 0, len(res.uses))
	for _, u := range res.uses {
		rec := finding.RecordOf(u)
		rec.Checked = true
		rec.Findings = found[at{u.Pos.File, u.Pos.Offset}]
		delete(found, at{u.Pos.File, u.Pos.Offset}) // two uses at one place: the findings once
		rec.File = displayPath(env, rec.File)
		recs = append(recs, rec)
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	switch {
	case *planned:
		uses := append([]*check.Use(nil), res.uses...)
		sort.SliceStable(uses, func(i, j int) bool {
			a, b := uses[i].Pos, uses[j].Pos
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Offset < b.Offset
		})
		if err := writePlanned(env, r.reg, uses, recs, *asJSON); err != nil {
			return err
		}
	case *asJSON:
		enc := json.NewEncoder(env.Stdout)
		for _, rec := range recs {
			if err := enc.Encode(rec); err != nil {
				return err
			}
		}
	case *asCSV:
		// a failed Write is remembered and returned by Error
		w := csv.NewWriter(env.Stdout)
		_ = w.Write([]string{"file", "line", "column", "port", "port_end", "proto", "bind", "role", "component", "via", "source"})
		for _, rec := range recs {
			_ = w.Write([]string{rec.File, strconv.Itoa(rec.Line), strconv.Itoa(rec.Column), strconv.Itoa(rec.Port), endStr(rec.PortEnd), rec.Proto, rec.Bind, rec.Role, rec.Component, rec.Via, rec.Source})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
	default:
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PORT\tPROTO\tBIND\tROLE\tCOMPONENT\tSOURCE\tWHERE")
		for _, rec := range recs {
			port := strconv.Itoa(rec.Port)
			if rec.PortEnd > 0 {
				port += "-" + strconv.Itoa(rec.PortEnd)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s:%d:%d\n", port, rec.Proto, cell(dash(rec.Bind)), rec.Role, cell(dash(rec.Component)), cell(rec.Source), cell(rec.File), rec.Line, rec.Column)
		}
		tw.Flush()
		// what manifest scanning set aside (template lines, unreadable
		// documents) belongs to the inventory: uses may hide there
		if len(res.notes) > 0 {
			fmt.Fprintf(env.Stdout, "\nNot scanned:\n")
			for _, n := range res.notes {
				fmt.Fprintf(env.Stdout, "  %s\n", printable(r.relErr(n)))
			}
		}
	}
	if *asJSON || *asCSV {
		// one use per line on stdout; what was set aside goes to stderr
		for _, n := range res.notes {
			fmt.Fprintln(env.Stderr, "note: "+printable(r.relErr(n)))
		}
	}
	if len(res.errors) > 0 {
		return &ExitError{Code: ExitUsage}
	}
	return nil
}

func endStr(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// A plannedRow joins the registry with the inventory.
type plannedRow struct {
	Status    string `json:"status"` // planned-and-used, planned-unused, used-unplanned
	Port      string `json:"port"`
	Proto     string `json:"proto"`
	Bind      string `json:"bind,omitempty"`
	Component string `json:"component,omitempty"`
	Uses      int    `json:"uses"`
	Where     string `json:"where,omitempty"` // the first use, or the registry entry
}

// writePlanned prints every registered port with its uses, and every
// serving use of a port the registry does not give its component.
func writePlanned(env *Env, reg *registry.Registry, uses []*check.Use, recs []finding.Record, asJSON bool) error {
	var rows []plannedRow
	type key struct {
		c    *registry.Component
		port int
	}
	used := map[key][]*check.Use{}
	for _, u := range uses {
		c := reg.Component(u.Component)
		for p := u.Port; p <= u.Last() && p > 0; p++ {
			used[key{c, p}] = append(used[key{c, p}], u)
		}
	}
	claimed := map[*check.Use]bool{}
	for _, c := range reg.Components {
		for _, p := range c.Ports {
			var us []*check.Use
			for q := p.Span.Lo; q <= p.Span.Hi; q++ {
				us = append(us, used[key{c, q}]...)
				us = append(us, used[key{nil, q}]...)
			}
			row := plannedRow{Port: p.Span.Dash(), Proto: string(p.Proto), Component: c.Name, Uses: len(us)}
			if p.Bind.Kind != registry.BindAny {
				row.Bind = p.Bind.String()
			}
			if len(us) == 0 {
				row.Status, row.Where = "planned-unused", displayPath(env, p.Pos.String())
			} else {
				row.Status = "planned-and-used"
				row.Where = fmt.Sprintf("%s:%d:%d", displayPath(env, us[0].Pos.File), us[0].Pos.Line, us[0].Pos.Column)
				for _, u := range us {
					claimed[u] = true
				}
			}
			rows = append(rows, row)
		}
	}
	for _, u := range uses {
		if claimed[u] || !u.Role.Serves() {
			continue
		}
		rows = append(rows, plannedRow{Status: "used-unplanned", Port: strconv.Itoa(u.Port), Proto: string(protoOr(u.Proto)), Component: u.Component, Uses: 1,
			Where: fmt.Sprintf("%s:%d:%d", displayPath(env, u.Pos.File), u.Pos.Line, u.Pos.Column)})
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tPORT\tPROTO\tBIND\tCOMPONENT\tUSES\tWHERE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Status, r.Port, r.Proto, cell(dash(r.Bind)), cell(dash(r.Component)), r.Uses, cell(r.Where))
	}
	return tw.Flush()
}

func protoOr(p registry.Proto) registry.Proto {
	if p == "" {
		return registry.TCP
	}
	return p
}

// cell is printable text for a table cell, whose tabs would shift columns.
func cell(s string) string { return strings.ReplaceAll(printable(s), "\t", " ") }
