package offline

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// A restart code resumes a call whose two sides both lost the path and
// cannot tell each other where they went (each laptop changed networks):
// the call's own channel, which carries new addresses otherwise, is what
// was lost. A person carries the code instead, as they carried the offer.
// It is one line:
//
//	pg3r.<payload>
//
// and its payload, in base64url without padding:
//
//	1 byte    bit 7: made by the callee (clear: by the caller); bit 6: a
//	          reply to the peer's restart code; bits 5-0: zero
//	4 bytes   the call's digest (CallDigest)
//	7 or 19   per candidate, as in a compact code
//	bytes
//	4 bytes   CRC-32 (IEEE) of the prefix ("pg3r") and all bytes before
//
// With one IPv4 address that is 16 bytes, 27 characters. The session keeps
// its certificates, and its ICE credentials, which the peer already knows:
// only the addresses are new. The digest ties the code to one call, so that
// a restart code of another call, or this side's own, is refused rather
// than sending checks to strangers; it is no defence against someone who
// edits codes, who can write any digest: DTLS, whose certificates do not
// change, is.

// restartLetter is the kind letter of a restart code, and restartVersion
// its format's version: it carries no credentials, and kept its number when
// compact codes took an ICE secret.
const (
	restartLetter  = 'r'
	restartVersion = 3
)

// Bits of a restart code's first byte.
const (
	restartFromCallee = 0x80
	restartReply      = 0x40
	restartReserved   = 0x3f
)

// CallDigestLen is the size of the call's digest in a restart code.
const CallDigestLen = 4

// callDigestSalt keeps the digest apart from anything else hashed from the
// fingerprints (the safety number, say).
const callDigestSalt = "pigeon restart code\x00"

// Restart is what a restart code carries.
type Restart struct {
	// FromCallee says which side made the code: the callee, or the
	// caller.
	FromCallee bool
	// Reply says that the code answers the peer's restart code: whoever
	// takes it has nothing more to send back.
	Reply bool
	// Call is the digest of the call the code belongs to (CallDigest).
	Call []byte
	// Candidates are the ICE candidates of the side that made the code,
	// as pion's candidate attribute values ("candidate:..."), of component
	// 1 and without the ufrag extension. Encode keeps the UDP ones a
	// compact code can carry, up to 16.
	Candidates []string
}

// The errors of restart codes, besides those of a damaged code, for
// callers to match with errors.Is.
var (
	// ErrRestartMismatch means a restart code was made in another call.
	ErrRestartMismatch = errors.New("this restart code belongs to another call")

	// ErrOwnRestartCode means a side was given the restart code it
	// printed itself.
	ErrOwnRestartCode = errors.New("this is the restart code this side printed: paste it into your peer's chat, and the one your peer's pigeon prints into this one")

	// ErrNoCandidates means there is no address to put in a restart code.
	ErrNoCandidates = errors.New("this side has no address to give the peer: connect to a network, then try again")
)

// restartCodeError is a damaged restart code: its message speaks of a
// restart code pasted into the chat, not of a code passed with
// --signal-in, and it matches the decoder's error (ErrTruncated,
// ErrCorrupt) with errors.Is.
type restartCodeError struct {
	err error
	msg string
}

func (e *restartCodeError) Error() string { return e.msg }
func (e *restartCodeError) Unwrap() error { return e.err }

// restartError returns err as a person who pasted a restart code should
// read it.
func restartError(err error) error {
	switch {
	case errors.Is(err, ErrTruncated):
		return &restartCodeError{err, "the restart code is incomplete: it was cut while copying; copy the whole line again"}
	case errors.Is(err, ErrCorrupt):
		return &restartCodeError{err, "this is not a restart code, or it was changed while copying: copy it again"}
	}
	return err
}

// CallDigest returns the digest that ties a restart code to a call: the
// first CallDigestLen bytes of the SHA-256 of the SHA-256 fingerprints of
// the caller's certificate and the callee's, which both sides know once
// connected and which a restart keeps.
func CallDigest(callerFingerprint, calleeFingerprint []byte) []byte {
	h := sha256.New()
	h.Write([]byte(callDigestSalt))
	h.Write(callerFingerprint)
	h.Write(calleeFingerprint)
	return h.Sum(nil)[:CallDigestLen]
}

// restartPrefix is what every restart code starts with.
func restartPrefix() string { return codePrefix(restartVersion, restartLetter) }

// EncodeRestart returns r as a restart code. Candidates it cannot carry
// (TCP, or another component) are left out; with none left it returns
// ErrNoCandidates.
func EncodeRestart(r Restart) (string, error) {
	if len(r.Call) != CallDigestLen {
		return "", fmt.Errorf("encoding a restart code: the call's digest has %d bytes, not %d", len(r.Call), CallDigestLen)
	}
	var candidates []compactCandidate
	for _, line := range r.Candidates {
		c, priority, err := candidateOf(line)
		if c == nil || err != nil || len(candidates) == maxCandidates {
			continue
		}
		// Only a relay's priority says something the type does not: the
		// protocol to the TURN server, which ranks it.
		c.relayPref = byte(priority>>8) & 3
		if candidateTypes[c.typ] != "relay" {
			c.relayPref = 0
		}
		candidates = append(candidates, *c)
	}
	if len(candidates) == 0 {
		return "", ErrNoCandidates
	}
	var flags byte
	if r.FromCallee {
		flags |= restartFromCallee
	}
	if r.Reply {
		flags |= restartReply
	}
	b := append([]byte{flags}, r.Call...)
	b = appendCandidates(b, candidates)
	b = binary.BigEndian.AppendUint32(b, restartChecksum(b))
	return restartPrefix() + base64.RawURLEncoding.EncodeToString(b), nil
}

// restartChecksum is the CRC-32 of the prefix and the fields.
func restartChecksum(fields []byte) uint32 {
	return crc32.Update(crc32.ChecksumIEEE([]byte(restartPrefix())), crc32.IEEETable, fields)
}

// IsRestartCode reports whether text, cleaned as Clean does, starts as a
// restart code does, damaged or not: a chat line that is one is taken for
// one instead of being sent.
func IsRestartCode(text string) bool {
	return strings.HasPrefix(Clean(text), restartPrefix())
}

// DecodeRestart returns what a restart code holds, after cleaning it with
// Clean. A damaged code is refused with an error that matches ErrCorrupt or
// ErrTruncated and says so in one line; a code of a newer pigeon with
// ErrUnsupportedVersion.
func DecodeRestart(text string) (Restart, error) {
	r, err := decodeRestart(Clean(text))
	return r, restartError(err)
}

func decodeRestart(text string) (Restart, error) {
	body, ok := strings.CutPrefix(text, restartPrefix())
	if !ok {
		if strings.HasPrefix(restartPrefix(), text) {
			return Restart{}, ErrTruncated
		}
		if _, _, err := parsePrefix(text); errors.Is(err, ErrUnsupportedVersion) {
			return Restart{}, err
		}
		return Restart{}, ErrCorrupt
	}
	p, canonical, dangling, err := decodeBase64(body)
	if err != nil {
		return Restart{}, err
	}
	const header = 1 + CallDigestLen
	if len(p) < header {
		return Restart{}, ErrTruncated
	}
	if p[0]&restartReserved != 0 {
		return Restart{}, ErrCorrupt
	}
	candidates, off, err := parseCandidates(p, header)
	switch {
	case err != nil:
		return Restart{}, err
	case len(p) < off+checksumLen:
		return Restart{}, ErrTruncated
	case len(p) > off+checksumLen, binary.BigEndian.Uint32(p[off:]) != restartChecksum(p[:off]):
		return Restart{}, ErrCorrupt
	case dangling || !canonical:
		return Restart{}, ErrCorrupt
	}
	r := Restart{
		FromCallee: p[0]&restartFromCallee != 0,
		Reply:      p[0]&restartReply != 0,
		Call:       append([]byte(nil), p[1:header]...),
	}
	for _, c := range candidates {
		r.Candidates = append(r.Candidates, c.line(1, ""))
	}
	return r, nil
}

// Addresses returns the candidates of r as Inspect does those of a
// signal: the addresses at which its maker may be reached, which whoever
// reads the code learns.
func (r Restart) Addresses() []Candidate {
	var cs []Candidate
	for _, line := range r.Candidates {
		if c, err := parseCandidate(line); err == nil {
			cs = append(cs, c)
		}
	}
	return cs
}

// CheckRestart returns ErrRestartMismatch if r was made in a call other
// than the one whose digest is call, and ErrOwnRestartCode if it was made
// by this side, which is the callee when callee is set.
func CheckRestart(r Restart, call []byte, callee bool) error {
	switch {
	case string(r.Call) != string(call):
		return ErrRestartMismatch
	case r.FromCallee == callee:
		return ErrOwnRestartCode
	}
	return nil
}
