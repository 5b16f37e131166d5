// Package checks makes every check fire in webserver's code
// (webserver: 20200, 20201 in engine.mgmt.apps [20200, 20300), group engine).
//
//portlint:component webserver
package checks

import "net"

func all() {
	net.Listen("tcp", ":20200")          // its own port
	net.Listen("tcp", ":28951")          // want `port 28951 belongs to data_dam \(SE-W\), not webserver \[conflict\]`
	net.Listen("tcp", ":28952")          // want `port 28952 belongs to admin_dam \(SE-M\) on \$VIP and data_dam \(SE-W\) on 127.0.0.1, not webserver \[conflict\]`
	net.Listen("tcp", ":28955")          // want `port 28955 lies in range engine.data \(SE-W\), outside webserver's ranges \(engine.mgmt.apps\) \[foreign-range\]`
	net.Listen("tcp", ":23000")          // want `port 23000 lies in range engine.mgmt \(SE-M\), outside webserver's ranges`
	net.Listen("tcp", ":29005")          // want `port 29005 is outside the pool \[20000, 29000\) of group engine, where webserver belongs \[foreign-range\]`
	net.Listen("tcp", ":4040")           // want `port 4040 is outside the pool`
	net.Listen("tcp", ":8299")           // want `port 8299 is retired: webserver moved to 20200; no fix: webserver already listens on 20200, and a second listener there fails with "address already in use" \[retired\]`
	net.Listen("tcp", ":20290")          // want `port 20290 is in webserver's range engine.mgmt.apps but not registered \[unregistered\]`
	net.Listen("tcp", ":15006")          // want `port 15006 is reserved by the platform \(Istio Envoy inbound\) \[reserved\]`
	net.Listen("tcp", ":31000")          // want `port 31000 is reserved by the platform \(Kubernetes NodePort services\)`
	net.Listen("tcp", "127.0.0.1:20201") // its own port on loopback: narrower than planned is fine
	net.Listen("udp", ":20200")          // want `port 20200/udp is in webserver's range`
}
