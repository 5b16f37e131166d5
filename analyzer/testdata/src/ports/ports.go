// Package ports is a table of webserver's ports (engine.mgmt.apps
// [20200, 20300)): in a package named ports, a package-level constant is a
// port even when its name does not say so.
//
//portlint:component webserver
package ports

const (
	WebHTTP    = 20200
	WebHTTPS   = 20201
	WebAdmin   = 20275 // want `port 20275 is in webserver's range engine.mgmt.apps but not registered`
	MetricsUDP = 20276 // want `port 20276/udp is in webserver's range`
)

const (
	MaxRetries         = 20200 // a count: not a port
	DialTimeoutSeconds = 30    // a timeout: not a port
	Name               = "web"
	Ratio              = 0.5
)

// Variables are not the table.
var Current = 20278

func local() int {
	const scratch = 20277 // a local constant: not the table
	return scratch + Current
}
