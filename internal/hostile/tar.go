package hostile

import (
	"bytes"
	"fmt"
	"strconv"
)

const block = 512

// SparseTar returns a tar stream of one GNU sparse file (the PAX format
// 1.0 that GNU tar writes with --sparse) named name, realSize bytes long
// once its holes are filled, of which only the last block is data: a
// reader that fills the holes writes realSize bytes for a stream of seven
// blocks. archive/tar reads such a file and fills its holes; it cannot
// write one.
func SparseTar(name string, realSize int64) []byte {
	var b bytes.Buffer
	records := paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
		paxRecord("GNU.sparse.name", name) + paxRecord("GNU.sparse.realsize", strconv.FormatInt(realSize, 10))
	b.Write(header("PaxHeaders/"+name, 'x', int64(len(records))))
	b.Write(padded([]byte(records)))
	sparseMap := padded(fmt.Appendf(nil, "1\n%d\n%d\n", realSize-block, block))
	b.Write(header("GNUSparseFile.0/"+name, '0', int64(len(sparseMap)+block)))
	b.Write(sparseMap)
	b.Write(bytes.Repeat([]byte("x"), block))
	b.Write(make([]byte, 2*block)) // the end of the archive
	return b.Bytes()
}

// OversizedTar returns a tar stream of one regular file whose header says
// it holds claimed bytes, followed by one block of data and the end of the
// archive: a reader that trusts the header writes past what the stream
// holds, and fails only at its end.
func OversizedTar(name string, claimed int64) []byte {
	var b bytes.Buffer
	b.Write(header(name, '0', claimed))
	b.Write(bytes.Repeat([]byte("x"), block))
	b.Write(make([]byte, 2*block))
	return b.Bytes()
}

// paxRecord is one record of a PAX extended header: its length in decimal
// (counting itself), the key, the value.
func paxRecord(key, value string) string {
	rest := " " + key + "=" + value + "\n"
	n := len(rest) + 1
	for len(strconv.Itoa(n))+len(rest) != n {
		n++
	}
	return strconv.Itoa(n) + rest
}

// header is a ustar header block.
func header(name string, typeflag byte, size int64) []byte {
	h := make([]byte, block)
	copy(h[0:100], name)
	copy(h[100:], "0000644\x00")
	copy(h[108:], "0000000\x00")
	copy(h[116:], "0000000\x00")
	copy(h[124:], fmt.Sprintf("%011o\x00", size))
	copy(h[136:], fmt.Sprintf("%011o\x00", 0))
	h[156] = typeflag
	copy(h[257:], "ustar\x0000")
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:], fmt.Sprintf("%06o\x00 ", sum))
	return h
}

func padded(p []byte) []byte {
	if r := len(p) % block; r != 0 {
		p = append(p, make([]byte, block-r)...)
	}
	return p
}
