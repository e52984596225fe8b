package call

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The safety number is six digits that both sides read to each other. Six
// digits fixed by the two certificates alone would let a man in the middle,
// who holds a certificate on each leg, try certificates until both legs
// show the same digits: a million tries, a second's work. So, as ZRTP
// does, each side also draws a fresh value for the call and commits to it
// before it learns the other's:
//
//  1. Once the chat channel is open (DTLS is up), each side sends a
//     commitment: the SHA-256 of its value (typeCommit).
//  2. On the peer's commitment, and only then, each side reveals its value
//     (typeReveal).
//  3. On the peer's value, each side checks it against the commitment
//     (a mismatch ends the call with ErrCommitmentMismatch), and the number
//     is the hash of both live fingerprints and both values.
//
// A man in the middle runs the exchange once on each leg. The number of a
// leg is fixed once he has the honest side's value, and that side reveals
// it only after his commitment on that leg: so whichever leg he completes
// first, the other leg's number depends on a value he learns only after
// committing to his own there. He cannot make the two legs agree but by
// luck, one chance in a million per call; to change his value after the
// fact he must reveal one that does not match his commitment, which ends
// the call.

const (
	// valueLen is the size of each side's value: far beyond a search.
	valueLen = 32

	commitmentLabel = "pigeon safety number commitment\x00"
	numberLabel     = "pigeon safety number v2\x00"
)

// safety is one side's part of the exchange that fixes the safety number.
type safety struct {
	value [valueLen]byte

	mu         sync.Mutex
	committed  bool   // this side's commitment is sent
	peerCommit []byte // the peer's commitment, once it came
	number     string
	err        error
	done       chan struct{} // closed once number or err is set
}

func newSafety() (*safety, error) {
	sf := &safety{done: make(chan struct{})}
	if _, err := rand.Read(sf.value[:]); err != nil {
		return nil, fmt.Errorf("drawing the safety number's value: %w", err)
	}
	return sf, nil
}

// Commitment returns what a side sends to commit to its value before it
// sees the peer's: the SHA-256 of the value, after a label.
func Commitment(value []byte) []byte {
	sum := sha256.Sum256(append([]byte(commitmentLabel), value...))
	return sum[:]
}

// SafetyNumberOf returns the safety number of a call between two sides,
// each given by the SHA-256 fingerprint of its certificate and the value
// it revealed, in either order: what both sides compute, and the web page
// too.
func SafetyNumberOf(fingerprintA, valueA, fingerprintB, valueB []byte) string {
	a := append(append([]byte(nil), fingerprintA...), valueA...)
	b := append(append([]byte(nil), fingerprintB...), valueB...)
	if bytes.Compare(fingerprintA, fingerprintB) > 0 ||
		bytes.Equal(fingerprintA, fingerprintB) && bytes.Compare(valueA, valueB) > 0 {
		a, b = b, a
	}
	sum := sha256.Sum256(append(append([]byte(numberLabel), a...), b...))
	n := binary.BigEndian.Uint32(sum[:4]) % 1_000_000
	return fmt.Sprintf("%03d %03d", n/1000, n%1000)
}

// startSafety begins the exchange as the chat channel opens: this side
// commits, and the number is given up on if the peer has not done its part
// within Options.Timeout: a round trip does, unless the path is lost
// meanwhile, or the peer does not take part (an older pigeon, another
// program).
func (s *Session) startSafety() {
	s.commitSafety()
	t := time.AfterFunc(s.opts.numberWait, func() { s.safety.finish("", ErrNoSafetyNumber) })
	go func() {
		select {
		case <-s.safety.done:
		case <-s.done:
		}
		t.Stop()
	}()
}

// commitSafety sends this side's commitment, once.
func (s *Session) commitSafety() {
	sf := s.safety
	sf.mu.Lock()
	defer sf.mu.Unlock()
	s.commitLocked()
}

func (s *Session) commitLocked() {
	if s.safety.committed {
		return
	}
	s.safety.committed = true
	s.sendNow(message{Type: typeCommit, Commit: hex.EncodeToString(Commitment(s.safety.value[:]))})
}

// peerCommitted takes the peer's commitment and answers it with this
// side's value: the peer is now bound to its own.
func (s *Session) peerCommitted(commit string) {
	sf := s.safety
	c, err := hex.DecodeString(commit)
	sf.mu.Lock()
	defer sf.mu.Unlock()
	switch {
	case err != nil || len(c) != sha256.Size:
		s.breakSafety("a commitment that is no SHA-256")
		return
	case sf.peerCommit != nil && bytes.Equal(sf.peerCommit, c):
		return // the same again: nothing changes
	case sf.peerCommit != nil:
		s.breakSafety("a second, different commitment")
		return
	}
	sf.peerCommit = c
	// The commitment goes before the value, on an ordered channel.
	s.commitLocked()
	s.sendNow(message{Type: typeReveal, Value: hex.EncodeToString(sf.value[:])})
}

// peerRevealed checks the peer's value against its commitment and fixes
// the number.
func (s *Session) peerRevealed(value string) {
	sf := s.safety
	v, err := hex.DecodeString(value)
	sf.mu.Lock()
	bad := ""
	switch {
	case sf.peerCommit == nil:
		bad = "its value before its commitment"
	case err != nil || len(v) != valueLen || !bytes.Equal(Commitment(v), sf.peerCommit):
		bad = "a value that does not match its commitment"
	}
	if bad != "" {
		s.breakSafety(bad)
	}
	sf.mu.Unlock()
	if bad != "" {
		return
	}
	remote := s.pc.SCTP().Transport().GetRemoteCertificate()
	local, err := sha256Fingerprint(&s.cert)
	if len(remote) == 0 || err != nil {
		sf.finish("", ErrNotConnected)
		return
	}
	peer := sha256.Sum256(remote)
	sf.finish(SafetyNumberOf(local, sf.value[:], peer[:], v), nil)
}

// breakSafety ends the call: the peer did not keep to the exchange, which
// an honest pigeon always does, so someone tried to choose the number.
func (s *Session) breakSafety(what string) {
	err := commitmentError{what}
	s.safety.finishLocked("", err)
	s.end(err)
}

// commitmentError is ErrCommitmentMismatch, saying what the peer sent.
type commitmentError struct{ what string }

func (e commitmentError) Error() string {
	return "the peer sent " + e.what + " in the exchange that fixes the safety number: someone in the middle " +
		"tried to choose the safety number, so the call was ended; exchange new codes by another way (a phone call, in person)"
}

func (e commitmentError) Is(target error) bool { return target == ErrCommitmentMismatch }

func (sf *safety) finish(number string, err error) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	sf.finishLocked(number, err)
}

func (sf *safety) finishLocked(number string, err error) {
	select {
	case <-sf.done:
		return
	default:
	}
	sf.number, sf.err = number, err
	close(sf.done)
}

// SafetyNumber returns six digits that both sides of a connected call
// compute from the two DTLS certificates the connection actually uses, not
// from the pasted codes, and from a value each side committed to before it
// saw the other's. Read aloud over the call, equal numbers prove that no
// one sits in the middle: a relay that re-signs holds certificates of its
// own, and cannot make the two sides' numbers agree but by a one in a
// million chance.
//
// Before the chat channel is open it returns ErrNotConnected; after, it
// waits for the exchange, a round trip. ErrNoSafetyNumber means the peer
// did not do its part within Options.Timeout.
func (s *Session) SafetyNumber() (string, error) {
	select {
	case <-s.open:
	default:
		return "", ErrNotConnected
	}
	select {
	case <-s.safety.done:
	case <-s.done:
		return "", s.endErr()
	}
	s.safety.mu.Lock()
	defer s.safety.mu.Unlock()
	return s.safety.number, s.safety.err
}

// RemoteFingerprint returns the SHA-256 fingerprint of the certificate the
// peer presented on the live connection, as an a=fingerprint line writes it
// ("AB:CD:..."): what a known-peers file records.
func (s *Session) RemoteFingerprint() (string, error) {
	remote := s.pc.SCTP().Transport().GetRemoteCertificate()
	if len(remote) == 0 {
		return "", ErrNotConnected
	}
	return FingerprintOf(remote), nil
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
