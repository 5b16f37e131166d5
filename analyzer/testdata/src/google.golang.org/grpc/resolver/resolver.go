// Package resolver is a stub of grpc's resolver package.
package resolver

// Address is a server address a resolver returns.
type Address struct {
	Addr       string
	ServerName string
}

// State is what a resolver reports.
type State struct{ Addresses []Address }
