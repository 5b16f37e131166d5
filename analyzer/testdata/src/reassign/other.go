package reassign

import "net"

//portlint:component other

func other() {
	net.Listen("tcp", ":1050") // want `port 1050 belongs to newcomp, not other \[conflict\]`
	net.Listen("tcp", ":1600") // want `port 1600 lies in the unallocated range free, outside other's ranges \(b\) \[foreign-range\]`
	net.Listen("tcp", ":1100")
}
