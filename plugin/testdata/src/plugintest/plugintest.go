// Package plugintest is api's code, checked through the plugin with
// unregistered disabled in the settings.
//
//portlint:component api
package plugintest

import "net"

func serve() {
	net.Listen("tcp", ":1001")
	net.Listen("tcp", ":8080") // want `port 8080 is retired: api moved to 1001; no fix: api already listens on 1001, .*; hint: serve what it serves from api.s listener on 1001, or remove it \[retired\]$`
	net.Listen("tcp", ":1100") // want `port 1100 belongs to worker, not api; hint: use 1000, the next free port of api.ports, and register it for api \[conflict\]$`
	net.Listen("tcp", ":1050") // in api's range but unregistered: disabled

	//portlint:ignore conflict worker hands 1100 over in the next release
	net.Listen("tcp", ":1100")
}
