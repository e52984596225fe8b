package cmd

import (
	"strings"

	"github.com/pigeon-call/pigeon/transfer"
)

// defaultMaxFileSize is the most one received transfer may bring unless
// --max-file-size says otherwise: a film or a disk image, not a disk.
const defaultMaxFileSize = 4 << 30

// sizeFlag is a number of bytes, as transfer.ParseSize reads it.
type sizeFlag int64

func (s *sizeFlag) Set(text string) error {
	n, err := transfer.ParseSize(text)
	*s = sizeFlag(n)
	return err
}

func (s *sizeFlag) String() string {
	if *s == 0 {
		return "0"
	}
	return strings.ReplaceAll(transfer.FormatBytes(int64(*s)), " ", "")
}

func (s *sizeFlag) Type() string { return "size" }
