package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/portlint/portlint/registry"
)

// The firewall outputs open exactly the ports of a role's firewall list.
// Ports bound to a variable address (such as $VIP) are opened like the
// others, since the address is known only on the node; loopback-bound
// ports are never opened (with Options.All they appear as comments).

// FirewalldService writes one role as a firewalld service definition
// (firewalld.service(5)). Install it with
//
//	firewall-cmd --permanent --new-service-from-file=ROLE.xml
//	firewall-cmd --permanent --add-service=ROLE
//
// where ROLE is role.ID; the file name gives the service its name.
func FirewalldService(w io.Writer, reg *registry.Registry, role *Role, opts Options) error {
	b := &strings.Builder{}
	b.WriteString(xml.Header)
	fmt.Fprintf(b, "<!-- %s -->\n", xmlComment(headerLine(reg, role, opts)))
	b.WriteString("<service>\n")
	fmt.Fprintf(b, "  <short>%s</short>\n", xmlText(shortName(reg, role)))
	fmt.Fprintf(b, "  <description>%s</description>\n", xmlText(roleDescription(reg, role)))
	for _, o := range role.Open {
		if o.Internal {
			fmt.Fprintf(b, "  <!-- not opened: %s -->\n", xmlComment(ruleComment(reg, o, true)))
			continue
		}
		fmt.Fprintf(b, "  <!-- %s -->\n", xmlComment(ruleComment(reg, o, true)))
		fmt.Fprintf(b, "  <port protocol=\"%s\" port=\"%s\"/>\n", o.Port.Proto, portText(o.Port))
	}
	b.WriteString("</service>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Firewalld returns the firewalld service of every selected role, keyed by
// file name (ROLE.xml), in role order.
func Firewalld(reg *registry.Registry, opts Options) ([]NamedFile, error) {
	roles, err := Roles(reg, opts)
	if err != nil {
		return nil, err
	}
	var out []NamedFile
	for _, r := range roles {
		var b strings.Builder
		if err := FirewalldService(&b, reg, r, opts); err != nil {
			return nil, err
		}
		out = append(out, NamedFile{Name: r.ID + ".xml", Data: []byte(b.String())})
	}
	return out, nil
}

// A NamedFile is one file of a multi-file export.
type NamedFile struct {
	Name string
	Data []byte
}

// Nftables writes an nftables ruleset (nft -f) that adds, for each
// selected role, a chain accepting exactly the role's ports to table
// inet filter, the table of the distributions' default ruleset. When one
// role is selected it also inserts the jump to that chain at the top of the
// input chain; with several, the jump for each role is written as a
// comment, since a node plays one role. The input chain's policy and its
// other rules are left alone, and reloading the file refreshes the role
// chains.
func Nftables(w io.Writer, reg *registry.Registry, opts Options) error {
	roles, err := Roles(reg, opts)
	if err != nil {
		return err
	}
	b := &strings.Builder{}
	b.WriteString("#!/usr/sbin/nft -f\n")
	writeHashHeader(b, reg, roles, opts)
	b.WriteString("# Each role is a chain of table inet filter (the table of the default\n")
	b.WriteString("# ruleset, /etc/nftables.conf) that accepts exactly its ports; the input\n")
	b.WriteString("# chain jumps to the chain of the node's role. The input chain's policy and\n")
	b.WriteString("# other rules stay as they are. Load with: nft -f FILE\n\n")
	b.WriteString("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter;\n\t}\n")
	for _, r := range roles {
		fmt.Fprintf(b, "\tchain %s {\n\t}\n", nftName(r))
	}
	b.WriteString("}\n")
	for _, r := range roles {
		fmt.Fprintf(b, "\n# %s\n", roleTitle(r))
		fmt.Fprintf(b, "flush chain inet filter %s\n", nftName(r))
		fmt.Fprintf(b, "table inet filter {\n\tchain %s {\n", nftName(r))
		for _, o := range r.Open {
			if o.Internal {
				fmt.Fprintf(b, "\t\t# not opened: %s\n", ruleComment(reg, o, true))
				continue
			}
			if note := o.Note(reg); note != "" {
				fmt.Fprintf(b, "\t\t# %s %s: %s\n", oneLine(o.Component.Name), portText(o.Port), oneLine(note))
			}
			fmt.Fprintf(b, "\t\t%s dport %s accept comment %q\n", o.Port.Proto, portText(o.Port), nftComment(ruleComment(reg, o, false)))
		}
		b.WriteString("\t}\n}\n")
	}
	b.WriteString("\n")
	if len(roles) == 1 {
		fmt.Fprintf(b, "insert rule inet filter input jump %s\n", nftName(roles[0]))
	} else {
		b.WriteString("# On each node, jump to the chain of its role, e.g. by adding to this file:\n")
		for _, r := range roles {
			fmt.Fprintf(b, "#   insert rule inet filter input jump %-20s # %s\n", nftName(r), oneLine(r.Name))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// Iptables writes an iptables-restore file that declares, for each selected
// role, a chain accepting exactly the role's ports. When one role is
// selected it also inserts the jump to that chain at the top of INPUT; with
// several, the jumps are comments. Load it with --noflush, so that the
// rest of the filter table stays, into both iptables and ip6tables (it
// names no address):
//
//	iptables-restore --noflush FILE && ip6tables-restore --noflush FILE
func Iptables(w io.Writer, reg *registry.Registry, opts Options) error {
	roles, err := Roles(reg, opts)
	if err != nil {
		return err
	}
	b := &strings.Builder{}
	writeHashHeader(b, reg, roles, opts)
	b.WriteString("# Each role is a chain that accepts exactly its ports; INPUT jumps to the\n")
	b.WriteString("# chain of the node's role. Load into both address families, keeping the\n")
	b.WriteString("# rest of the filter table:\n")
	b.WriteString("#   iptables-restore --noflush FILE && ip6tables-restore --noflush FILE\n")
	b.WriteString("*filter\n")
	for _, r := range roles {
		fmt.Fprintf(b, ":%s - [0:0]\n", iptName(r))
	}
	for _, r := range roles {
		fmt.Fprintf(b, "# %s\n", roleTitle(r))
		for _, o := range r.Open {
			if o.Internal {
				fmt.Fprintf(b, "# not opened: %s\n", ruleComment(reg, o, true))
				continue
			}
			if note := o.Note(reg); note != "" {
				fmt.Fprintf(b, "# %s %s: %s\n", oneLine(o.Component.Name), portText(o.Port), oneLine(note))
			}
			port := strings.ReplaceAll(portText(o.Port), "-", ":")
			fmt.Fprintf(b, "-A %s -p %s -m %s --dport %s -m comment --comment \"%s\" -j ACCEPT\n",
				iptName(r), o.Port.Proto, o.Port.Proto, port, iptComment(ruleComment(reg, o, false)))
		}
	}
	if len(roles) == 1 {
		fmt.Fprintf(b, "-I INPUT -j %s\n", iptName(roles[0]))
	} else {
		b.WriteString("# On each node, jump to the chain of its role, e.g. by adding here:\n")
		for _, r := range roles {
			fmt.Fprintf(b, "#   -I INPUT -j %s\n", iptName(r))
		}
	}
	b.WriteString("COMMIT\n")
	_, err = io.WriteString(w, b.String())
	return err
}

func writeHashHeader(b *strings.Builder, reg *registry.Registry, roles []*Role, opts Options) {
	title := reg.Title
	if title == "" {
		title = "port plan"
	}
	fmt.Fprintf(b, "# %s: inbound ports by node role", oneLine(title))
	if opts.Source != "" {
		fmt.Fprintf(b, ", from %s", oneLine(opts.Source))
	}
	b.WriteString(".\n")
	for _, r := range roles {
		fmt.Fprintf(b, "#   %s\n", roleTitle(r))
	}
	b.WriteString("#\n")
}

func roleTitle(r *Role) string {
	s := r.Name
	if r.Doc != "" {
		s += ": " + r.Doc
	}
	return oneLine(s + "; group " + r.Group.Name)
}

func headerLine(reg *registry.Registry, r *Role, opts Options) string {
	s := "inbound ports of node role " + roleTitle(r)
	if reg.Title != "" {
		s = reg.Title + ": " + s
	}
	if opts.Source != "" {
		s += ", from " + opts.Source
	}
	return s
}

func shortName(reg *registry.Registry, r *Role) string {
	return r.Group.Name + " " + r.Name
}

func roleDescription(reg *registry.Registry, r *Role) string {
	var comps []string
	seen := map[string]bool{}
	for _, o := range r.Open {
		if !o.Internal && !seen[o.Component.Name] {
			seen[o.Component.Name] = true
			comps = append(comps, o.Component.Name)
		}
	}
	s := "Inbound ports of node role " + r.Name
	if r.Doc != "" {
		s += " (" + r.Doc + ")"
	}
	s += ", group " + r.Group.Name
	if reg.Title != "" {
		s += " in the " + reg.Title
	}
	if len(comps) > 0 {
		s += ": " + strings.Join(comps, ", ")
	}
	return s + "."
}

// ruleComment describes an opening in one line: component, purpose and,
// when long is set, the port and its note.
func ruleComment(reg *registry.Registry, o *Opening, long bool) string {
	s := o.Component.Name
	if long {
		s = portText(o.Port) + "/" + string(o.Port.Proto) + " " + s
	}
	if o.Port.Purpose != "" {
		s += ": " + o.Port.Purpose
	}
	if long {
		if note := o.Note(reg); note != "" {
			s += " (" + note + ")"
		}
	}
	return oneLine(s)
}

// oneLine makes s safe for a one-line comment of a rules file: every
// control character (line breaks among them) and every run of white space
// becomes one space, so that nothing a plan says can end the comment and
// start a rule. Every name and text a firewall export writes goes through
// it or through a quoting function built on it.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncate shortens s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// nftComment fits a rule comment into nft's 128-byte limit and its quoting.
func nftComment(s string) string {
	return truncate(strings.NewReplacer(`"`, "'", `\`, "/").Replace(oneLine(s)), 120)
}

// iptComment fits a comment into xt_comment's 256 bytes and the quoting of
// iptables-restore.
func iptComment(s string) string {
	return truncate(strings.NewReplacer(`"`, "'", `\`, "/").Replace(oneLine(s)), 240)
}

func nftName(r *Role) string { return strings.ReplaceAll(slug(r.ID), "-", "_") }

// iptName is the role's chain name: upper case and at most 28 bytes, the
// kernel's limit.
func iptName(r *Role) string { return truncate(strings.ToUpper(slug(r.ID)), 28) }

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// xmlComment keeps text legal inside <!-- -->, which may not hold "--".
func xmlComment(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return strings.TrimSuffix(s, "-")
}
