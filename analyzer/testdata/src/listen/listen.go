// Package listen exercises the listening APIs in data_dam's code.
// data_dam owns 28951 and 127.0.0.1:28952 in range engine.data.
//
//portlint:component data_dam
package listen

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

func listeners(ctx context.Context, cfg *tls.Config) {
	net.Listen("tcp", ":28951")                                      // its own port
	net.Listen("tcp", ":28955")                                      // want `port 28955 is in data_dam's range engine.data but not registered \[unregistered\]`
	net.Listen("tcp4", "127.0.0.1:28952")                            // its own port, on the planned address
	net.ListenPacket("udp", ":28956")                                // want `port 28956/udp is in data_dam's range engine.data but not registered`
	net.Listen("unix", "/run/dam.sock")                              // no port
	net.ListenTCP("tcp", &net.TCPAddr{Port: 28957})                  // want `port 28957 is in data_dam's range engine.data`
	laddr := &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: 28958} // want `port 28958/udp is in data_dam's range`
	net.ListenUDP("udp", laddr)
	var lc net.ListenConfig
	lc.Listen(ctx, "tcp", "127.0.0.1:28952")               // its own port
	lc.ListenPacket(ctx, "udp", ":28959")                  // want `port 28959/udp is in data_dam's range`
	tls.Listen("tcp", ":20200", cfg)                       // want `port 20200 belongs to webserver \(SE-M\), not data_dam \[conflict\]`
	http.ListenAndServe(":8099", nil)                      // want `port 8099 is retired: agent moved to 20000 \[retired\]`
	http.ListenAndServeTLS("0.0.0.0:28952", "c", "k", nil) // want `data_dam binds port 28952 on all addresses, but the plan binds it to 127.0.0.1 only: an internal port exposed to the network; on all addresses it also collides with admin_dam \(\$VIP:28952\) \[bind\]`
	srv := &http.Server{Addr: ":10250"}                    // want `port 10250 is reserved by the platform \(kubelet\) \[reserved\]`
	srv.Addr = ":28970"                                    // want `port 28970 is in data_dam's range`
	gin.Default().Run(":28971")                            // want `port 28971 is in data_dam's range`
	net.Listen("tcp", "127.0.0.1:0")                       // any free port
	net.Listen("tcp", ":0")                                // any free port
}
