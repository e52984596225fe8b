package call

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// SafetyNumber returns six digits that both sides of a connected call
// compute from the two DTLS certificates the connection actually uses, not
// from the pasted codes. Read aloud over the call, equal numbers prove that
// no one sits in the middle: a relay that re-signs would hold certificates
// of its own, and each side would see a different number.
func (s *Session) SafetyNumber() (string, error) {
	remote := s.pc.SCTP().Transport().GetRemoteCertificate()
	if len(remote) == 0 {
		return "", ErrNotConnected
	}
	local, err := sha256Fingerprint(&s.cert)
	if err != nil {
		return "", err
	}
	peer := sha256.Sum256(remote)
	return safetyNumber(local, peer[:]), nil
}

// RemoteFingerprint returns the SHA-256 fingerprint of the certificate the
// peer presented on the live connection, as an a=fingerprint line writes it
// ("AB:CD:..."): what a known-peers file records.
func (s *Session) RemoteFingerprint() (string, error) {
	remote := s.pc.SCTP().Transport().GetRemoteCertificate()
	if len(remote) == 0 {
		return "", ErrNotConnected
	}
	sum := sha256.Sum256(remote)
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(pairs, ":"), nil
}

// safetyNumber hashes the two fingerprints in a fixed order, so that both
// sides get the same digits.
func safetyNumber(a, b []byte) string {
	if bytes.Compare(a, b) > 0 {
		a, b = b, a
	}
	sum := sha256.Sum256(append(append([]byte("pigeon safety number\x00"), a...), b...))
	n := binary.BigEndian.Uint32(sum[:4]) % 1_000_000
	return fmt.Sprintf("%03d %03d", n/1000, n%1000)
}

// Confirms reads a person's reply to "is this the safety number your peer
// sees?": yes (or y), or the six digits typed back, with or without the
// space, confirm it; no (or n), or other six digits, say it differs. Any
// other reply is not understood, and the question should be asked again.
func Confirms(reply, number string) (confirmed, understood bool) {
	reply = strings.ToLower(strings.TrimSpace(reply))
	digits := strings.ReplaceAll(reply, " ", "")
	switch {
	case reply == "yes" || reply == "y":
		return true, true
	case reply == "no" || reply == "n":
		return false, true
	case len(digits) == 6 && strings.Trim(digits, "0123456789") == "":
		return digits == strings.ReplaceAll(number, " ", ""), true
	}
	return false, false
}
