//go:build unix

package private

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// oNoFollow makes open fail on a final symbolic link.
const oNoFollow = syscall.O_NOFOLLOW

// isLink reports whether err is open's refusal of a final symbolic link
// under O_NOFOLLOW.
func isLink(err error) bool { return errors.Is(err, syscall.ELOOP) }

// trustedLink reports whether the symbolic link at path can only have
// been made by this user or root: it belongs to one of them, and so does
// its directory, which no one else may write to.
func trustedLink(path string) bool {
	link, err1 := os.Lstat(path)
	dir, err2 := os.Stat(filepath.Dir(path))
	if err1 != nil || err2 != nil || dir.Mode().Perm()&0o022 != 0 {
		return false
	}
	return ownedHere(link) && ownedHere(dir)
}

func ownedHere(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && (int(st.Uid) == os.Geteuid() || st.Uid == 0)
}
