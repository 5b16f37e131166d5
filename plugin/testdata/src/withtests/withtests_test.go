package withtests

import "net"

func listenInTest() {
	net.Listen("tcp", ":8080") // want `port 8080 is retired: api moved to 1001; hint: use 1001, the port that replaced it \[retired\]$`
}
