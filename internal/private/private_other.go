//go:build !unix

package private

// oNoFollow is nothing where open cannot refuse a final symbolic link.
const oNoFollow = 0

func isLink(error) bool { return false }

func trustedLink(string) bool { return false }
