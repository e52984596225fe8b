package mediatest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has cmd killed when the test process dies, even by a crash
// that skips the test's cleanups.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
