package call

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pion/webrtc/v4"
)

// A call of several people is a session per peer (package mesh). What the
// sessions of one call tell each other about the others (who joins, the
// descriptions relayed for a newcomer) travels on the negotiation channel,
// as a message of its own that the session hands on whole: the session
// knows nothing of what it means.

// maxHeldGroup bounds the group messages kept while the call is not yet
// told open (held for Options.Verify): a peer says little before that.
const maxHeldGroup = 64

// groupBox keeps the group messages that come before the call is told
// open, and hands them on once it is.
type groupBox struct {
	mu     sync.Mutex
	open   bool
	held   [][]byte
	handle handler[func([]byte)]
}

// OnGroup registers f to be told each group message from the peer (sent
// with SendGroup), once the call is told open (OnOpen): in a call held for
// Options.Verify, once it is released. Messages from before are kept, up to
// 64, and told in order then.
func (s *Session) OnGroup(f func(data []byte)) { s.group.handle.set(f) }

// SendGroup sends data, a JSON value, to the peer's OnGroup, on the call's
// negotiation channel, once that is open. A peer that is not a pigeon
// cannot take it: ErrPeerNotPigeon.
func (s *Session) SendGroup(data []byte) error {
	if s.Peer() == PeerOther {
		return ErrPeerNotPigeon
	}
	if !json.Valid(data) {
		return fmt.Errorf("a group message that is not JSON")
	}
	select {
	case <-s.negotiator.open:
	case <-s.done:
		return ErrEnded
	}
	dc := s.negotiator.dc.Load()
	msg, err := json.Marshal(negotiation{Group: json.RawMessage(data)})
	if err != nil {
		return err
	}
	if err := dc.SendText(string(msg)); err != nil {
		return fmt.Errorf("sending on the negotiation channel: %w", err)
	}
	return nil
}

// receiveGroup hands on, or keeps, a group message from the peer.
func (s *Session) receiveGroup(data []byte) {
	g := &s.group
	g.mu.Lock()
	if !g.open {
		if len(g.held) < maxHeldGroup {
			g.held = append(g.held, data)
		}
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	if f := g.handle.get(); f != nil {
		f(data)
	}
}

// openGroup hands on the group messages kept until the call was told open.
// What comes while it does is kept too, and handed on after them: the
// group is told each message in the order it came (an introduction before
// the offer that follows it).
func (s *Session) openGroup() {
	g := &s.group
	for {
		g.mu.Lock()
		held := g.held
		g.held = nil
		if len(held) == 0 {
			g.open = true
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if f := g.handle.get(); f != nil {
			for _, data := range held {
				f(data)
			}
		}
	}
}

// Fingerprint returns the SHA-256 fingerprint of this side's certificate,
// as RemoteFingerprint writes the peer's: what the peer knows this side by.
func (s *Session) Fingerprint() string {
	fp, err := sha256Fingerprint(&s.cert)
	if err != nil {
		return ""
	}
	return FormatFingerprint(fp)
}

// FormatFingerprint writes a SHA-256 fingerprint as an a=fingerprint line
// does: upper-case hexadecimal pairs between colons.
func FormatFingerprint(sum []byte) string {
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(pairs, ":")
}

// FingerprintOf returns the SHA-256 fingerprint of a DER certificate, as
// FormatFingerprint writes it.
func FingerprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	return FormatFingerprint(sum[:])
}

// NewCertificate makes a DTLS certificate, with an ECDSA P-256 key as pion
// makes its own: for the sessions of one call with several peers, which all
// show the same certificate, since the peers know one another by it.
func NewCertificate() (*webrtc.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("making the DTLS key: %w", err)
	}
	cert, err := webrtc.GenerateCertificate(key)
	if err != nil {
		return nil, fmt.Errorf("making the DTLS certificate: %w", err)
	}
	return cert, nil
}
