// Package agent installs engine packages and reports node state.
package agent

import (
	"encoding/json"
	"net/http"
	"time"
)

// DefaultListen is where the agent API listens on every node.
const DefaultListen = ":20000"

// installTimeout bounds one package installation.
const installTimeout = 20 * time.Minute

// Handler serves the agent API.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/node", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"status": "ok", "installTimeout": installTimeout.String()})
	})
	return mux
}
