//go:build !unix

package e2e

import "os/exec"

// detach does nothing where process groups are not unix ones.
func detach(*exec.Cmd) {}
