// Command webserver serves the management UI and API of the engine.
package main

import (
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"
	"time"

	"example.com/engine/internal/health"
)

type config struct {
	UIAddr       string
	APIAddr      string
	ReadTimeout  time.Duration
	MaxBodyBytes int64
}

func main() {
	cfg := config{ReadTimeout: 15 * time.Second, MaxBodyBytes: 8 << 20}
	flag.StringVar(&cfg.UIAddr, "ui-listen", ":20200", "address the management UI listens on")
	flag.StringVar(&cfg.APIAddr, "api-listen", ":20201", "address the management API listens on")
	debug := flag.Bool("debug", false, "serve pprof")
	flag.Parse()

	h := &health.Handler{}
	if *debug {
		go func() { log.Print(http.ListenAndServe("localhost:28955", nil)) }()
	}
	api := &http.Server{Addr: cfg.APIAddr, Handler: h, ReadTimeout: cfg.ReadTimeout}
	go func() { log.Fatal(api.ListenAndServe()) }()
	h.MarkReady()
	log.Fatal(http.ListenAndServe(cfg.UIAddr, http.FileServer(http.Dir("ui"))))
}
