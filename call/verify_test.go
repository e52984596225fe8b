package call

import (
	"context"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/calltest"
	"github.com/pigeon-call/pigeon/internal/hostile"
)

func TestSafetyNumbersMatch(t *testing.T) {
	caller := newPeer(t, Caller, nil, 10*time.Second)
	callee := newPeer(t, Callee, nil, 10*time.Second)
	if _, err := caller.SafetyNumber(); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("before connecting: %v, want ErrNotConnected", err)
	}
	connect(t, caller, callee)
	<-caller.Ready()
	<-callee.Ready()
	a, err := caller.SafetyNumber()
	if err != nil {
		t.Fatal(err)
	}
	b, err := callee.SafetyNumber()
	if err != nil {
		t.Fatal(err)
	}
	if a != b || !regexp.MustCompile(`^\d{3} \d{3}$`).MatchString(a) {
		t.Fatalf("caller sees %q, callee %q: want the same six digits", a, b)
	}
}

func TestSafetyNumberOf(t *testing.T) {
	x, y, z := []byte("certificate x"), []byte("certificate y"), []byte("certificate z")
	vx, vy, vz := []byte("value x"), []byte("value y"), []byte("value z")
	n := SafetyNumberOf(x, vx, y, vy)
	if n != SafetyNumberOf(y, vy, x, vx) {
		t.Fatal("the two sides would see different numbers")
	}
	for name, other := range map[string]string{
		"another certificate on one side": SafetyNumberOf(x, vx, z, vy),
		"another value on one side":       SafetyNumberOf(x, vx, y, vz),
		"the values swapped":              SafetyNumberOf(x, vy, y, vx),
	} {
		if other == n {
			t.Errorf("%s gives the same number %s", name, n)
		}
	}
	// One certificate on both sides (a pigeon calling itself with one
	// identity): the values alone order the two.
	if SafetyNumberOf(x, vx, x, vy) != SafetyNumberOf(x, vy, x, vx) {
		t.Error("one certificate on both sides: the sides would see different numbers")
	}
	if !regexp.MustCompile(`^\d{3} \d{3}$`).MatchString(n) {
		t.Errorf("the number %q is not six digits", n)
	}
}

// TestSafetyNumberDiffersPerCall: with the same certificate on each side in
// two calls (--identity on both), the numbers differ from one call to the
// next, while both sides of each call agree.
func TestSafetyNumberDiffersPerCall(t *testing.T) {
	ids := make([]webrtc.Certificate, 2)
	for i := range ids {
		id, err := newIdentity(Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id.certificate
	}
	var numbers []string
	for range 2 {
		caller := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) { o.Certificate = &ids[0] })
		callee := newPeer(t, Callee, nil, 10*time.Second, func(o *Options) { o.Certificate = &ids[1] })
		connect(t, caller, callee)
		waitReady(t, "caller", caller)
		waitReady(t, "callee", callee)
		a, errA := caller.SafetyNumber()
		b, errB := callee.SafetyNumber()
		if errA != nil || errB != nil || a != b {
			t.Fatalf("caller sees %q (%v), callee %q (%v): want the same number", a, errA, b, errB)
		}
		numbers = append(numbers, a)
		caller.Close()
		callee.Close()
	}
	if numbers[0] == numbers[1] {
		t.Errorf("two calls between the same certificates both show %s", numbers[0])
	}
}

// TestAlteredFingerprintNeverConnects edits the fingerprint of a real offer,
// as someone passing the code on could: the callee must refuse the caller's
// certificate and say why.
func TestAlteredFingerprintNeverConnects(t *testing.T) {
	caller := newPeer(t, Caller, nil, 5*time.Second)
	callee := newPeer(t, Callee, nil, 5*time.Second)
	other := newPeer(t, Caller, nil, 5*time.Second)
	ctx := context.Background()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	otherOffer, err := other.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	offer.SDP = strings.Replace(offer.SDP, fingerprintLine(offer.SDP), fingerprintLine(otherOffer.SDP), -1)
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.Accept(answer); err != nil {
		t.Fatal(err)
	}
	if err := callee.Wait(); !errors.Is(err, ErrCertificateMismatch) {
		t.Fatalf("callee ended with %v, want ErrCertificateMismatch", err)
	}
	if len(callee.received()) != 0 {
		t.Fatal("a message got through")
	}
}

func fingerprintLine(sdp string) string {
	for _, line := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(line, "a=fingerprint:") {
			return line
		}
	}
	return ""
}

func TestStatsShowThePath(t *testing.T) {
	caller := newPeer(t, Caller, openTestMedia(t), 10*time.Second)
	callee := newPeer(t, Callee, openTestMedia(t), 10*time.Second)
	if _, ok := caller.Stats(); ok {
		t.Fatal("stats before the call is up")
	}
	connect(t, caller, callee)
	<-caller.Ready()
	waitTrack(t, "caller", caller, webrtc.RTPCodecTypeVideo)
	st, ok := caller.Stats()
	if !ok {
		t.Fatal("no stats once connected")
	}
	if st.Relayed || st.Local.Address != "127.0.0.1" || st.Remote.Address != "127.0.0.1" || st.Received == 0 {
		t.Fatalf("stats %+v: want a direct loopback path that has carried bytes", st)
	}
	if p := st.Path(); !strings.HasPrefix(p, "direct, udp 127.0.0.1:") {
		t.Fatalf("path %q", p)
	}
}

// hostilePeer connects a hostile pion peer to s, the caller, through
// codes, and waits for the chat channel to open on both sides.
func hostilePeer(t *testing.T, s *peer) *hostile.Peer {
	t.Helper()
	h := calltest.HostileAnswers(t, s)
	waitReady(t, "pigeon", s)
	return h
}

// TestSafetyExchangeBrokenByPeer has a hostile peer break the exchange
// that fixes the safety number in each way it can: each ends the call
// with ErrCommitmentMismatch, and no number is given.
func TestSafetyExchangeBrokenByPeer(t *testing.T) {
	value := make([]byte, valueLen)
	commit := hex.EncodeToString(Commitment(value))
	other := hex.EncodeToString(Commitment(append([]byte{1}, value[1:]...)))
	for _, tt := range []struct {
		name string
		sent []map[string]any
	}{
		{"its value before its commitment", []map[string]any{{"type": "reveal", "value": hex.EncodeToString(value)}}},
		{"a value that does not match", []map[string]any{{"type": "commit", "commit": other}, {"type": "reveal", "value": hex.EncodeToString(value)}}},
		{"a second commitment", []map[string]any{{"type": "commit", "commit": commit}, {"type": "commit", "commit": other}}},
		{"a commitment of the wrong size", []map[string]any{{"type": "commit", "commit": "abcd"}}},
		{"a value that is no hexadecimal", []map[string]any{{"type": "commit", "commit": commit}, {"type": "reveal", "value": "zz"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newPeer(t, Caller, nil, 10*time.Second)
			h := hostilePeer(t, s)
			for _, m := range tt.sent {
				if err := h.Send(hostile.Chat, m); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-s.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the call goes on")
			}
			if err := s.Wait(); !errors.Is(err, ErrCommitmentMismatch) {
				t.Errorf("the call ended with %v, want ErrCommitmentMismatch", err)
			}
			if n, err := s.SafetyNumber(); n != "" || err == nil {
				t.Errorf("SafetyNumber = %q, %v after a broken exchange", n, err)
			}
		})
	}
}

// TestNoSafetyNumberFromPeer: a peer that takes no part in the exchange (an
// older pigeon, another program) gets no safety number, and Verify is asked
// with none, to decide.
func TestNoSafetyNumberFromPeer(t *testing.T) {
	asked := make(chan string, 1)
	s := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) {
		o.numberWait = 500 * time.Millisecond
		o.Verify = func(_ context.Context, v Verification) error {
			asked <- v.SafetyNumber
			return ErrNotVerified
		}
	})
	h := hostilePeer(t, s)
	if _, err := s.SafetyNumber(); !errors.Is(err, ErrNoSafetyNumber) {
		t.Fatalf("SafetyNumber: %v, want ErrNoSafetyNumber", err)
	}
	select {
	case n := <-asked:
		if n != "" {
			t.Errorf("Verify was asked about %q, want no number", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Verify was never asked")
	}
	// It committed all the same: a pigeon's part is never skipped.
	if _, err := h.Wait(context.Background(), hostile.Chat, hostile.OfType("commit")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); !errors.Is(err, ErrNotVerified) {
		t.Errorf("the call ended with %v, want ErrNotVerified", err)
	}
}
