package attrfile

import "net"

func unowned() {
	net.Listen("tcp", ":9902") // want `port 9902 is outside every pool of the plan`
}
