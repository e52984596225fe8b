// Package offline turns WebRTC session descriptions into text a person can
// paste, and QR codes a phone can read, and back, so that two peers can set
// up a call with no signalling server between them.
//
// The caller encodes its offer as one line (Encode), shows it as text and as
// a QR code (WriteQR), and reads the answer its peer sends back
// (ReadSignal); the callee does the same the other way round. Nothing here
// touches a terminal or a network: text comes in through an io.Reader and
// goes out through an io.Writer, so the package can be driven by a terminal,
// a file, a pipe or a test alike.
//
// # Format
//
// A code is one line of ASCII text, a prefix followed by a payload:
//
//	pg1o.<payload>   an offer
//	pg1a.<payload>   an answer
//
// "pg" names pigeon, "1" is the version of the format, the letter is the
// kind of signal, and "." ends the prefix; "." never occurs in base64url, so
// the prefix cannot run into the payload. The payload is base64url without
// padding (RFC 4648 §5) of:
//
//	raw DEFLATE (RFC 1951) of the SDP, best compression
//	CRC-32 (IEEE) of the SDP, 4 bytes, big-endian
//
// Most of an SDP is repeated attribute names, so DEFLATE pays even after
// base64: the code of a pion offer with Opus, VP8 and a data channel is half
// the size of its SDP, and a third with all of pion's default codecs. The
// checksum is there because a person copies the code by
// hand: a code damaged on the way must be refused, never decoded into a
// different session description. A code cut short decodes to a prefix of a
// valid payload, and the decoder tells that apart from a damaged one
// (ErrTruncated rather than ErrCorrupt), so a reader can wait for the rest of
// a code wrapped over several lines.
//
// Decoding is lenient about what copying adds and strict about content: the
// standard base64 alphabet ("+/") and padding are accepted as well, and so
// are whitespace, line wraps, quotes, markdown fences and quote markers around
// the code (see Clean); the decoded SDP must start with "v=0", look like SDP
// lines, and be at most 64 KiB.
//
// A code that starts with "pg" and a version number greater than 1 was made
// by a newer pigeon: it is refused with ErrUnsupportedVersion without reading
// further, so a later version is free to change everything after its number.
package offline
