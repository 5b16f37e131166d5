// Package related is component b's code, listening on äa旧's port.
//
//portlint:component b
package related

import "net"

func f() {
	net.Listen("tcp", ":1001") // want `port 1001 belongs to äa旧, not b`
}
