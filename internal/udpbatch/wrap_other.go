//go:build !linux

package udpbatch

import "github.com/pion/transport/v5"

// Wrap returns c: only Linux's sockets are batched.
func Wrap(c transport.UDPConn) transport.UDPConn { return c }
