package call

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/offline"
)

// When both sides move at once (each laptop changes networks), each
// restarts ICE (restart.go) and sends its new candidates on the
// negotiation channel, which has no path to go by: neither knows where the
// other went, and the call stays "reconnecting" until it times out. A
// restart code (package offline) carries the candidates by hand instead.
//
// One side makes a code (RestartCode): it restarts ICE, which gathers its
// candidates afresh, and puts them in the code. The person sends it to the
// peer by another way, whose side takes it (ApplyRestartCode): it records
// the candidates as the peer's, restarts ICE as well, checks them, and
// makes a code of its own, a reply, for the first side. Either code alone
// is often enough, since a check that reaches a side teaches it the
// sender's address as a peer-reflexive candidate; the reply is for the
// paths that need both sides to know the other's (a NAT that lets in only
// what answers a packet sent out). A side that takes a reply adds the
// candidates and does not restart: it restarted when it made its code, and
// the peer may be reaching it already.
//
// Either side may start. After the restarts neither has a pair, so the
// caller, which is controlling, picks one as soon as a check on a pair
// succeeds, and the callee follows its pick: whichever side learned the
// other's address first, from a code or from a check, the caller ends up
// with a pair that works. The candidates are kept as the peer's, so that
// later restarts (a callee with no pair restarts every few seconds) check
// them again.
//
// While a code is on its way, the call waits for as long as a person may
// take to carry one (Options.PasteWait), not only Options.Timeout.

// RestartCode restarts ICE and returns a restart code with this side's new
// candidates, for the peer to take with ApplyRestartCode. It is for a call
// whose path is lost: before the call is first up it returns
// ErrNotConnected, while the path works ErrNoRestartNeeded.
func (s *Session) RestartCode(ctx context.Context) (string, error) {
	call, err := s.restartable()
	if err != nil {
		return "", err
	}
	if s.iceConnected() {
		return "", ErrNoRestartNeeded
	}
	s.waitForPerson()
	candidates, err := s.restartForCode(ctx)
	if err != nil {
		return "", err
	}
	return s.restartCode(call, false, candidates)
}

// ApplyRestartCode takes the restart code the peer's RestartCode made: it
// checks that the code belongs to this call and to the peer, records its
// candidates as the peer's, and restarts ICE to check them. It returns this
// side's code in reply, for the peer to take in turn, or "" if the code
// was itself a reply. While the path works, the candidates are only
// recorded, and the reply carries the current ones.
//
// A code that is damaged, of another call, or this side's own is refused
// with an error of package offline (ErrCorrupt, ErrTruncated,
// ErrRestartMismatch, ErrOwnRestartCode) whose message is one line for the
// person who pasted it.
func (s *Session) ApplyRestartCode(ctx context.Context, code string) (reply string, err error) {
	r, err := offline.DecodeRestart(code)
	if err != nil {
		return "", err
	}
	call, err := s.restartable()
	if err != nil {
		return "", err
	}
	if err := offline.CheckRestart(r, call, s.opts.Role == Callee); err != nil {
		return "", err
	}
	candidates := s.restarter.takeCandidates("in a restart code", r.Candidates)
	s.restarter.log.Debugf("%v: the peer's restart code (a reply: %v): %q", s.opts.Role, r.Reply, candidates)

	connected := s.iceConnected()
	if !connected {
		s.waitForPerson()
	}
	if connected || r.Reply {
		s.restarter.addCandidates(candidates)
		if r.Reply {
			return "", nil
		}
		return s.restartCode(call, true, candidateLines(s.pc.LocalDescription().SDP))
	}
	// The restart checks the candidates just recorded.
	own, err := s.restartForCode(ctx)
	if err != nil {
		return "", err
	}
	return s.restartCode(call, true, own)
}

// restartable returns the digest of this call for its restart codes, or
// why the call cannot have any: it has ended, was never up, or the peer is
// no pigeon.
func (s *Session) restartable() ([]byte, error) {
	select {
	case <-s.done:
		return nil, s.endErr()
	default:
	}
	if s.Peer() == PeerOther {
		return nil, ErrPeerNotPigeon
	}
	if !s.wasConnected() {
		return nil, ErrNotConnected
	}
	remote := s.pc.SCTP().Transport().GetRemoteCertificate()
	if len(remote) == 0 {
		return nil, ErrNotConnected
	}
	local, err := sha256Fingerprint(&s.cert)
	if err != nil {
		return nil, err
	}
	peer := sha256.Sum256(remote)
	if s.opts.Role == Caller {
		return offline.CallDigest(local, peer[:]), nil
	}
	return offline.CallDigest(peer[:], local), nil
}

// restartForCode restarts ICE for a restart code, as a silence would, and
// returns the new local candidates. They go over the call too, for the
// case where the path came back meanwhile: a callee that restarts has no
// pair until the caller picks one again, and asks it to.
func (s *Session) restartForCode(ctx context.Context) ([]string, error) {
	candidates, err := s.restarter.restartNow(ctx, false)
	switch {
	case errors.Is(err, errNoCandidates):
		return nil, offline.ErrNoCandidates
	case errors.Is(err, errNotStable):
		return nil, fmt.Errorf("restarting ICE: %w: try again in a moment", err)
	case err != nil:
		return nil, err // restartNow logged it, and ErrRestartFailed says what it was
	}
	return candidates, nil
}

// restartCode writes this side's restart code.
func (s *Session) restartCode(call []byte, reply bool, candidates []string) (string, error) {
	return offline.EncodeRestart(offline.Restart{
		FromCallee: s.opts.Role == Callee,
		Reply:      reply,
		Call:       call,
		Candidates: candidates,
	})
}

// iceConnected reports whether ICE has a path to the peer now.
func (s *Session) iceConnected() bool {
	switch s.pc.ICEConnectionState() {
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		return true
	}
	return false
}

// waitForPerson gives a lost connection as long to come back as a person
// may take to carry a restart code and its reply: PasteWait from now, or
// Timeout if that is longer.
func (s *Session) waitForPerson() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.link.losing {
		s.link.setDeadline(max(s.opts.PasteWait, s.opts.Timeout), s.lose)
	}
}
