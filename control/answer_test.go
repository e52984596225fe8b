package control

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/offline"
)

// newCodeSession makes a session of pigeon's, on loopback, without media.
func newCodeSession(t *testing.T, role call.Role) *call.Session {
	t.Helper()
	s, err := call.New(call.Options{Role: role, Interfaces: []string{"lo"}, Timeout: 5 * time.Second, PasteWait: 5 * time.Second, Credentials: offline.ICECredentials})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// offerOf makes s's offer and returns it as its code decodes.
func offerOf(t *testing.T, s *call.Session) (offline.Signal, string) {
	t.Helper()
	desc, err := s.Offer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, err := offline.Encode(offline.Signal{Kind: offline.Offer, SDP: desc.SDP})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	return sig, code
}

// answerTo has a new callee answer offer, and returns the answer's code.
func answerTo(t *testing.T, offer offline.Signal) string {
	t.Helper()
	desc, err := newCodeSession(t, call.Callee).Answer(context.Background(), Description(offer))
	if err != nil {
		t.Fatal(err)
	}
	code, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: desc.SDP, AnswersTo: offline.OfferDigest(offer)})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestAcceptAnswer(t *testing.T) {
	caller := newCodeSession(t, call.Caller)
	offer, _ := offerOf(t, caller)
	otherOffer, _ := offerOf(t, newCodeSession(t, call.Caller))
	var said []string
	say := func(format string, args ...any) { said = append(said, fmt.Sprintf(format, args...)) }
	// What the controller says of the call itself comes from pion's
	// goroutines: not part of this test.
	var mu sync.Mutex
	refusals := func(format string, args ...any) {
		if line := fmt.Sprintf(format, args...); strings.HasPrefix(line, "not sent to the peer") {
			mu.Lock()
			defer mu.Unlock()
			said = append(said, line)
		}
	}
	decode := func(code string) offline.Signal {
		s, err := offline.Decode(code)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// An answer made for another call's offer: refused.
	err := AcceptAnswer(caller, offer, decode(answerTo(t, otherOffer)), say)
	if !errors.Is(err, offline.ErrAnswerMismatch) || !strings.Contains(err.Error(), "made for another offer") {
		t.Fatalf("an answer to another offer: %v", err)
	}

	// The answer to this offer is taken; pasted again, as a chat line, it
	// is refused as a second answer and not sent.
	answerCode := answerTo(t, offer)
	if err := AcceptAnswer(caller, offer, decode(answerCode), say); err != nil {
		t.Fatalf("the answer to this offer: %v", err)
	}
	if len(said) != 0 {
		t.Errorf("an answer that names its offer was warned about: %q", said)
	}
	ctl := New(Options{Session: caller, Say: refusals})
	t.Cleanup(ctl.Close)
	ctl.Offered(offer)
	refused := ctl.refused
	if !refused(answerCode) || len(said) != 1 || !strings.Contains(said[0], "already taken an answer") {
		t.Fatalf("the same answer pasted again: said %q", said)
	}
	if err := AcceptAnswer(caller, offer, decode(answerCode), say); !errors.Is(err, call.ErrAnswerUsed) {
		t.Fatalf("a replayed answer: %v, want ErrAnswerUsed", err)
	}
	// Another peer's answer to the same offer is a second answer too, and
	// one to another offer says so.
	if !refused(answerTo(t, offer)) || !strings.Contains(said[1], "already taken an answer") {
		t.Errorf("another peer's answer to this offer: said %q", said)
	}
	if !refused(answerTo(t, otherOffer)) || !strings.Contains(said[2], "made for another offer") {
		t.Errorf("an answer to another offer, in the chat: said %q", said)
	}
	for _, line := range []string{"hello", "pg3a.", offer.SDP[:20]} {
		if refused(line) {
			t.Errorf("the chat line %q was taken for an answer", line)
		}
	}
	callee := New(Options{Session: newCodeSession(t, call.Callee), Say: refusals})
	t.Cleanup(callee.Close)
	if callee.refused(answerCode) {
		t.Error("the callee refused an answer code as a chat line")
	}
}

func TestAcceptUnboundAnswer(t *testing.T) {
	caller := newCodeSession(t, call.Caller)
	offer, _ := offerOf(t, caller)
	code := answerTo(t, offer)
	answer, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	answer.AnswersTo = nil // as a browser's answer
	var said []string
	if err := AcceptAnswer(caller, offer, answer, func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) }); err != nil {
		t.Fatal(err)
	}
	if len(said) != 1 || !strings.Contains(said[0], "does not say which offer") {
		t.Errorf("said %q, want a warning that the answer names no offer", said)
	}
}
