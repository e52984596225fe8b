package offline

import (
	"strconv"
	"strings"
)

// latestVersion is the newest format version this pigeon reads. A code of a
// later one is refused with ErrUnsupportedVersion, whatever follows its
// number.
const latestVersion = compactVersion

// prefix is what the prefix of a pigeon code says.
type prefix struct {
	kind    Kind
	version int
	// alnum says that the prefix is in capitals ("PG2O."): the code is the
	// text of a QR code, its payload in alnumDigits rather than base64.
	alnum bool
}

// parsePrefix splits a cleaned code into what its prefix says and the
// payload after it. It returns the kind as soon as the prefix names one, even
// with an error. A text that is the beginning of a prefix ("pg1") is
// truncated, not corrupt: a line wrap may have cut it there.
func parsePrefix(text string) (prefix, string, error) {
	var p prefix
	switch {
	case strings.HasPrefix(text, magic):
	case strings.HasPrefix(text, strings.ToUpper(magic)):
		p.alnum = true
	case text == "", strings.HasPrefix(magic, text), strings.HasPrefix(strings.ToUpper(magic), text):
		return p, "", ErrTruncated
	default:
		return p, "", ErrCorrupt
	}
	rest := text[len(magic):]

	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	switch {
	case digits == 0 && rest == "":
		return p, "", ErrTruncated
	case digits == 0, rest[0] == '0', digits > 9:
		return p, "", ErrCorrupt
	}
	p.version, _ = strconv.Atoi(rest[:digits]) // at most 9 digits: cannot fail
	if p.version > latestVersion {
		// Whatever follows belongs to a format this version cannot know.
		return p, "", ErrUnsupportedVersion
	}
	rest = rest[digits:]

	if rest == "" {
		return p, "", ErrTruncated
	}
	for k, letter := range kindLetters {
		if p.alnum {
			letter -= 'a' - 'A'
		}
		if rest[0] == letter {
			p.kind = k
		}
	}
	if p.kind == 0 {
		return p, "", ErrCorrupt
	}
	rest = rest[1:]

	switch {
	case rest == "":
		return p, "", ErrTruncated
	case rest[0] != '.':
		return p, "", ErrCorrupt
	}
	return p, rest[1:], nil
}

// decodeCode decodes a cleaned pigeon code of any version. Like
// parsePrefix, it returns the kind with an error when the prefix names it,
// so that ReadSignal can report a code of the wrong kind rather than the
// damage in it: pasting the other code is the mistake to fix first.
func decodeCode(text string) (Signal, error) {
	p, body, err := parsePrefix(text)
	if err != nil {
		return Signal{Kind: p.kind}, err
	}
	switch {
	case p.version > 1 && p.version < compactVersion:
		return Signal{Kind: p.kind}, ErrOutdated
	case p.version == compactVersion:
		s, err := decodeCompactBody(p.kind, body, p.alnum)
		if err != nil {
			return Signal{Kind: p.kind}, err
		}
		return s, nil
	}
	sdp, err := decodeFullBody(body, p.alnum)
	if err != nil {
		return Signal{Kind: p.kind}, err
	}
	return Signal{Kind: p.kind, SDP: sdp, Created: originTime(sdp), Format: FormatFull}, nil
}

// qrText returns the text of a pigeon code as its QR code should hold it:
// the same code with the payload in alnumDigits behind a prefix in capitals,
// which the QR code's alphanumeric mode stores in fewer modules. Any other
// text, or a code that does not decode, is returned as it is.
func qrText(code string) string {
	p, body, err := parsePrefix(code)
	if err != nil || p.alnum {
		return code
	}
	payload, canonical, dangling, err := decodeBase64(body)
	if err != nil || !canonical || dangling {
		return code
	}
	return strings.ToUpper(codePrefix(p.version, kindLetters[p.kind])) + encodeAlnum(payload)
}
