// Package use refers to the constant in many places: no finding here, the
// declaration carries it.
//
//portlint:component webserver
package use

import (
	"net"
	"strconv"

	"mesh.example/constonce/ports"
)

type options struct{ Port int }

var (
	a = options{Port: ports.DamPort}
	b = options{Port: ports.DamPort + 0}
)

func c() int { port := ports.DamPort; return port }

// A listener is a claim of its own, where it listens.
func d() { net.Listen("tcp", ":"+strconv.Itoa(ports.DamPort)) } // want `port 28951 belongs to data_dam \(SE-W\), not webserver`
