// Package unattributed belongs to no component: only the checks that need
// no owner run (retired where the context names the old service, reserved,
// outside every pool).
package unattributed

import "net"

const agentPort = 8099 // want `port 8099 is retired: agent moved to 20000 \[retired\]`

const etcdPort = 2379 // a reference to etcd, not a claim on its port

const prometheusPort = 9090 // a reference to the customer's Prometheus

func f() {
	net.Listen("tcp", ":8081")  // want `port 8081 is outside every pool of the plan \(control \[29000, 30000\), engine \[20000, 29000\)\) \[foreign-range\]`
	net.Listen("tcp", ":20250") // in the engine pool: no owner to judge
	net.Listen("tcp", ":28951") // someone's port: no owner to judge
	net.Listen("tcp", ":15001") // want `port 15001 is reserved by the platform \(Istio Envoy outbound\)`
	net.Listen("tcp", ":8299")  // want `port 8299 is outside every pool`
	net.Listen("tcp", ":29000") // the console's port
	net.Listen("tcp", ":2379")  // want `port 2379 is reserved by the platform \(Kubernetes etcd\)`
}
