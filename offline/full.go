package offline

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf8"
)

// Full is the codec of this version: DEFLATE of the SDP and its CRC-32,
// base64url, behind the prefix "pg1o." or "pg1a." (see the package
// documentation for the format).
var Full Codec = fullCodec{}

const (
	// magic starts every pigeon code, whatever its version.
	magic = "pg"
	// fullVersion is the format version Full writes and reads.
	fullVersion = 1
	// maxSDP caps the decompressed size. An SDP is a few kilobytes at most;
	// the cap keeps a small code from inflating into gigabytes.
	maxSDP = 64 << 10
	// checksumLen is the size of the CRC-32 after the DEFLATE stream.
	checksumLen = 4
)

// kindLetters maps each kind to the letter that carries it in the prefix.
var kindLetters = map[Kind]byte{Offer: 'o', Answer: 'a'}

// fullCodec implements Full. It has no state: the type only gives the format
// a name behind the Codec interface.
type fullCodec struct{}

// Encode returns s as a code. It refuses what Decode would refuse (an
// unknown kind, a text that is not an SDP, an SDP over 64 KiB), so that
// every code it makes decodes back to s.
func (fullCodec) Encode(s Signal) (string, error) {
	letter, ok := kindLetters[s.Kind]
	if !ok {
		return "", fmt.Errorf("encoding a signal: unknown kind %v", s.Kind)
	}
	if !looksLikeSDP([]byte(s.SDP), true) {
		return "", fmt.Errorf("encoding the %s: this is not a session description (it must start with \"v=0\" and hold only SDP lines)", s.Kind)
	}
	sdp, err := withAnswersTo(s)
	if err != nil {
		return "", err
	}
	if len(sdp) > maxSDP {
		return "", fmt.Errorf("encoding the %s: the session description is %d bytes, over the limit of %d", s.Kind, len(sdp), maxSDP)
	}
	if !looksLikeSDP([]byte(sdp), true) {
		return "", fmt.Errorf("encoding the %s: this is not a session description (it must start with \"v=0\" and hold only SDP lines)", s.Kind)
	}

	var payload bytes.Buffer
	zw, err := flate.NewWriter(&payload, flate.BestCompression)
	if err != nil {
		return "", fmt.Errorf("encoding the %s: %w", s.Kind, err)
	}
	if _, err := io.WriteString(zw, sdp); err != nil {
		return "", fmt.Errorf("encoding the %s: %w", s.Kind, err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("encoding the %s: %w", s.Kind, err)
	}
	payload.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(sdp))))

	return codePrefix(fullVersion, letter) + base64.RawURLEncoding.EncodeToString(payload.Bytes()), nil
}

// Decode returns the signal in a full code, after cleaning it with Clean.
func (fullCodec) Decode(text string) (Signal, error) {
	return decodeOnly(text, FormatFull)
}

// decodeFullBody decodes the payload of a full code, in base64 or, for the
// text of a QR code, in alnumDigits, into the SDP it carries.
func decodeFullBody(body string, alnum bool) (string, error) {
	if alnum {
		whole, prefix, err := decodeAlnum(body)
		if err != nil {
			return "", err
		}
		if whole != nil {
			if sdp, err := inflate(whole); err == nil {
				return sdp, nil
			}
		}
		// What the complete groups of digits hold tells a cut code from a
		// damaged one (see decodeAlnum).
		if _, err := inflate(prefix); err != nil {
			return "", err
		}
		return "", ErrCorrupt
	}

	payload, canonical, dangling, err := decodeBase64(body)
	if err != nil {
		return "", err
	}
	sdp, err := inflate(payload)
	switch {
	case err != nil:
		return "", err
	case dangling || !canonical:
		return "", ErrCorrupt
	}
	return sdp, nil
}

// decodeBase64 decodes the base64 payload of a code, in either alphabet,
// padded or not.
//
// It decodes leniently, so that a cut code still yields the bytes before
// the cut and can be recognised as a prefix of a valid payload: dangling
// says that a last character, which carries no whole byte, was left out.
// Once the payload checks out, the caller must also insist on canonical,
// which says that the text is exactly the encoding of the payload:
// otherwise a changed last character, whose low bits base64 ignores, would
// go unnoticed.
func decodeBase64(body string) (payload []byte, canonical, dangling bool, err error) {
	b := []byte(body)
	padded := false
	for i := 0; i < 2 && len(b) > 0 && b[len(b)-1] == '='; i++ {
		b = b[:len(b)-1]
		padded = true
	}
	// Padding closes a final group of 2 or 3 characters; anywhere else it
	// cannot come from a valid code, cut or not.
	if padded && len(b)%4 != 2 && len(b)%4 != 3 {
		return nil, false, false, ErrCorrupt
	}
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '+':
			b[i] = '-'
		case c == '/':
			b[i] = '_'
		default:
			return nil, false, false, ErrCorrupt
		}
	}

	// A lone character after the last full group carries no whole byte: it
	// is the start of the next group, cut.
	dangling = len(b)%4 == 1
	if dangling {
		b = b[:len(b)-1]
	}
	payload = make([]byte, base64.RawURLEncoding.DecodedLen(len(b)))
	n, err := base64.RawURLEncoding.Decode(payload, b)
	if err != nil {
		return nil, false, false, ErrCorrupt
	}
	payload = payload[:n]
	return payload, base64.RawURLEncoding.EncodeToString(payload) == string(b), dangling, nil
}

// inflate checks and decompresses a payload: a DEFLATE stream followed by
// the CRC-32 of what it decompresses to.
func inflate(payload []byte) (string, error) {
	// A bytes.Reader is an io.ByteReader, so flate reads exactly the bytes
	// of the stream and leaves the checksum after it unread, as gzip does.
	br := bytes.NewReader(payload)
	zr := flate.NewReader(br)
	defer zr.Close()

	var out bytes.Buffer
	_, err := io.Copy(&out, io.LimitReader(zr, maxSDP+1))
	sdp := out.Bytes()
	switch {
	case len(sdp) > maxSDP:
		return "", ErrCorrupt
	case errors.Is(err, io.ErrUnexpectedEOF):
		// Cut in the stream, or damaged so that the stream seems to go on.
		// What was decompressed so far tells the two apart: garbage rarely
		// passes for the beginning of an SDP.
		if !looksLikeSDP(sdp, false) {
			return "", ErrCorrupt
		}
		return "", ErrTruncated
	case err != nil:
		return "", ErrCorrupt
	}

	switch rest := br.Len(); {
	case rest > checksumLen:
		return "", ErrCorrupt
	case rest < checksumLen:
		if !looksLikeSDP(sdp, true) {
			return "", ErrCorrupt
		}
		return "", ErrTruncated
	}
	var sum [checksumLen]byte
	_, _ = br.Read(sum[:]) // exactly checksumLen bytes are left
	if binary.BigEndian.Uint32(sum[:]) != crc32.ChecksumIEEE(sdp) || !looksLikeSDP(sdp, true) {
		return "", ErrCorrupt
	}
	return string(sdp), nil
}

// looksLikeSDP reports whether b is a session description, or with complete
// false the beginning of one: it starts with "v=0", and every line is a
// lowercase letter, "=", and a value free of control characters, ended by
// CRLF or LF (RFC 8866 §5). It does not parse the SDP, which is the peer
// connection's job; it only keeps garbage that happens to decompress from
// being taken for a session description, or for the start of one.
func looksLikeSDP(b []byte, complete bool) bool {
	const head = "v=0"
	if n := min(len(b), len(head)); string(b[:n]) != head[:n] || (complete && n < len(head)) {
		return false
	}
	if complete && !utf8.Valid(b) {
		return false
	}

	const (
		lineStart = iota // expecting the type letter
		afterType        // expecting "="
		inValue          // in the value, until CR or LF
		afterCR          // expecting LF
	)
	state := lineStart
	for _, c := range b {
		switch state {
		case lineStart:
			if c < 'a' || c > 'z' {
				return false
			}
			state = afterType
		case afterType:
			if c != '=' {
				return false
			}
			state = inValue
		case inValue:
			switch {
			case c == '\r':
				state = afterCR
			case c == '\n':
				state = lineStart
			case c < ' ' && c != '\t', c == 0x7f:
				return false
			}
		case afterCR:
			if c != '\n' {
				return false
			}
			state = lineStart
		}
	}
	return !complete || state == lineStart || state == inValue
}
