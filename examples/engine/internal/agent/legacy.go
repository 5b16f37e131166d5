package agent

import (
	"fmt"
	"log"
	"net/http"
)

// legacyPort is where installers older than 3.0 look for the agent.
const legacyPort = 8099

// ServeLegacy keeps the pre-plan endpoint alive for old installers.
func ServeLegacy() {
	addr := fmt.Sprintf(":%d", legacyPort)
	log.Printf("legacy agent endpoint on %s", addr)
	log.Print(http.ListenAndServe(addr, Handler()))
}
