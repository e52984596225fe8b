//go:build !unix

package cmd

// keepPrivate does nothing where there is no umask: files take the
// permissions of their directory.
func keepPrivate() {}
