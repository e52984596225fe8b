package control

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
)

// TestVerifierReadsTheChat: while the question is open, the lines typed
// are its replies, not chat; one not understood asks again; the input's
// end, or a peer with no number, leaves the call unconfirmed.
func TestVerifierReadsTheChat(t *testing.T) {
	said := &saidLines{}
	v := NewVerifier(said.say)
	c := New(Options{Session: newSession(t, call.Caller), Say: said.say, Verifier: v})
	t.Cleanup(c.Close)

	verdict := make(chan error, 1)
	go func() { verdict <- v.Verify(context.Background(), call.Verification{SafetyNumber: "123 456"}) }()
	said.waitFor(t, "safety number 123 456: media and chat wait until you confirm it")
	if err := c.Line("maybe"); err != nil {
		t.Fatalf("a reply was sent as chat: %v", err)
	}
	said.waitFor(t, "type yes if your peer sees 123 456")
	if err := c.Line("123456"); err != nil {
		t.Fatalf("a reply was sent as chat: %v", err)
	}
	select {
	case err := <-verdict:
		if err != nil {
			t.Fatalf("the digits typed back gave %v, want the number confirmed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the question was never answered")
	}
	said.waitFor(t, "safety number confirmed")

	go func() { verdict <- v.Verify(context.Background(), call.Verification{SafetyNumber: "123 456"}) }()
	said.waitFor(t, "type yes if theirs is the same")
	v.end()
	if err := <-verdict; !errors.Is(err, call.ErrNotVerified) {
		t.Errorf("the end of input gave %v, want ErrNotVerified", err)
	}
	v.end() // a second end changes nothing
	if err := v.Verify(context.Background(), call.Verification{}); !errors.Is(err, call.ErrNoSafetyNumber) || !errors.Is(err, call.ErrNotVerified) {
		t.Errorf("no number gave %v, want ErrNotVerified and ErrNoSafetyNumber", err)
	}
}

// TestLineAfterTheReplyIsChat: the line typed right after the reply that
// confirms the number is a chat message, however soon it comes, and
// neither it nor the reply is lost.
func TestLineAfterTheReplyIsChat(t *testing.T) {
	for range 50 {
		said := &saidLines{}
		v := NewVerifier(said.say)
		verdict := make(chan error, 1)
		go func() { verdict <- v.Verify(context.Background(), call.Verification{SafetyNumber: "123 456"}) }()
		said.waitFor(t, "safety number 123 456: media and chat wait until you confirm it")
		if !v.take("yes") {
			t.Fatal("the reply was not taken by the question")
		}
		if v.take("hello") {
			t.Fatal("the line after the reply was taken by the question, not sent as chat")
		}
		if err := <-verdict; err != nil {
			t.Fatalf("yes gave %v, want the number confirmed", err)
		}
	}
}
