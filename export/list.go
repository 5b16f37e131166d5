package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/portlint/portlint/registry"
)

// Markdown writes the customer's firewall list: for each node role, every
// port to open inbound, with protocol, component, purpose and a note.
func Markdown(w io.Writer, reg *registry.Registry, opts Options) error {
	roles, err := Roles(reg, opts)
	if err != nil {
		return err
	}
	b := &strings.Builder{}
	title := reg.Title
	if title == "" {
		title = "port plan"
	}
	fmt.Fprintf(b, "# Firewall list: %s\n\n", mdEscape(title))
	fmt.Fprintf(b, "The inbound ports to open on each kind of node")
	if opts.Source != "" {
		fmt.Fprintf(b, ", from `%s`", opts.Source)
	}
	fmt.Fprintf(b, ". Ranges are written first-last and include both ends.")
	if opts.All {
		fmt.Fprintf(b, " Ports marked internal bind loopback only: they are listed for completeness and must not be opened.")
	}
	fmt.Fprintf(b, "\n\n")
	if len(roles) > 1 {
		fmt.Fprintf(b, "| Node | Group | Ports to open |\n| --- | --- | --- |\n")
		for _, r := range roles {
			var ps []string
			for _, o := range r.Open {
				if o.Internal {
					continue
				}
				p := portText(o.Port) + protoSuffix(o.Port.Proto)
				switch {
				case o.Port.Bind.Kind != registry.BindAny:
					p += " (" + o.Port.Bind.String() + ")"
				case o.Port.Pending != "":
					p += " (pending)"
				}
				ps = append(ps, p)
			}
			fmt.Fprintf(b, "| [%s](#%s) | %s | %s |\n", mdEscape(r.Name), r.ID, mdEscape(r.Group.Name), dashIfEmpty(strings.Join(ps, ", ")))
		}
		fmt.Fprintf(b, "\n")
	}
	for _, r := range roles {
		fmt.Fprintf(b, "<a id=\"%s\"></a>\n\n## %s\n\n", r.ID, mdEscape(r.Name))
		if r.Doc != "" {
			fmt.Fprintf(b, "%s. ", upperFirst(mdEscape(r.Doc)))
		}
		fmt.Fprintf(b, "Group %s.\n\n", mdEscape(r.Group.Name))
		if len(r.Open) == 0 {
			fmt.Fprintf(b, "No port to open.\n\n")
			continue
		}
		fmt.Fprintf(b, "| Port | Protocol | Component | Purpose | Note |\n| ---: | --- | --- | --- | --- |\n")
		for _, o := range r.Open {
			port := portText(o.Port)
			if o.Internal {
				port += " (internal)"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", port, o.Port.Proto, mdEscape(o.Component.Name), mdEscape(o.Port.Purpose), mdEscape(o.Note(reg)))
		}
		fmt.Fprintf(b, "\n")
	}
	_, err = io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

// CSV writes the firewall list as one row per node role and port, for
// spreadsheets: role, group, planes, port (first-last for a range), first,
// last, protocol, component, bind, status (open or internal), purpose and
// note.
func CSV(w io.Writer, reg *registry.Registry, opts Options) error {
	roles, err := Roles(reg, opts)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"role", "group", "planes", "port", "first", "last", "protocol", "component", "bind", "status", "purpose", "note"}); err != nil {
		return err
	}
	for _, r := range roles {
		for _, o := range r.Open {
			status := "open"
			if o.Internal {
				status = "internal"
			}
			err := cw.Write([]string{
				csvText(r.Name), csvText(r.Group.Name), csvText(strings.Join(planeNames(r.Planes), " ")),
				portText(o.Port), fmt.Sprint(o.Port.Span.Lo), fmt.Sprint(o.Port.Span.Hi),
				string(o.Port.Proto), csvText(o.Component.Name), csvText(o.Port.Bind.String()), status,
				csvText(o.Port.Purpose), csvText(o.Note(reg)),
			})
			if err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText keeps a text cell from being read as a formula: a spreadsheet
// evaluates a cell that starts with =, +, -, @, a tab or a carriage return
// (OWASP's CSV injection), so such a cell gets a leading apostrophe, which
// spreadsheets show as text and do not display. Line breaks become spaces.
func csvText(s string) string {
	s = oneLine(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func protoSuffix(p registry.Proto) string {
	if p == registry.TCP {
		return ""
	}
	return "/" + string(p)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdEscape keeps text from breaking a markdown table or opening HTML.
// Underscores stay as they are: GitHub does not read them inside words as
// emphasis, and the raw text is what a customer may receive.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "`", "\\`")
	return r.Replace(oneLine(s))
}
