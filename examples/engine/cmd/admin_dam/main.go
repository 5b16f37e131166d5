// Command admin_dam administers database activity monitoring from the
// management plane. Its console listens on the management VIP.
package main

import (
	"log"
	"net"
	"net/http"
	"os"
)

const (
	consolePort = "28952" // on the VIP; data_dam uses the same number on loopback
	apiPort     = 20202
	httpsPort   = 20203
)

func main() {
	vip := os.Getenv("ENGINE_VIP")
	l, err := net.Listen("tcp", net.JoinHostPort(vip, consolePort))
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(l, http.NotFoundHandler())
	srv := &http.Server{Addr: net.JoinHostPort("", "20202")}
	go srv.ListenAndServe()
	log.Fatal(http.ListenAndServeTLS(":20203", "tls.crt", "tls.key", nil))
}
