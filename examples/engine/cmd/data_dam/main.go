// Command data_dam watches database traffic on a data-plane node.
package main

import (
	"log"
	"net"
	"net/http"
)

// Settings come from the environment, with these defaults.
type Settings struct {
	CapturePort int    `env:"DAM_CAPTURE_PORT" envDefault:"28951"`
	ControlAddr string `env:"DAM_CONTROL_ADDR" envDefault:"127.0.0.1:28952"`
	MetricsAddr string `env:"DAM_METRICS_ADDR" envDefault:":20200"`
	QueueSize   int    `env:"DAM_QUEUE_SIZE" envDefault:"28951"`
}

func main() {
	capture, err := net.Listen("tcp", ":28951")
	if err != nil {
		log.Fatal(err)
	}
	ctl := &http.Server{Addr: "0.0.0.0:28952"}
	go ctl.ListenAndServe()
	log.Fatal(http.Serve(capture, nil))
}
