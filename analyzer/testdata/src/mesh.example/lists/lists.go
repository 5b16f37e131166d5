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
