//go:build !unix

package actionproxy

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing on systems without process groups.
func setProcessGroup(*exec.Cmd) {}

// killProcess kills the action. Errors (already gone) are ignored.
func killProcess(p *os.Process) { _ = p.Kill() }

// killGroup does nothing on systems without process groups.
func killGroup(*os.Process) {}
