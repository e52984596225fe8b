package control

import (
	"context"
	"fmt"
	"sync"

	"github.com/pigeon-call/pigeon/call"
)

// Verifier asks the person whether the safety number is the one the peer
// sees, and reads the reply from the lines the controller hands it while
// the question is open (Controller.Read). The reply is judged as it is
// handed over, so the line typed after it is chat, however soon it comes.
type Verifier struct {
	say func(string, ...any)

	mu     sync.Mutex
	number string    // the number asked about, while a question is open
	answer chan bool // the open question's verdict; nil when none is open
	ended  bool      // no more input comes
}

// NewVerifier returns a Verifier that says its question through say.
func NewVerifier(say func(format string, args ...any)) *Verifier {
	return &Verifier{say: say}
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
	answer := make(chan bool, 1)
	v.mu.Lock()
	if v.ended {
		v.mu.Unlock()
		v.say("the input ended before the safety number was confirmed")
		return false
	}
	v.number, v.answer = number, answer
	v.say("safety number %s: media and chat wait until you confirm it. Compare it with the number your peer sees, "+
		"by a way the codes did not travel (a phone call, in person); type yes if theirs is the same, no if it differs, or type their six digits", number)
	v.mu.Unlock()
	select {
	case confirmed := <-answer:
		return confirmed
	case <-ended:
		v.close(answer)
		return false
	}
}

// close ends the question whose verdict goes to answer, if it is open.
func (v *Verifier) close(answer chan bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.answer == answer {
		v.number, v.answer = "", nil
	}
}

// take hands line to the question, if one is open, and reports whether it
// did: the line is then no chat message. A reply that settles the question
// closes it at once.
func (v *Verifier) take(line string) bool {
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.answer == nil {
		return false
	}
	confirmed, understood := call.Confirms(line, v.number)
	switch {
	case !understood:
		v.say("type yes if your peer sees %s, no if their number differs", v.number)
		return true
	case !confirmed:
		v.say("WARNING: the safety numbers differ: someone may be in the middle of this call. Hanging up; nothing was sent or shown")
	default:
		v.say("safety number confirmed")
	}
	v.answer <- confirmed
	v.number, v.answer = "", nil
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
	if v.ended {
		return
	}
	v.ended = true
	if v.answer != nil {
		v.say("the input ended before the safety number was confirmed")
		v.answer <- false
		v.number, v.answer = "", nil
	}
}
