// Package core is the control plane's code that configures its sidecars.
package core

import (
	"net"
	"strconv"

	"mesh.example/configure/bootstrap"
	"mesh.example/configure/model"
)

type listener struct{ Port int }

func sidecarBootstrap() *bootstrap.Config {
	return &bootstrap.Config{
		AdminPort:     15000, // the sidecar's admin port: configure, no finding
		ReadinessPort: 15098, // want `port 15098 is in sidecar's range pod.proxy but not registered`
		DiscoveryAddr: "istiod:15012",
	}
}

func setAdmin(c *bootstrap.Config) {
	c.AdminPort = 15000 // configure, no finding
}

func buildDNSFilter() listener {
	port := 15053 // inside a function the registry gives to the sidecar: configure
	return listener{Port: port}
}

func waypoint() listener {
	return listener{Port: model.HBoneInboundListenPort} // the sidecar's constant: checked at its declaration
}

func serve() {
	net.Listen("tcp", ":"+strconv.Itoa(15010)) // istiod's own listener: no finding
	port := 15053                              // want `port 15053 is in istiod's range istiod.control but not registered`
	_ = port
}
