package transfer

import (
	"fmt"
	"strconv"
	"strings"
)

var sizeUnits = []struct {
	suffix string
	shift  uint
}{
	{"tib", 40}, {"gib", 30}, {"mib", 20}, {"kib", 10},
	{"tb", 40}, {"gb", 30}, {"mb", 20}, {"kb", 10},
	{"t", 40}, {"g", 30}, {"m", 20}, {"k", 10}, {"b", 0},
}

// ParseSize reads a number of bytes as a person writes it: plain bytes,
// or a number with a unit such as 500M, 4GiB or 1.5 g, each unit a power
// of 1024 whether written K or KiB.
func ParseSize(text string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	shift := uint(0)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, shift = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.shift
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	// Written so that NaN, which compares false, is refused too.
	if err != nil || !(n >= 0 && n*float64(int64(1)<<shift) <= 1<<62) {
		return 0, fmt.Errorf("%q is not a size: give bytes, or a number with K, M, G or T (such as 500M or 4G)", text)
	}
	return int64(n * float64(int64(1)<<shift)), nil
}
