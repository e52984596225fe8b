//go:build unix

package private

import (
	"errors"
	"syscall"
)

// oNoFollow makes open fail on a final symbolic link.
const oNoFollow = syscall.O_NOFOLLOW

// isLink reports whether err is open's refusal of a final symbolic link
// under O_NOFOLLOW.
func isLink(err error) bool { return errors.Is(err, syscall.ELOOP) }
