// Package related is component b's code, listening on «a»'s port.
//
//portlint:component b
package related

import "net"

func f() {
	net.Listen("tcp", ":1001") // want `port 1001 belongs to «a», not b`
}
