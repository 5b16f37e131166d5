// Package local uses its own port constant in several places: one
// finding, at the declaration; the inventory lists each use where it is
// written. A constant whose name says no port lists nothing.
//
//portlint:component webserver
package local

const solverListenPort = 28953 // want `port 28953 belongs to polycube \(SE-W\), not webserver`

const maxRetries = 28954

type container struct {
	ContainerPort int
	Retries       int
}

var pod = container{ContainerPort: solverListenPort, Retries: maxRetries}

func probe() int { port := solverListenPort; return port }
