package call

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/offline"
)

// withCodeCredentials gives a test peer the ICE credentials that compact
// codes need, as pigeon's sessions have them.
func withCodeCredentials(o *Options) { o.Credentials = offline.ICECredentials }

// throughCode carries desc the way pigeon does: as a code, decoded on the
// other side. It returns the signal as read, and as the session takes it.
func throughCode(t *testing.T, desc webrtc.SessionDescription, answersTo []byte) (offline.Signal, webrtc.SessionDescription) {
	t.Helper()
	kind := offline.Offer
	if desc.Type == webrtc.SDPTypeAnswer {
		kind = offline.Answer
	}
	code, err := offline.Encode(offline.Signal{Kind: kind, SDP: desc.SDP, AnswersTo: answersTo})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	return sig, webrtc.SessionDescription{Type: desc.Type, SDP: sig.SDP}
}

func waitReady(t *testing.T, name string, p *peer) {
	t.Helper()
	select {
	case <-p.Ready():
	case <-p.Done():
		t.Fatalf("%s: the call ended: %v", name, p.Wait())
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: the chat never opened", name)
	}
}

func waitMessage(t *testing.T, name string, p *peer, text string) {
	t.Helper()
	p.waitReceived(t, fmt.Sprintf("%s to receive %q", name, text), 10*time.Second, func(got []string) bool { return slices.Contains(got, text) })
}

// TestManInTheMiddle puts a relay between the caller and the callee, as
// someone who carries the codes could: two pion peers of its own, one
// answering the caller's offer and one offering to the callee, each with
// its own certificate, so that it rewrites each code it passes on with its
// own fingerprint (and names the caller's offer correctly in its answer:
// that binding is no defence against whoever writes the codes). The call
// through it comes up and chat flows, as the relay forwards it; only the
// safety numbers show it: the two sides' differ. A direct call's are equal
// (TestSafetyNumbersMatch, and below).
func TestManInTheMiddle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	caller := newPeer(t, Caller, nil, 10*time.Second, withCodeCredentials)
	callee := newPeer(t, Callee, nil, 10*time.Second, withCodeCredentials)
	// The relay's two halves: toCaller poses as the callee, toCallee as
	// the caller.
	toCaller := newPeer(t, Callee, nil, 10*time.Second, withCodeCredentials)
	toCallee := newPeer(t, Caller, nil, 10*time.Second, withCodeCredentials)

	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's code reaches the relay, which answers it itself...
	offerSig, offerDesc := throughCode(t, offer, nil)
	relayAnswer, err := toCaller.Answer(ctx, offerDesc)
	if err != nil {
		t.Fatal(err)
	}
	// ... and passes the callee a code of its own in place of the offer.
	relayOffer, err := toCallee.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	relayOfferSig, relayOfferDesc := throughCode(t, relayOffer, nil)
	answer, err := callee.Answer(ctx, relayOfferDesc)
	if err != nil {
		t.Fatal(err)
	}
	answerSig, answerDesc := throughCode(t, answer, offline.OfferDigest(relayOfferSig))
	if err := offline.CheckAnswer(relayOfferSig, answerSig); err != nil {
		t.Fatal(err)
	}
	if err := toCallee.Accept(answerDesc); err != nil {
		t.Fatal(err)
	}
	// The caller gets the relay's answer, naming the caller's own offer.
	relayAnswerSig, relayAnswerDesc := throughCode(t, relayAnswer, offline.OfferDigest(offerSig))
	if err := offline.CheckAnswer(offerSig, relayAnswerSig); err != nil {
		t.Fatalf("the caller refuses the relay's answer: %v", err)
	}
	if err := caller.Accept(relayAnswerDesc); err != nil {
		t.Fatal(err)
	}

	// The relay forwards the chat both ways.
	for _, p := range []*peer{caller, callee, toCaller, toCallee} {
		waitReady(t, "a side", p)
	}
	go forward(toCaller, toCallee)
	go forward(toCallee, toCaller)
	if err := caller.Send("hello through the middle"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, "the callee", callee, "hello through the middle")

	callerNumber, err := caller.SafetyNumber()
	if err != nil {
		t.Fatal(err)
	}
	calleeNumber, err := callee.SafetyNumber()
	if err != nil {
		t.Fatal(err)
	}
	if callerNumber == calleeNumber {
		t.Fatalf("both sides see %s through a relay that re-signs: the safety number cannot show it", callerNumber)
	}
	// Each side's number is the one it shares with the relay half it
	// reached, not with the real peer.
	if n, _ := toCaller.SafetyNumber(); n != callerNumber {
		t.Errorf("the caller sees %s, the relay half it reached %s", callerNumber, n)
	}
	if n, _ := toCallee.SafetyNumber(); n != calleeNumber {
		t.Errorf("the callee sees %s, the relay half it reached %s", calleeNumber, n)
	}
}

// forward sends on to what from has received, as a relay does, until the
// call ends.
func forward(from, to *peer) {
	sent := 0
	for {
		select {
		case <-from.Done():
			return
		case <-to.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
		got := from.received()
		for _, text := range got[sent:] {
			if to.Send(text) != nil {
				return
			}
		}
		sent = len(got)
	}
}

// TestDirectCallThroughCodes is the same exchange with no relay: the codes
// go straight between the peers, and the safety numbers are equal.
func TestDirectCallThroughCodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	caller := newPeer(t, Caller, nil, 10*time.Second, withCodeCredentials)
	callee := newPeer(t, Callee, nil, 10*time.Second, withCodeCredentials)
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	offerSig, offerDesc := throughCode(t, offer, nil)
	answer, err := callee.Answer(ctx, offerDesc)
	if err != nil {
		t.Fatal(err)
	}
	answerSig, answerDesc := throughCode(t, answer, offline.OfferDigest(offerSig))
	if err := offline.CheckAnswer(offerSig, answerSig); err != nil {
		t.Fatal(err)
	}
	if err := caller.Accept(answerDesc); err != nil {
		t.Fatal(err)
	}
	waitReady(t, "caller", caller)
	waitReady(t, "callee", callee)
	a, errA := caller.SafetyNumber()
	b, errB := callee.SafetyNumber()
	if errA != nil || errB != nil || a != b {
		t.Fatalf("caller sees %q (%v), callee %q (%v): want the same number", a, errA, b, errB)
	}
}

// TestSecondAnswerRefused hands the caller a second answer once it has one:
// the same answer again (a replay), and another peer's answer to the same
// offer. Both are refused, and the call goes on with the first.
func TestSecondAnswerRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	caller := newPeer(t, Caller, nil, 10*time.Second)
	callee := newPeer(t, Callee, nil, 10*time.Second)
	intruder := newPeer(t, Callee, nil, 10*time.Second)
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	other, err := intruder.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.Accept(answer); err != nil {
		t.Fatal(err)
	}
	for name, second := range map[string]webrtc.SessionDescription{"the same answer again": answer, "another peer's answer": other} {
		if err := caller.Accept(second); !errors.Is(err, ErrAnswerUsed) {
			t.Errorf("%s: Accept = %v, want ErrAnswerUsed", name, err)
		}
	}
	waitReady(t, "caller", caller)
	if err := caller.Send("still you"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, "the callee", callee, "still you")
	if len(intruder.received()) != 0 {
		t.Errorf("the second answerer got %q", intruder.received())
	}
}

// TestCertificateIsKept gives the callee the same certificate in two calls:
// the caller sees the same fingerprint both times, the one of that
// certificate; a callee without one shows a new one each call.
func TestCertificateIsKept(t *testing.T) {
	id, err := newIdentity(Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := sha256Fingerprint(&id.certificate)
	if err != nil {
		t.Fatal(err)
	}
	seen := func(cert *webrtc.Certificate) string {
		caller := newPeer(t, Caller, nil, 10*time.Second)
		callee := newPeer(t, Callee, nil, 10*time.Second, func(o *Options) { o.Certificate = cert })
		connect(t, caller, callee)
		waitReady(t, "caller", caller)
		fp, err := caller.RemoteFingerprint()
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	first, second := seen(&id.certificate), seen(&id.certificate)
	if first != second || first != strings.ToUpper(formatHex(want)) {
		t.Errorf("the kept certificate shows %s, then %s; want %x", first, second, want)
	}
	if seen(nil) == seen(nil) {
		t.Error("two calls without a kept certificate show the same fingerprint")
	}
}

func formatHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}
