package udpbatch

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Control messages as Linux lays them out: a header of the message's
// length (a word), its level and type (32 bits each), then its data, each
// message padded to a word.

func cmsgAlign(n int) int { return (n + unix.SizeofPtr - 1) &^ (unix.SizeofPtr - 1) }

// segmentOOB writes into b, and returns, the control message that asks
// the kernel to cut a buffer into datagrams of size bytes (UDP_SEGMENT).
// b must hold unix.CmsgSpace(2) bytes.
func segmentOOB(b []byte, size int) []byte {
	b = b[:unix.CmsgSpace(2)]
	clear(b)
	putWord(b, uint64(unix.CmsgLen(2)))
	binary.NativeEndian.PutUint32(b[unix.SizeofPtr:], unix.SOL_UDP)
	binary.NativeEndian.PutUint32(b[unix.SizeofPtr+4:], unix.UDP_SEGMENT)
	binary.NativeEndian.PutUint16(b[cmsgAlign(unix.SizeofCmsghdr):], uint16(size))
	return b
}

// segmentSize returns the size of the datagrams the kernel joined, from
// the UDP_GRO control message in oob; 0 when there is none, or oob is
// malformed.
func segmentSize(oob []byte) int {
	for len(oob) >= unix.SizeofCmsghdr {
		n := word(oob)
		level := binary.NativeEndian.Uint32(oob[unix.SizeofPtr:])
		typ := binary.NativeEndian.Uint32(oob[unix.SizeofPtr+4:])
		if n < unix.SizeofCmsghdr || n > uint64(len(oob)) {
			return 0
		}
		data := oob[cmsgAlign(unix.SizeofCmsghdr):n]
		if level == unix.SOL_UDP && typ == unix.UDP_GRO && len(data) >= 4 {
			return max(int(int32(binary.NativeEndian.Uint32(data))), 0)
		}
		next := cmsgAlign(int(n))
		if next >= len(oob) {
			return 0
		}
		oob = oob[next:]
	}
	return 0
}

func word(b []byte) uint64 {
	if unix.SizeofPtr == 8 {
		return binary.NativeEndian.Uint64(b)
	}
	return uint64(binary.NativeEndian.Uint32(b))
}

func putWord(b []byte, v uint64) {
	if unix.SizeofPtr == 8 {
		binary.NativeEndian.PutUint64(b, v)
		return
	}
	binary.NativeEndian.PutUint32(b, uint32(v))
}
