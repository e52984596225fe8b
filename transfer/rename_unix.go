//go:build unix

package transfer

import (
	"os"
	"syscall"
)

// renameDir renames the directory part to final, an empty directory, which
// rename(2) replaces in one step. os.Rename refuses any existing directory.
func renameDir(part, final string) error {
	if err := syscall.Rename(part, final); err != nil {
		return &os.LinkError{Op: "rename", Old: part, New: final, Err: err}
	}
	return nil
}
