package attrfile

import "net"

//portlint:component webservr // want `portlint:component names "webservr", which is not a component of the registry; did you mean "webserver"\? \[directive\]`

func typo() {
	net.Listen("tcp", ":20290")
}
