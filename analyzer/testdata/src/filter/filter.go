// Package filter builds packet-filter rules in webserver's code: a match
// claims nothing, a redirect target must be webserver's own port.
//
//portlint:component webserver
package filter

type builder struct{}

func (b *builder) DestinationPort(p int) *builder { return b }
func (b *builder) RedirectPort(p int) *builder    { return b }

func AppendRule(chain, table string, args ...string) {}

const dnsPort = "53"

func rules(b *builder, inbound string) {
	AppendRule("OUTPUT", "nat", "-p", "udp", "--dport", dnsPort, "-j", "REDIRECT", "--to-ports", "20200") // a match, and a redirect to its own port
	AppendRule("OUTPUT", "nat", "-p", "tcp", "--dport", "53", "-j", "REDIRECT", "--to-ports", "28951")    // want `port 28951 belongs to data_dam \(SE-W\), not webserver`
	AppendRule("INBOUND", "nat", "!", "--dports", "53,"+inbound, "-j", "RETURN")                          // matches only
	AppendRule("OUTPUT", "raw", "-p", "udp", "--sport", "15053", "-j", "CT", "--zone", "2")               // a match of a source port
	b.DestinationPort(8080).RedirectPort(20201)                                                           // a match, and webserver's own port
	b.RedirectPort(28951)                                                                                 // want `port 28951 belongs to data_dam \(SE-W\), not webserver`
}
