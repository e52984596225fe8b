// Package calltest is what tests of a call share: the offer/answer
// handshake between two sides, as pigeon's users carry the codes (the
// caller's complete offer to the callee, its complete answer back), and a
// check that a package's tests leave no goroutine running.
//
// It knows calls only through interfaces, which *call.Session satisfies,
// so that package call's own tests can use it too.
package calltest

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/pigeon-call/pigeon/internal/hostile"
	"github.com/pigeon-call/pigeon/offline"
)

// Wait bounds the handshake, and the wait for the chat: long enough for a
// lossy, slow path of vnet's on a busy machine.
const Wait = 20 * time.Second

// Caller is the side that offers: a *call.Session of role call.Caller.
type Caller interface {
	Offer(ctx context.Context) (webrtc.SessionDescription, error)
	Accept(answer webrtc.SessionDescription) error
}

// Callee is the side that answers: a *call.Session of role call.Callee.
type Callee interface {
	Answer(ctx context.Context, offer webrtc.SessionDescription) (webrtc.SessionDescription, error)
}

// Handshake hands the caller's offer to the callee and its answer back,
// and fails tb if a step fails or takes longer than Wait.
func Handshake(tb testing.TB, caller Caller, callee Callee) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		tb.Fatalf("the caller's offer: %v", err)
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		tb.Fatalf("the callee's answer: %v", err)
	}
	if err := caller.Accept(answer); err != nil {
		tb.Fatalf("the caller taking the answer: %v", err)
	}
}

// Readier is a side whose chat opens: a *call.Session.
type Readier interface {
	Ready() <-chan struct{}
}

// WaitReady waits for each side's chat to open, and fails tb after Wait.
func WaitReady(tb testing.TB, sides ...Readier) {
	tb.Helper()
	timeout := time.After(Wait)
	for i, s := range sides {
		select {
		case <-s.Ready():
		case <-timeout:
			tb.Fatalf("the chat of side %d did not open within %s", i+1, Wait)
		}
	}
}

// Connect runs the handshake and waits for both chats to open.
func Connect[S interface {
	Caller
	Readier
}, T interface {
	Callee
	Readier
}](tb testing.TB, caller S, callee T) {
	tb.Helper()
	Handshake(tb, caller, callee)
	WaitReady(tb, caller, callee)
}

// PeerConnection is a pion PeerConnection as a side of the handshake: each
// description it gives holds every candidate, as a session's does.
type PeerConnection struct{ *webrtc.PeerConnection }

// Offer creates the offer and returns it once gathering is complete.
func (p PeerConnection) Offer(ctx context.Context) (webrtc.SessionDescription, error) {
	offer, err := p.CreateOffer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, err
	}
	return p.complete(ctx, offer)
}

// Answer applies offer and returns the answer once gathering is complete.
func (p PeerConnection) Answer(ctx context.Context, offer webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	if err := p.SetRemoteDescription(offer); err != nil {
		return webrtc.SessionDescription{}, err
	}
	answer, err := p.CreateAnswer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, err
	}
	return p.complete(ctx, answer)
}

// Accept applies the answer.
func (p PeerConnection) Accept(answer webrtc.SessionDescription) error {
	return p.SetRemoteDescription(answer)
}

func (p PeerConnection) complete(ctx context.Context, desc webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	gathered := webrtc.GatheringCompletePromise(p.PeerConnection)
	if err := p.SetLocalDescription(desc); err != nil {
		return webrtc.SessionDescription{}, err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return webrtc.SessionDescription{}, ctx.Err()
	}
	return *p.LocalDescription(), nil
}

// VerifyNoLeaks runs a package's tests, as TestMain does, and fails the
// run if goroutines are still running once they are over (once each has
// had a moment to end): every goroutine a call starts has an owner that
// stops it. ignore names the top functions of goroutines that outlive a
// call by design.
func VerifyNoLeaks(m *testing.M, ignore ...string) {
	var opts []goleak.Option
	for _, f := range ignore {
		opts = append(opts, goleak.IgnoreAnyFunction(f))
	}
	goleak.VerifyTestMain(m, opts...)
}

// HostileOffers connects a hostile peer, which offers, to callee through
// codes as a user carries them, and waits until the peer's chat is open.
func HostileOffers(tb testing.TB, callee Callee) *hostile.Peer {
	tb.Helper()
	h := newHostile(tb)
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	offer, err := h.Offer(ctx)
	if err != nil {
		tb.Fatalf("the hostile peer's offer: %v", err)
	}
	sig, err := offline.Decode(offer)
	if err != nil {
		tb.Fatal(err)
	}
	answer, err := callee.Answer(ctx, webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sig.SDP})
	if err != nil {
		tb.Fatalf("the answer to the hostile peer: %v", err)
	}
	code, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: answer.SDP})
	if err != nil {
		tb.Fatal(err)
	}
	if err := h.Accept(code); err != nil {
		tb.Fatalf("the hostile peer taking the answer: %v", err)
	}
	if err := h.WaitOpen(ctx); err != nil {
		tb.Fatal(err)
	}
	return h
}

// HostileAnswers connects caller to a hostile peer, which answers, through
// codes as a user carries them, and waits until the peer's chat is open.
func HostileAnswers(tb testing.TB, caller Caller) *hostile.Peer {
	tb.Helper()
	h := newHostile(tb)
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		tb.Fatalf("the offer to the hostile peer: %v", err)
	}
	code, err := offline.Encode(offline.Signal{Kind: offline.Offer, SDP: offer.SDP})
	if err != nil {
		tb.Fatal(err)
	}
	answer, err := h.Answer(ctx, code)
	if err != nil {
		tb.Fatalf("the hostile peer's answer: %v", err)
	}
	sig, err := offline.Decode(answer)
	if err != nil {
		tb.Fatal(err)
	}
	if err := caller.Accept(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sig.SDP}); err != nil {
		tb.Fatalf("taking the hostile peer's answer: %v", err)
	}
	if err := h.WaitOpen(ctx); err != nil {
		tb.Fatal(err)
	}
	return h
}

func newHostile(tb testing.TB) *hostile.Peer {
	tb.Helper()
	h, err := hostile.New(hostile.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	return h
}
