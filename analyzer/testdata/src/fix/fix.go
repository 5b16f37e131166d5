// Package fix exercises the suggested fix of retired ports in agent's code.
//
//portlint:component agent
package fix

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
)

const agentPort = 8099 // want `port 8099 is retired: agent moved to 20000`

func serve() {
	net.Listen("tcp", fmt.Sprintf(":%d", agentPort))
	net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", agentPort))
	http.ListenAndServe(":8099", nil)               // want `port 8099 is retired: agent moved to 20000`
	net.Listen("tcp", ":"+strconv.Itoa(8099))       // want `port 8099 is retired: agent moved to 20000`
	net.Listen("tcp", net.JoinHostPort("", "8099")) // want `port 8099 is retired: agent moved to 20000`
}

type Settings struct {
	Port int `env:"AGENT_PORT" envDefault:"8099"` // want `port 8099 is retired: agent moved to 20000`
}
