// Command polycube is attributed by its binary name.
package main

import "net"

func main() {
	net.Listen("tcp", ":28953") // its own port
	net.Listen("tcp", ":9000")  // want `port 9000 is retired: polycube moved to 28953`
}
