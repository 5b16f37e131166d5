// Package dial exercises the dialing APIs in admin_dam's code. Dialing
// another component's port is what clients do; only retired ports are
// findings, and only where the code names the old service.
//
//portlint:component admin_dam
package dial

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
)

const agentAddr = "localhost:8099" // want `port 8099 is retired: agent moved to 20000; nothing listens there any more \[retired\]`

// Flags whose usage says the address is where the code connects.
var (
	queueAddr = flag.String("queue-tcp-address", "127.0.0.1:4150", "<addr>:<port> to connect to the queue")       // a client's target: no finding
	queuePort = flag.Int("queue-port", 4150, "port of the remote queue")                                          // a client's target: no finding
	ownAddr   = flag.String("admin-address", "127.0.0.1:20200", "address to listen on for clients to connect to") // want `port 20200 .*`
)

const etcdEndpoint = "http://127.0.0.1:2379" // the customer's etcd is on 2379 too: no finding

func dials(ctx context.Context) {
	net.Dial("tcp", "localhost:20200")                     // the webserver: a client, fine
	net.DialTimeout("tcp", "127.0.0.1:28951", time.Second) // data_dam: fine
	var d net.Dialer
	d.DialContext(ctx, "tcp", agentAddr)
	tls.Dial("tcp", "localhost:20201", nil)                    // fine
	grpc.Dial("dns:///data-ha.svc:20133")                      // fine
	grpc.NewClient("passthrough:///localhost:20133")           // fine
	http.Get("http://localhost:20200/healthz")                 // fine
	http.Post("http://nexus:8000/ping", "text/plain", nil)     // want `port 8000 is retired: nexus moved to 20100`
	http.NewRequest("GET", "https://example.com/x", nil)       // no explicit port
	url.Parse("http://localhost:8099/agent")                   // want `port 8099 is retired: agent moved to 20000`
	net.Dial("tcp", fmt.Sprintf("%s:%d", "agent.local", 8099)) // want `port 8099 is retired: agent moved to 20000`
	net.Dial("tcp", "db.example.com:3306")                     // a customer database
	net.Dial("udp", "10.0.0.7:8099")                           // no name of the agent: no finding
	http.Get(etcdEndpoint)
}

// The addresses a resolver hands to the client are where it connects.
var backends = resolver.State{Addresses: []resolver.Address{{Addr: "localhost:4150"}, {Addr: "localhost:4151"}}} // a client's targets: no finding

// The default port of a peer the user names, filled into an address parsed
// from the input: the DNS server's port, not one admin_dam opens.
var defaultRFC2136Port = "53"

func validNameserver(nameserver string) (string, error) {
	host, port, err := net.SplitHostPort(nameserver)
	if err != nil {
		host = nameserver
	}
	if port == "" {
		port = defaultRFC2136Port
	}
	return net.JoinHostPort(host, port), nil
}

// The same shape completing a listen address is a listen default.
var defaultServePort = "53" // want `port 53 is outside the pool .*`

func serveAddr(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if port == "" {
		port = defaultServePort
	}
	return net.Listen("tcp", net.JoinHostPort(host, port))
}

// A default used elsewhere too keeps its role.
var fallbackPort = "54" // want `port 54 is outside the pool .*`

func peer(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if port == "" {
		port = fallbackPort
	}
	return net.JoinHostPort(host, port)
}

func usage() string { return "the default port is " + fallbackPort }
