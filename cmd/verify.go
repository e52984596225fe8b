package cmd

import (
	"sync/atomic"

	"github.com/pigeon-call/pigeon/call"
)

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
