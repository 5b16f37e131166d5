//go:build unix

package e2e

import (
	"os/exec"
	"syscall"
)

// detach puts the command in a process group of its own, out of reach of
// signals meant for the test.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
