// Package smoke is data_dam's code.
//
//portlint:component data_dam
package smoke

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

const agentPort = 8099 // want `port 8099 is retired: agent moved to 20000; nothing listens there`

const damPort = 28951

func main() {
	net.Listen("tcp", ":20200")                           // want `port 20200 belongs to webserver \(SE-M\), not data_dam`
	net.Listen("tcp", fmt.Sprintf(":%d", damPort))         // ok: its own
	net.Listen("tcp", "0.0.0.0:28952")                     // want `data_dam binds port 28952 on all addresses, but the plan binds it to 127.0.0.1 only`
	net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(28952))    // ok
	http.ListenAndServe(net.JoinHostPort("", "15001"), nil) // want `port 15001 is reserved by the platform \(Istio Envoy outbound\)`
	_ = flag.Int("port", 9977, "port to serve on")         // want `port 9977 is retired: data_dam moved to 28951`
	_ = flag.Duration("timeout", 8080*time.Millisecond, "timeout")
	_ = flag.Int("workers", 8080, "number of workers")
	srv := &http.Server{Addr: ":28955"} // want `port 28955 is in data_dam's range engine.data but not registered`
	_ = srv
	net.Dial("tcp", "localhost:20200") // ok: dialing the webserver
	net.Dial("tcp", fmt.Sprintf("%s:%d", "localhost", agentPort)) // reported at the constant
	x := 8080
	_ = x
}
