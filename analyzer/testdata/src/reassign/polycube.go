package reassign

import "net"

//portlint:component polycube

func polycube() {
	net.Listen("tcp", ":1050") // want `port 1050 is retired: polycube moved to 1001 and the number now belongs to newcomp; no fix: polycube already listens on 1001, and a second listener there fails with "address already in use" \[retired\]`
	net.Listen("tcp", ":1001")
}
