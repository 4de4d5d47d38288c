//go:build unix

package actionproxy

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup makes the action the leader of a new process group, so
// that killing it also kills what it started, as destroying its container
// would.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcess kills the action and its process group. Errors (already gone)
// are ignored.
func killProcess(p *os.Process) {
	killGroup(p)
	_ = p.Kill()
}

// killGroup kills what is left of the action's process group. Errors
// (nothing left) are ignored.
func killGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}
