//go:build !linux

package console

import "errors"

// errNoCharMode says that CharMode is not written for this system.
var errNoCharMode = errors.New("the line editor needs Linux: plain lines are used")

// CharMode is Linux's only, for now; elsewhere the caller keeps the
// terminal's own line editing.
func CharMode(fd int) (restore func() error, err error) { return nil, errNoCharMode }
