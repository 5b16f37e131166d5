// Package grpc is a stub of google.golang.org/grpc for analyzer fixtures.
package grpc

import (
	"context"
	"net"
)

type ClientConn struct{}
type DialOption interface{}
type Server struct{}

func Dial(target string, opts ...DialOption) (*ClientConn, error) { return nil, nil }
func DialContext(ctx context.Context, target string, opts ...DialOption) (*ClientConn, error) {
	return nil, nil
}
func NewClient(target string, opts ...DialOption) (*ClientConn, error) { return nil, nil }
func NewServer() *Server                                               { return nil }
func (s *Server) Serve(l net.Listener) error                           { return nil }
