package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/portlint/portlint/export"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/registry"
)

func init() {
	for _, c := range []*command{
		{name: "export", summary: "write firewall lists, firewall rules, the plan as JSON or an HTML port map", run: runRegistryExport},
		{name: "diff", summary: "describe, as markdown, what changed between two versions of a registry", run: runRegistryDiff},
	} {
		registrySubcommands[c.name] = c
	}
}

// exportFileNames are the file names export writes into a directory given
// to -o, by format. firewalld writes one ROLE.xml per role instead.
var exportFileNames = map[string]string{
	"markdown": "firewall-list.md",
	"csv":      "firewall-list.csv",
	"json":     "plan.json",
	"nftables": "firewall.nft",
	"iptables": "firewall.iptables",
	"html":     "portmap.html",
}

const exportUsage = `portlint registry export -format F [-group G] [-plane P[,P...]] [-component C] [-all] [-o FILE|DIR] [-inventory FILE] [REGISTRY]

Formats: markdown and csv (the customer's firewall list per node role),
firewalld (one service XML per role), nftables, iptables (iptables-restore),
json (the normalized plan), html (the port map).

Node roles are each plane, and for a group with several planes the
all-in-one node that runs them all. -plane selects one node: one plane, or
several planes of one group that share a node. Loopback-bound ports are
internal and not listed; -all lists them, marked internal (firewall rules
never open them).

-o writes to FILE, or into DIR under a name per format. firewalld writes one
ROLE.xml per role into the directory -o names; to standard output it writes
only when exactly one role is selected.`

func runRegistryExport(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "registry export", exportUsage)
	var rf registryFlags
	rf.add(fs)
	format := fs.String("format", "", "output `format`: "+strings.Join(export.Formats, ", "))
	group := fs.String("group", "", "only this `group`")
	var planes stringsFlag
	fs.Var(&planes, "plane", "only the node running these `planes` (comma-separated, one group)")
	comp := fs.String("component", "", "only this `component`'s ports")
	all := fs.Bool("all", false, "also list loopback-bound (internal) ports, marked")
	out := fs.String("o", "", "write to `file` or directory instead of standard output")
	inv := fs.String("inventory", "", "overlay the port uses of this `file` (portlint ports -json; - for standard input) on the html map")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *format == "" {
		fs.Usage()
		return usageError("portlint registry export: -format is required; formats: %s", strings.Join(export.Formats, ", "))
	}
	*format = canonicalFormat(*format)
	if !validFormat(*format) {
		return usageError("portlint registry export: unknown format %q; formats: %s", *format, strings.Join(export.Formats, ", "))
	}
	if len(pos) > 1 {
		return usageError("portlint registry export: one registry at a time")
	}
	if *inv != "" && *format != "html" {
		return usageError("portlint registry export: -inventory overlays the html map; use it with -format html")
	}
	file := ""
	if len(pos) == 1 {
		file = pos[0]
	}
	reg, _, err := openRegistry(env, &rf, file)
	if err != nil {
		return err
	}
	opts, err := exportOptions(reg, *group, planes, *comp)
	if err != nil {
		return err
	}
	opts.All = *all
	opts.Source = displayPath(env, reg.File)
	if *inv != "" {
		if opts.Inventory, err = readInventory(env, *inv); err != nil {
			return err
		}
	}
	if *format == "firewalld" {
		return writeFirewalld(env, reg, opts, *out)
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, reg, *format, opts); err != nil {
		return usageError("portlint registry export: %v", err)
	}
	if *out == "" {
		_, err := env.Stdout.Write(buf.Bytes())
		return err
	}
	path := env.abs(*out)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, exportFileNames[*format])
	}
	return writeExportFile(env, path, buf.Bytes())
}

func canonicalFormat(f string) string {
	switch f = strings.ToLower(f); f {
	case "md":
		return "markdown"
	case "nft":
		return "nftables"
	}
	return f
}

func validFormat(f string) bool {
	for _, x := range export.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// exportOptions resolves the selection flags against the registry.
func exportOptions(reg *registry.Registry, group string, planes []string, comp string) (export.Options, error) {
	var opts export.Options
	f, err := newShowFilter(reg, group, "", comp)
	if err != nil {
		return opts, err
	}
	opts.Group, opts.Component = f.group, f.comp
	for _, name := range planes {
		p := reg.Plane(name)
		if p == nil {
			return opts, usageError("no plane %q in the registry; planes: %s", name, names(reg.Planes, func(p *registry.Plane) string { return p.Name }))
		}
		opts.Planes = append(opts.Planes, p)
	}
	if opts.Component != nil && opts.Group != nil && !opts.Component.InGroup(opts.Group) {
		return opts, usageError("component %s belongs to group %s, not %s", opts.Component.Name, opts.Component.Group.Name, opts.Group.Name)
	}
	if _, err := export.Roles(reg, opts); err != nil {
		return opts, usageError("portlint registry export: %v", err)
	}
	return opts, nil
}

// writeFirewalld writes one service per role: into the directory out, or,
// for a single role, to out as a file when it ends in .xml, or to stdout.
func writeFirewalld(env *Env, reg *registry.Registry, opts export.Options, out string) error {
	files, err := export.Firewalld(reg, opts)
	if err != nil {
		return usageError("portlint registry export: %v", err)
	}
	if out == "" {
		if len(files) != 1 {
			var ids []string
			for _, f := range files {
				ids = append(ids, strings.TrimSuffix(f.Name, ".xml"))
			}
			return usageError("portlint registry export: firewalld writes one service per node role and %d roles are selected (%s); choose one with -plane, or write them all with -o DIR", len(files), strings.Join(ids, ", "))
		}
		_, err := env.Stdout.Write(files[0].Data)
		return err
	}
	path := env.abs(out)
	if len(files) == 1 && strings.HasSuffix(path, ".xml") {
		return writeExportFile(env, path, files[0].Data)
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return &ExitError{Code: ExitInternal, Msg: err.Error()}
	}
	for _, f := range files {
		if err := writeExportFile(env, filepath.Join(path, f.Name), f.Data); err != nil {
			return err
		}
	}
	return nil
}

func writeExportFile(env *Env, path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return &ExitError{Code: ExitInternal, Msg: "portlint registry export: " + err.Error()}
	}
	fmt.Fprintf(env.Stderr, "portlint: wrote %s\n", displayPath(env, path))
	return nil
}

// abs resolves p against the run's working directory.
func (e *Env) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	dir, err := e.dir()
	if err != nil {
		return p
	}
	return filepath.Join(dir, p)
}

// readInventory reads the JSON Lines of portlint ports -json.
func readInventory(env *Env, path string) ([]finding.Record, error) {
	var r io.Reader
	name := path
	if path == "-" {
		r, name = env.Stdin, "standard input"
		if r == nil {
			return nil, usageError("portlint registry export: -inventory -: no standard input")
		}
	} else {
		f, err := os.Open(env.abs(path))
		if err != nil {
			return nil, inputError(fmt.Errorf("reading inventory: %w", err))
		}
		defer f.Close()
		r = f
	}
	return parseInventory(r, name)
}

func parseInventory(r io.Reader, name string) ([]finding.Record, error) {
	var recs []finding.Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var rec finding.Record
		dec := json.NewDecoder(bytes.NewReader(text))
		if err := dec.Decode(&rec); err != nil {
			return nil, inputError(fmt.Errorf("%s:%d: not an inventory record (portlint ports -json): %v", name, line, err))
		}
		if rec.Version != finding.InventoryVersion {
			col := bytes.Index(text, []byte(`"version"`)) + 1
			if col == 0 {
				return nil, inputError(fmt.Errorf("%s:%d:1: no inventory format version (\"version\"): not a record of portlint ports -json, or one written before records carried it; write the inventory again with portlint ports -json", name, line))
			}
			return nil, inputError(fmt.Errorf("%s:%d:%d: inventory format version %d; this portlint reads version %d: write the inventory again with this portlint's ports -json", name, line, col, rec.Version, finding.InventoryVersion))
		}
		if rec.Port < registry.MinPort || rec.Port > registry.MaxPort || (rec.PortEnd != 0 && (rec.PortEnd < rec.Port || rec.PortEnd > registry.MaxPort)) {
			return nil, inputError(fmt.Errorf("%s:%d: port %d-%d is outside 1-65535", name, line, rec.Port, rec.PortEnd))
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, inputError(fmt.Errorf("reading inventory %s: %w", name, err))
	}
	return recs, nil
}

func runRegistryDiff(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "registry diff", "portlint registry diff OLD NEW\n\nWrites, as markdown, what changed between two versions of a registry:\nports added, removed, moved, retired and reassigned; ranges added,\nremoved and changed; components added and removed.")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return &ExitError{Code: ExitUsage}
	}
	var regs [2]*registry.Registry
	for i, p := range pos {
		reg, err := registry.Load(env.abs(p))
		if err != nil {
			var el registry.ErrorList
			if errors.As(err, &el) {
				for _, d := range el {
					fmt.Fprintln(env.Stderr, displayDiag(env, nil, d))
				}
				return &ExitError{Code: ExitUsage, Msg: fmt.Sprintf("portlint registry diff: %s cannot be loaded", p)}
			}
			return inputError(err)
		}
		regs[i] = reg
	}
	return export.Diff(env.Stdout, regs[0], regs[1], export.DiffOptions{OldName: pos[0], NewName: pos[1]})
}
