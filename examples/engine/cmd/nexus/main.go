// Command nexus coordinates high availability on every engine node.
package main

import (
	"bufio"
	"log"
	"net"
	"strconv"
	"time"
)

const (
	haPort            = 20100
	heartbeatInterval = 2 * time.Second
	maxPeers          = 64
)

func main() {
	l, err := net.Listen("tcp", ":"+strconv.Itoa(haPort))
	if err != nil {
		log.Fatal(err)
	}
	sem := make(chan struct{}, maxPeers)
	for {
		c, err := l.Accept()
		if err != nil {
			log.Print(err)
			time.Sleep(heartbeatInterval)
			continue
		}
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; c.Close() }()
			s := bufio.NewScanner(c)
			for s.Scan() {
				c.Write([]byte("ack " + s.Text() + "\n"))
			}
		}()
	}
}
