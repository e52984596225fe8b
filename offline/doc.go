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
// # Codes
//
// A code is one line of ASCII text, a prefix followed by a payload:
//
//	pg4o.<payload>   pg4a.<payload>   a compact offer or answer
//	pg1o.<payload>   pg1a.<payload>   a full offer or answer
//	pg3r.<payload>                    a restart code (restart.go), which
//	                                  resumes a call whose path is lost
//
// "pg" names pigeon, the digit is the version of the format, the letter is
// the kind of signal, and "." ends the prefix; "." never occurs in base64url,
// so the prefix cannot run into the payload. The payload is base64url
// without padding (RFC 4648 §5).
//
// A code that starts with "pg" and a version number greater than 4 was made
// by a newer pigeon: it is refused with ErrUnsupportedVersion without reading
// further, so a later version is free to change everything after its number.
// The compact codes of older pigeons, versions 2 and 3, are refused with
// ErrOutdated: they carry no ICE secret (see below), and their maker's
// connectivity checks can be forged by whoever watches the network. Their
// full codes (version 1) carry the credentials themselves, and are read.
//
// # Compact codes (version 4)
//
// Between two pigeons most of a session description is known to both: a
// compact code carries only the rest, and the reader rebuilds the SDP from a
// template (template.go), which writes what pion writes for a pigeon
// session. Its payload is:
//
//	1 byte    DTLS role (bits 7-6: actpass, active, passive) and media
//	          profile (bits 5-0: media set, audio and video directions)
//	4 bytes   when the code was made, Unix seconds, big-endian
//	32 bytes  SHA-256 fingerprint of the DTLS certificate
//	8 bytes   the ICE secret (see below)
//	4 bytes   in an answer only: the digest of the offer it answers
//	          (see below)
//	7 or 19   per candidate: a byte (bit 7: the last one; bit 6: IPv6;
//	bytes     bits 5-4: a relay's protocol; bit 3: an mDNS name; bit 2:
//	          zero; bits 1-0: host, srflx, prflx, relay), the IPv4 or IPv6
//	          address or, with bit 3, the 16 bytes of the UUID of a host's
//	          mDNS name ("<uuid>.local", lower case, as --hide-ips
//	          publishes), the UDP port (big-endian)
//	4 bytes   CRC-32 (IEEE) of the prefix ("pg4o") and all bytes before
//
// With one IPv4 candidate that is 56 bytes, 80 characters, and 60 bytes,
// 85 characters, for an answer. What the peer would otherwise read from the
// SDP it derives: the ICE credentials from the secret and the fingerprint
// (ICECredentials, which the session that made the code must have used),
// the candidates' priorities from their types, the codecs from the profile.
// What nobody needs is left out: SSRCs and stream IDs (pion routes incoming
// media by payload type instead), the origin line's session ID. Encode
// writes a compact code only when the template rebuilds the SDP line for
// line but for those; otherwise it writes a full code.
//
// # The ICE secret
//
// ICE's connectivity checks are STUN messages signed with the receiver's
// password. Version 3 derived the password from the fingerprint alone, and
// DTLS 1.2 sends the certificate in the clear: whoever watched the network
// could compute the password and forge checks (keep a path alive that the
// peer left, or lure the call onto another). Each session now draws 8
// random bytes, and derives its ufrag and password with HKDF-SHA-256 from
// them and the fingerprint; the password starts with them in lower-case
// hexadecimal, which is how Encode finds what to put in the code. A
// watcher who has the fingerprint and the ufrags (STUN sends those in the
// clear) still has 2⁶⁴ secrets to try, years of a GPU's work, while the
// credentials live only as long as the call. The code itself, which
// carries the secret, must be kept from a watcher only as much as that:
// what protects the call's content is the fingerprint, which DTLS checks,
// and the safety number.
//
// Version 2 was version 3 but for the answer, which did not name its
// offer.
//
// # An answer names its offer
//
// An answer carries the first 4 bytes of the SHA-256 of the SDP of the offer
// it answers, as that offer's code decodes (OfferDigest): in a compact code
// after the ICE secret, and in a full or JSON code as a session-level line
// of its SDP, "a=pigeon-offer:" and the 4 bytes in lower-case hexadecimal,
// before the first m= line. A decoder takes the line out of the SDP and into
// Signal.AnswersTo. The caller then refuses an answer made for another offer
// (CheckAnswer): another call's, or an earlier one's pasted again. An answer
// that names no offer, a browser's or an older pigeon's, cannot be checked.
//
// # Full codes (version 1)
//
// The payload of a full code is:
//
//	raw DEFLATE (RFC 1951) of the SDP, best compression
//	CRC-32 (IEEE) of the SDP, 4 bytes, big-endian
//
// Most of an SDP is repeated attribute names, so DEFLATE pays even after
// base64: the code of a pion offer with Opus, VP8 and a data channel is half
// the size of its SDP, and a third with all of pion's default codecs. It
// carries any session description, a browser's as well as pigeon's.
//
// # QR codes
//
// A QR code stores a character of its alphanumeric mode (0-9, A-Z, space and
// $%*+-./:) in 5.5 bits and any other in 8. So the QR code of a code holds
// the same payload written 3 characters for every 2 bytes in those
// characters but the space, behind the prefix in capitals ("PG4O."): a
// smaller symbol than the base64 text (version 4 at level M for a compact
// offer with one candidate, against 5; version 5 for its answer). Decode
// reads this form as well, for
// a person who scanned it and pasted what the phone read.
//
// # Damage and what copying adds
//
// The checksum is there because a person copies the code by hand: a code
// damaged on the way must be refused, never decoded into a different
// session description. A code cut short decodes to a prefix of a valid
// payload, and the decoder tells that apart from a damaged one
// (ErrTruncated rather than ErrCorrupt), so a reader can wait for the rest of
// a code wrapped over several lines.
//
// Decoding is lenient about what copying adds and strict about content: the
// standard base64 alphabet ("+/") and padding are accepted as well, and so
// are whitespace, line wraps, quotes, markdown fences and quote markers around
// the code (see Clean); the decoded SDP must start with "v=0", look like SDP
// lines, and be at most 64 KiB.
//
// # Other formats
//
// For peers that are not pigeons, Decode and ReadSignal also read base64 of
// the JSON session description, {"type":"offer","sdp":"..."}, which pion's
// examples and many browser demos print (and JSON writes), the JSON itself
// (RawJSON), and raw SDP (SDP), and EncodeAs writes them. These carry no
// checksum: damage in them shows only when the peer connection refuses the
// description. Nor do they say what made them: a pigeon marks its own with
// the session-level line "a=pigeon-chat", which a decoder takes out of the
// SDP and into Signal.Pigeon (maker.go).
package offline
