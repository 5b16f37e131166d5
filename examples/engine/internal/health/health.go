// Package health serves liveness and readiness endpoints.
package health

import (
	"net/http"
	"sync/atomic"
)

// Handler reports ready once MarkReady has been called.
type Handler struct{ ready atomic.Bool }

// MarkReady flips readiness on.
func (h *Handler) MarkReady() { h.ready.Store(true) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		w.WriteHeader(http.StatusOK)
	case "/readyz":
		if !h.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		http.NotFound(w, r)
	}
}
