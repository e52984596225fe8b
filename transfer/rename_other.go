//go:build !unix

package transfer

import "os"

// renameDir renames the directory part to final, an empty directory. Where
// rename cannot replace a directory, the empty one is removed first, which
// leaves a moment in which another program could take the name.
func renameDir(part, final string) error {
	if err := os.Rename(part, final); err == nil {
		return nil
	}
	if err := os.Remove(final); err != nil {
		return err
	}
	return os.Rename(part, final)
}
