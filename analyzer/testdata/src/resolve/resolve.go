// Package resolve exercises constant folding and the runtime shapes of an
// address, in webserver's code (range engine.mgmt.apps [20200, 20300)).
//
//portlint:component webserver
package resolve

import (
	"fmt"
	"net"
	"strconv"
)

const (
	base    = 20200
	sumPort = base + 58 // want `port 20258 is in webserver's range`
	host    = "127.0.0.1"
	joined  = "0.0.0.0:" + "20259" // want `port 20259 is in webserver's range engine.mgmt.apps but not registered`
)

const viaConst = 20257 // want `port 20257 is in webserver's range`

// a constant derived from another: each is a port of its own, at its own line
const (
	httpPort = 20270          // want `port 20270 is in webserver's range`
	grpcPort = httpPort + 1   // want `port 20271 is in webserver's range`
	uiPort   = (httpPort + 2) // want `port 20272 is in webserver's range`
)

func shapes(h string) {
	net.Listen("tcp", ":20250")                                  // want `port 20250 is in webserver's range`
	net.Listen("tcp", fmt.Sprintf(":%d", 20251))                 // want `port 20251 is in webserver's range`
	net.Listen("tcp", fmt.Sprintf("%s:%d", h, 20252))            // want `port 20252 is in webserver's range`
	net.Listen("tcp", net.JoinHostPort(h, "20253"))              // want `port 20253 is in webserver's range`
	net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(20254))) // want `port 20254 is in webserver's range`
	net.Listen("tcp", ":"+strconv.Itoa(20255))                   // want `port 20255 is in webserver's range`
	net.Listen("tcp", ":"+strconv.FormatInt(20256, 10))          // want `port 20256 is in webserver's range`
	net.Listen("tcp", fmt.Sprintf(":%d", viaConst))
	net.Listen("tcp", fmt.Sprintf(":%d", sumPort)) // reported once, at the constant
	net.Listen("tcp", joined)
	net.Listen("tcp", host+":"+strconv.Itoa(base)) // its own port, on loopback
	addr := ":20260"                               // want `port 20260 is in webserver's range`
	net.Listen("tcp", addr)
	p := 20263 // want `port 20263 is in webserver's range`
	net.Listen("tcp", ":"+strconv.Itoa(p))
	var dyn int
	fmt.Sscan("1", &dyn)
	net.Listen("tcp", fmt.Sprintf(":%d", dyn)) // computed at run time: nothing to check
	net.Listen("tcp", fmt.Sprintf("%s:%d", h, dyn))
	net.Listen("tcp", h) // unknown
}
