package plugintest

import "net"

// Test files are skipped unless the tests setting is on.
func listenInTest() {
	net.Listen("tcp", ":8080")
}
