//go:build !linux

package cli

import "os"

// statIdentity returns what tells a file from another one at the same path
// with the same size and modification time; outside Linux, nothing more.
func statIdentity(os.FileInfo) string { return "" }
