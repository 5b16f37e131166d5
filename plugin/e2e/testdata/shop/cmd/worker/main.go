// Command worker processes the shop's orders.
package main

import (
	"net"

	"example.com/shop/internal/store"
)

func main() {
	net.Listen("tcp", ":7100")
	net.Dial("tcp", store.Addr)
}
