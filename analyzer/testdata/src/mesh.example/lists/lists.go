// Package lists holds strings that are lists of addresses, in webserver's
// code: each address is a port use, as it would be alone.
//
//portlint:component webserver
package lists

var args = []string{
	"-listen-client-urls=http://localhost:20200,https://localhost:20201",
	"--initial-cluster=infra0=http://10.0.1.10:20202,infra1=http://10.0.1.11:20203",
}

var peers = "http://127.0.0.1:20204,http://127.0.0.1:20205"

var cluster = "a=http://localhost:20206,b=http://localhost:20207"

// Not lists of addresses: one element is no address, or the text is prose.
var (
	notAll  = "http://localhost:20208,not-an-address"
	times   = "12:30,13:45"
	prose   = "ports 20209, 20210"
	oneFlag = "-level=debug"
	ratios  = "1:20211,2:20212"
)

// Configuration directives written as text (a Corefile in a test table):
// the address after the directive, or after its "." zone.
var corefiles = []string{
	"health localhost:20213",
	"forward . 127.0.0.1:20214",
	`ready 127.0.0.1:20215 {
	lameduck 4s
}`,
}

// Prose is no directive.
var sentences = []string{
	"listening on 127.0.0.1:20218",
	"Health localhost:20219",
	"see the docs at localhost:20220 for more",
}

// One member of a cluster, NAME=URL or NAME=host:port.
var (
	member  = "node1=http://127.0.0.1:20221"
	member2 = "0=localhost:20222"
	notURL  = "mode=20223"
)
