package cmd

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/trust"
)

// loadIdentity returns the certificate --identity keeps, made on first use,
// or nil for a new one each call.
func loadIdentity(opts *CallOptions, say func(string, ...any)) (*webrtc.Certificate, error) {
	if opts.Identity == "" {
		return nil, nil
	}
	cert, created, err := trust.LoadIdentity(opts.Identity)
	if err != nil {
		return nil, err
	}
	if created {
		say("made a new identity in %s: keep it private, it is who you are to your peers", opts.Identity)
	}
	return &cert, nil
}

// sayNumber tells the safety number once the exchange that fixes it is
// done, a round trip after the chat opens.
func sayNumber(s *call.Session, say func(string, ...any)) {
	select {
	case <-s.Ready():
	case <-s.Done():
		return
	}
	n, err := s.SafetyNumber()
	switch {
	case err == nil:
		say("safety number %s: read it to your peer; if theirs differs, hang up: someone is in the middle", n)
	case errors.Is(err, call.ErrNoSafetyNumber):
		say("%v", err)
	}
}

// checkPeer returns call.Options.Verify for --peer and --verify, or nil
// without them: the peer's certificate is checked against the known peers,
// then the user is asked to confirm the safety number.
func checkPeer(opts *CallOptions, ver *verifier, say func(string, ...any)) (func(context.Context, call.Verification) error, error) {
	if opts.Peer == "" && ver == nil {
		return nil, nil
	}
	known := trust.KnownPeers{Path: opts.KnownPeers}
	if opts.Peer != "" && known.Path == "" {
		var err error
		if known, err = trust.DefaultKnownPeers(); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, peer call.Verification) error {
		if opts.Peer != "" {
			first, err := known.Check(opts.Peer, peer.Fingerprint)
			if err != nil && !errors.Is(err, trust.ErrPeerChanged) {
				return fmt.Errorf("checking %s's certificate: %w", opts.Peer, err)
			}
			if err != nil {
				return err // its message is the warning, whole
			}
			if first {
				say("%s is now a known peer: their certificate is recorded in %s, and calls with --peer %s are checked against it (it means something only if they call with --identity)", opts.Peer, known.Path, opts.Peer)
			} else {
				say("%s's certificate is the one on record", opts.Peer)
			}
		}
		if ver != nil && peer.SafetyNumber == "" {
			return fmt.Errorf("%w: %w", call.ErrNotVerified, call.ErrNoSafetyNumber)
		}
		if ver != nil && !ver.ask(peer.SafetyNumber, ctx.Done()) {
			return call.ErrNotVerified
		}
		return nil
	}, nil
}

// verifier asks the user, for --verify, whether the safety number is the
// one the peer sees, and reads the reply from the lines the chat reader
// hands it while the question is open.
type verifier struct {
	say     func(string, ...any)
	asking  atomic.Bool
	replies chan string // lines typed while asking; closed at the end of input
}

func newVerifier(say func(string, ...any)) *verifier {
	return &verifier{say: say, replies: make(chan string, 4)}
}

// ask is call.Options.Verify: it blocks until the user has answered, the
// input has ended (not confirmed), or the call has ended.
func (v *verifier) ask(number string, ended <-chan struct{}) bool {
	v.asking.Store(true)
	defer v.asking.Store(false)
	v.say("safety number %s: media and chat wait until you confirm it. Compare it with the number your peer sees, "+
		"by a way the codes did not travel (a phone call, in person); type yes if theirs is the same, no if it differs, or type their six digits", number)
	for {
		select {
		case line, ok := <-v.replies:
			if !ok {
				v.say("the input ended before the safety number was confirmed")
				return false
			}
			confirmed, understood := call.Confirms(line, number)
			switch {
			case !understood:
				v.say("type yes if your peer sees %s, no if their number differs", number)
				continue
			case !confirmed:
				v.say("WARNING: the safety numbers differ: someone may be in the middle of this call. Hanging up; nothing was sent or shown")
			default:
				v.say("safety number confirmed")
			}
			return confirmed
		case <-ended:
			return false
		}
	}
}

// take hands line to the question, if one is open, and reports whether it
// did: the line is then no chat message.
func (v *verifier) take(line string) bool {
	if v == nil || !v.asking.Load() {
		return false
	}
	select {
	case v.replies <- line:
	default: // replies typed faster than they are read: one is enough
	}
	return true
}

// end tells the question, if one is open or comes, that no more input will
// come.
func (v *verifier) end() {
	if v != nil {
		close(v.replies)
	}
}
