// Package recall holds port uses a reader marks that are easy to miss, in
// webserver's code.
//
//portlint:component webserver
package recall

import (
	"strings"

	"mesh.example/sets"
)

var allowedPorts = sets.New(20200, 20214) // want `port 20214 is in webserver's range engine.mgmt.apps but not registered`

var reservedPorts = map[string]string{
	"20201": "admin",
	"20215": "debug", // want `port 20215 is in webserver's range engine.mgmt.apps but not registered`
}

var retries = sets.New(3, 5) // a set of counts, not ports

func plaintext(addr string) bool { return strings.HasSuffix(addr, ":20216") }
