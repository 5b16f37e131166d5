// Package reassign is checked with the registry.yaml beside it, found by
// walking up from the package.
package reassign

import "net"

//portlint:component newcomp

func newcomp() {
	net.Listen("tcp", ":1050") // the new owner of a reassigned port
}
