// Package config is a client's configuration of the Cassandra servers it
// connects to, in webserver's code.
//
//portlint:component webserver
package config

type Connection struct {
	Servers []string
	Port    int
}

type Configuration struct{ Connection Connection }

// The server's port, where the client connects: no finding.
func DefaultConfiguration() Configuration {
	return Configuration{Connection: Connection{Servers: []string{"127.0.0.1"}, Port: 9042}}
}
