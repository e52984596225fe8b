package e2e

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/internal/hostile"
	"github.com/pigeon-call/pigeon/offline"
)

// TestSafetyNumbersThroughARelay puts a relay between two pigeon processes,
// as whoever carries their codes could: two pion peers of the test's own,
// one answering the caller's offer and one offering to the callee, each
// with a certificate of its own and writing codes of its own (its answer
// even names the caller's offer correctly). The call through it comes up
// and chat passes, as the relay forwards it; only the safety numbers the
// two processes print differ. TestCallThroughFIFOs checks that they are
// equal on a direct call.
//
// With --verify, each user types the number the other reads out: they
// differ, and both pigeons end the call (exit code 8) before anything typed
// reached the relay.
func TestSafetyNumbersThroughARelay(t *testing.T) {
	t.Run("plain", func(t *testing.T) { throughRelay(t, false) })
	t.Run("verify", func(t *testing.T) { throughRelay(t, true) })
}

func throughRelay(t *testing.T, verify bool) {
	flags := noMedia
	if verify {
		flags = append([]string{"--verify"}, noMedia...)
	}
	var relayed atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	callerOffer, relayOffer := filepath.Join(dir, "caller-offer"), filepath.Join(dir, "relay-offer")

	// The relay's two halves forward each other's chat.
	half := func(role call.Role) *call.Session {
		s, err := call.New(call.Options{
			Role: role, Interfaces: []string{"lo"}, Timeout: 15 * time.Second, PasteWait: 15 * time.Second,
			Credentials: offline.ICECredentials,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	toCaller, toCallee := half(call.Callee), half(call.Caller)
	forward := func(from, to *call.Session) {
		from.OnMessage(func(text string) {
			relayed.Add(1)
			go to.Send(text)
		})
	}
	forward(toCaller, toCallee)
	forward(toCallee, toCaller)

	caller := start(t, args([]string{"call", "--signal-out", callerOffer, "--signal-in", "-"}, flags)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	text, err := os.ReadFile(callerOffer)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := offline.Decode(string(text))
	if err != nil {
		t.Fatal(err)
	}
	answer, err := toCaller.Answer(ctx, webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP})
	if err != nil {
		t.Fatal(err)
	}
	answerCode, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: answer.SDP, AnswersTo: offline.OfferDigest(offer)})
	if err != nil {
		t.Fatal(err)
	}

	ownOffer, err := toCallee.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ownCode, err := offline.Encode(offline.Signal{Kind: offline.Offer, SDP: ownOffer.SDP})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(relayOffer, []byte(ownCode+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	callee := start(t, args([]string{"answer", "--signal-in", relayOffer, "--signal-out", "-"}, flags)...)
	waitOutput(t, "callee's answer", callee.stdout, "\n")
	calleeAnswer, err := offline.Decode(strings.TrimSpace(callee.stdout.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := toCallee.Accept(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: calleeAnswer.SDP}); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(caller.stdin, answerCode)
	if verify {
		verifyThroughRelay(t, caller, callee, &relayed)
		return
	}

	waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
	waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
	fmt.Fprintln(caller.stdin, "through the middle")
	waitOutput(t, "callee's chat", callee.stdout, "through the middle\n")

	var numbers [2]string
	for i, p := range []*proc{caller, callee} {
		waitOutput(t, "safety number", p.stderr, "safety number ")
		m := regexp.MustCompile(`safety number (\d{3} \d{3})`).FindStringSubmatch(p.stderr.String())
		if m == nil {
			t.Fatalf("no safety number in:\n%s", p.stderr)
		}
		numbers[i] = m[1]
	}
	if numbers[0] == numbers[1] {
		t.Fatalf("both processes show %s through a relay that re-signs", numbers[0])
	}
	// Each shows the number it shares with the half of the relay it reached.
	for i, s := range []*call.Session{toCaller, toCallee} {
		if n, err := s.SafetyNumber(); err != nil || n != numbers[i] {
			t.Errorf("side %d shows %s, the relay half it reached %s (%v)", i, numbers[i], n, err)
		}
	}
	caller.stdin.Close()
	caller.exit(t, 10*time.Second)
}

// verifyThroughRelay has each user type the number the other sees, as they
// would read them to each other: both pigeons refuse, and nothing typed
// reached the relay.
func verifyThroughRelay(t *testing.T, caller, callee *proc, relayed *atomic.Int32) {
	t.Helper()
	var numbers [2]string
	for i, p := range []*proc{caller, callee} {
		waitOutput(t, "the question", p.stderr, "media and chat wait until you confirm it")
		numbers[i] = regexp.MustCompile(`safety number (\d{3} \d{3}): media`).FindStringSubmatch(p.stderr.String())[1]
	}
	if numbers[0] == numbers[1] {
		t.Fatalf("both processes show %s through a relay that re-signs", numbers[0])
	}
	fmt.Fprintln(caller.stdin, "a secret for the callee")
	fmt.Fprintln(callee.stdin, "a secret for the caller")
	fmt.Fprintln(caller.stdin, numbers[1])
	fmt.Fprintln(callee.stdin, numbers[0])
	for _, p := range []*proc{caller, callee} {
		if code := p.exit(t, 20*time.Second); code != 8 {
			t.Errorf("exit code %d, want 8; stderr:\n%s", code, p.stderr)
		}
		if !strings.Contains(p.stderr.String(), "WARNING: the safety numbers differ") {
			t.Errorf("no warning in:\n%s", p.stderr)
		}
	}
	if n := relayed.Load(); n != 0 {
		t.Errorf("the relay received %d chat messages", n)
	}
}

// TestSafetyNumberCannotBeChosen puts a man in the middle between two
// pigeon processes who tries to make both show the same safety number: two
// hostile pion peers of the test's own, which speak pigeon's exchange of
// commitments themselves. On the caller's leg it plays by the rules and
// learns the number the caller shows. On the callee's leg it would need the
// callee's value before fixing its own: the callee reveals nothing until it
// has a commitment, so it must commit first, and the value it committed to
// gives another number (its one guess). Grinding values once it has the
// callee's finds one that gives the caller's number, in about a million
// tries; revealing it, which does not match the commitment, ends the
// callee's call with exit code 10.
func TestSafetyNumberCannotBeChosen(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	callerOffer, relayOffer := filepath.Join(dir, "caller-offer"), filepath.Join(dir, "relay-offer")
	toCaller, toCallee := newHostile(t), newHostile(t)

	caller := start(t, args([]string{"call", "--signal-out", callerOffer, "--signal-in", "-"}, noMedia)...)
	waitOutput(t, "caller", caller.stderr, "offer written to")
	code, err := os.ReadFile(callerOffer)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := toCaller.Answer(ctx, string(code))
	if err != nil {
		t.Fatal(err)
	}
	offer, err := toCallee.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(relayOffer, []byte(offer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	callee := start(t, args([]string{"answer", "--signal-in", relayOffer, "--signal-out", "-"}, noMedia)...)
	waitOutput(t, "callee's answer", callee.stdout, "\n")
	if err := toCallee.Accept(strings.TrimSpace(callee.stdout.String())); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(caller.stdin, answer)

	// The caller's leg, by the rules.
	if err := toCaller.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	valueA, own := commitTo(ctx, t, toCaller)
	send(t, toCaller, map[string]any{"type": "reveal", "value": hex.EncodeToString(own)})
	number := call.SafetyNumberOf(toCaller.Fingerprint(), own, toCaller.RemoteFingerprint(), valueA)
	waitOutput(t, "caller", caller.stderr, "safety number "+number)

	// The callee's leg: it keeps its value until the man in the middle
	// commits. A chat message sent meanwhile is acknowledged, and no value
	// came before the acknowledgement.
	if err := toCallee.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	wait(ctx, t, toCallee, hostile.OfType("commit"))
	send(t, toCallee, map[string]any{"type": "chat", "id": 1, "text": "your value, please"})
	wait(ctx, t, toCallee, func(m hostile.Message) bool { return m.Type() == "ack" })
	for _, m := range toCallee.Received(hostile.Chat) {
		if m.Type() == "reveal" {
			t.Fatal("the callee revealed its value before the other side committed")
		}
	}
	committed := randomValue(t)
	send(t, toCallee, map[string]any{"type": "commit", "commit": hex.EncodeToString(call.Commitment(committed))})
	valueB := mustHex(t, wait(ctx, t, toCallee, hostile.OfType("reveal")).Text("value"))
	if guess := call.SafetyNumberOf(toCallee.Fingerprint(), committed, toCallee.RemoteFingerprint(), valueB); guess == number {
		t.Fatalf("the committed value gives the callee %s too: the one chance in a million", number)
	}

	// Too late: a value that gives the callee the caller's number exists,
	// but it is not the one committed to.
	ground := make([]byte, 32)
	tries := 0
	for ; tries < 100_000_000; tries++ {
		binary.BigEndian.PutUint64(ground, uint64(tries))
		if call.SafetyNumberOf(toCallee.Fingerprint(), ground, toCallee.RemoteFingerprint(), valueB) == number {
			break
		}
	}
	t.Logf("a value giving the callee %s found after %d tries", number, tries)
	send(t, toCallee, map[string]any{"type": "reveal", "value": hex.EncodeToString(ground)})
	if code := callee.exit(t, 20*time.Second); code != 10 {
		t.Errorf("the callee exited with %d, want 10; stderr:\n%s", code, callee.stderr)
	}
	if out := callee.stderr.String(); !strings.Contains(out, "tried to choose the safety number") || strings.Contains(out, number) {
		t.Errorf("the callee does not say why it ended, or shows the number %s:\n%s", number, out)
	}
	caller.stdin.Close()
	caller.exit(t, 10*time.Second)
}

func newHostile(t *testing.T) *hostile.Peer {
	t.Helper()
	p, err := hostile.New(hostile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func wait(ctx context.Context, t *testing.T, p *hostile.Peer, match func(hostile.Message) bool) hostile.Message {
	t.Helper()
	m, err := p.Wait(ctx, hostile.Chat, match)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func send(t *testing.T, p *hostile.Peer, m map[string]any) {
	t.Helper()
	if err := p.Send(hostile.Chat, m); err != nil {
		t.Fatal(err)
	}
}

func randomValue(t *testing.T) []byte {
	t.Helper()
	v := make([]byte, 32)
	if _, err := rand.Read(v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		t.Fatalf("%q is no value in hexadecimal", s)
	}
	return b
}

// commitTo plays the second part in the exchange that fixes the safety
// number, on h's leg: it takes the other side's commitment, commits to a
// value of its own, and checks the value the other side then reveals
// against its commitment. It returns that value and its own, which it has
// not revealed.
func commitTo(ctx context.Context, t *testing.T, h *hostile.Peer) (theirs, own []byte) {
	t.Helper()
	commit := wait(ctx, t, h, hostile.OfType("commit"))
	own = randomValue(t)
	send(t, h, map[string]any{"type": "commit", "commit": hex.EncodeToString(call.Commitment(own))})
	theirs = mustHex(t, wait(ctx, t, h, hostile.OfType("reveal")).Text("value"))
	if hex.EncodeToString(call.Commitment(theirs)) != commit.Text("commit") {
		t.Fatal("the value revealed does not match its commitment")
	}
	return theirs, own
}
