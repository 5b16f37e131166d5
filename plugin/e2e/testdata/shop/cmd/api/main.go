// Command api serves the shop.
package main

import (
	"net"
	"net/http"
)

func main() {
	go http.ListenAndServe(":7001", nil)
	go http.ListenAndServe(":8080", nil)
	net.Listen("tcp", ":7100")
	net.Listen("tcp", ":7002")
	net.Listen("tcp", "127.0.0.1:7002")
	net.Listen("tcp", ":7050")
	net.Listen("tcp", ":8080") //nolint:portlint // the old port stays open for one release
	//portlint:ignore conflict worker hands 7100 over to api in the next release
	net.Listen("tcp", ":7100")
}
