//go:build unix

package cmd

import "syscall"

// keepPrivate makes every file and directory the call creates from now on
// readable only by this user, whatever code creates it (received files,
// recordings): they hold the call. The process does nothing else after.
func keepPrivate() { syscall.Umask(0o077) }
