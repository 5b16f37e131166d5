// Package attrfile holds files of different components.
package attrfile

import "net"

//portlint:component envoy

func envoyAdmin() {
	net.Listen("tcp", ":28950") // envoy's own port
	net.Listen("tcp", ":9902")  // want `port 9902 is retired: envoy moved to 28950`
}
