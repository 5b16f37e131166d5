package main

import (
	"net"
	"testing"
)

func TestServe(t *testing.T) {
	net.Listen("tcp", ":8080") // test files are skipped unless the tests setting is on
}
