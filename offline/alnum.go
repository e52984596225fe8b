package offline

import "strings"

// alnumDigits are the 44 digits of the text a QR code holds in place of a
// code's base64. They are the characters of the QR code's alphanumeric mode
// but the space, which copying would eat: in that mode a character costs 5.5
// bits instead of 8, so 3 digits for 2 bytes (44³ > 2¹⁶, as in RFC 9285's
// base45) make a smaller symbol than 8 characters for 6 bytes of base64.
const alnumDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$%*+-./:"

// alnumBase is the number of digits.
const alnumBase = len(alnumDigits)

// alnumValue maps a byte to its digit's value, or -1.
var alnumValue = func() (v [256]int8) {
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < alnumBase; i++ {
		v[alnumDigits[i]] = int8(i)
	}
	return v
}()

// encodeAlnum writes b in alnumDigits: each pair of bytes, as a big-endian
// number, as 3 digits with the least significant first, and a last odd byte
// as 2.
func encodeAlnum(b []byte) string {
	var s strings.Builder
	s.Grow(alnumLen(len(b)))
	for i := 0; i < len(b); i += 2 {
		n, digits := int(b[i]), 2
		if i+1 < len(b) {
			n, digits = n<<8|int(b[i+1]), 3
		}
		for range digits {
			s.WriteByte(alnumDigits[n%alnumBase])
			n /= alnumBase
		}
	}
	return s.String()
}

// alnumLen is the length of the encoding of n bytes.
func alnumLen(n int) int { return n/2*3 + n%2*2 }

// decodeAlnum decodes text written by encodeAlnum. Lower-case letters are
// read as upper-case ones, since the digits have none.
//
// whole is the decoding of text as a complete encoding, or nil if text
// cannot be one; prefix is what its complete groups of 3 digits decode to,
// the bytes that are certain if text was cut: 2 digits at the end may be a
// last odd byte or the start of a group, and only the caller can tell which.
// An error means text cannot be even the start of an encoding: a character
// that is no digit, or a group worth more than its bytes can hold.
func decodeAlnum(text string) (whole, prefix []byte, err error) {
	prefix = make([]byte, 0, len(text)/3*2+1)
	i := 0
	for ; i+3 <= len(text); i += 3 {
		n, err := alnumNumber(text[i : i+3])
		if err != nil || n > 0xffff {
			return nil, nil, ErrCorrupt
		}
		prefix = append(prefix, byte(n>>8), byte(n))
	}
	switch rest := text[i:]; len(rest) {
	case 0:
		return prefix, prefix, nil
	case 2:
		n, err := alnumNumber(rest)
		if err != nil {
			return nil, nil, ErrCorrupt
		}
		if n <= 0xff {
			whole = append(prefix[:len(prefix):len(prefix)], byte(n))
		}
		return whole, prefix, nil
	default:
		// One digit: the start of a group, cut.
		if _, err := alnumNumber(rest); err != nil {
			return nil, nil, ErrCorrupt
		}
		return nil, prefix, nil
	}
}

// alnumNumber returns the number that the digits of s, least significant
// first, make.
func alnumNumber(s string) (int, error) {
	n := 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		v := alnumValue[c]
		if v < 0 {
			return 0, ErrCorrupt
		}
		n = n*alnumBase + int(v)
	}
	return n, nil
}
