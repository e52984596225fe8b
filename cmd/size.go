package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pigeon-call/pigeon/transfer"
)

// defaultMaxFileSize is the most one received transfer may bring unless
// --max-file-size says otherwise: a film or a disk image, not a disk.
const defaultMaxFileSize = 4 << 30

// sizeFlag is a number of bytes given with an optional unit: 500M, 4GiB,
// 1.5G (powers of 1024 either way), or plain bytes.
type sizeFlag int64

var sizeUnits = []struct {
	suffix string
	shift  uint
}{
	{"tib", 40}, {"gib", 30}, {"mib", 20}, {"kib", 10},
	{"tb", 40}, {"gb", 30}, {"mb", 20}, {"kb", 10},
	{"t", 40}, {"g", 30}, {"m", 20}, {"k", 10}, {"b", 0},
}

func (s *sizeFlag) Set(text string) error {
	t := strings.ToLower(strings.TrimSpace(text))
	shift := uint(0)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, shift = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.shift
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || n*float64(int64(1)<<shift) > 1<<62 {
		return fmt.Errorf("%q is not a size: give bytes, or a number with K, M, G or T (such as 500M or 4G)", text)
	}
	*s = sizeFlag(n * float64(int64(1)<<shift))
	return nil
}

func (s *sizeFlag) String() string {
	if *s == 0 {
		return "0"
	}
	return strings.ReplaceAll(transfer.FormatBytes(int64(*s)), " ", "")
}

func (s *sizeFlag) Type() string { return "size" }
