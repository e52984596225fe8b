package control

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pigeon-call/pigeon/call"
)

// Verifier asks the person whether the safety number is the one the peer
// sees, and reads the reply from the lines the controller hands it while
// the question is open (Controller.Read).
type Verifier struct {
	say     func(string, ...any)
	asking  atomic.Bool
	replies chan string // lines typed while asking; closed at the end of input

	mu    sync.Mutex
	ended bool // replies is closed
}

// NewVerifier returns a Verifier that says its question through say.
func NewVerifier(say func(format string, args ...any)) *Verifier {
	return &Verifier{say: say, replies: make(chan string, 4)}
}

// Verify is call.Options.Verify for a person: it asks whether the safety
// number is the one the peer sees, and returns nil once the person says
// it is, call.ErrNotVerified if they say it is not, if the input ends
// first, or if the peer exchanged no number.
func (v *Verifier) Verify(ctx context.Context, peer call.Verification) error {
	if peer.SafetyNumber == "" {
		return fmt.Errorf("%w: %w", call.ErrNotVerified, call.ErrNoSafetyNumber)
	}
	if !v.ask(peer.SafetyNumber, ctx.Done()) {
		return call.ErrNotVerified
	}
	return nil
}

// ask blocks until the user has answered, the input has ended (not
// confirmed), or the call has ended.
func (v *Verifier) ask(number string, ended <-chan struct{}) bool {
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
func (v *Verifier) take(line string) bool {
	if v == nil || !v.asking.Load() {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ended {
		return true
	}
	select {
	case v.replies <- line:
	default: // replies typed faster than they are read: one is enough
	}
	return true
}

// end tells the question, if one is open or comes, that no more input will
// come.
func (v *Verifier) end() {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.ended {
		v.ended = true
		close(v.replies)
	}
}
