package call

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
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

func TestSafetyNumberDependsOnBothCertificates(t *testing.T) {
	x, y, z := []byte("certificate x"), []byte("certificate y"), []byte("certificate z")
	if safetyNumber(x, y) != safetyNumber(y, x) {
		t.Fatal("the two sides would see different numbers")
	}
	if safetyNumber(x, y) == safetyNumber(x, z) || safetyNumber(x, y) == safetyNumber(z, y) {
		t.Fatal("another certificate on either side gives the same number")
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
