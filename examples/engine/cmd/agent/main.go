// Command agent runs on every engine node: it installs packages and
// reports the node's state to the management plane.
package main

import (
	"flag"
	"log"
	"net/http"

	"example.com/engine/internal/agent"
)

func main() {
	listen := flag.String("listen", agent.DefaultListen, "address the agent API listens on")
	legacy := flag.Bool("legacy", true, "also serve the pre-3.0 endpoint")
	flag.Parse()
	if *legacy {
		go agent.ServeLegacy()
	}
	log.Fatal(http.ListenAndServe(*listen, agent.Handler()))
}
