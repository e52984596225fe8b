package call

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestAlteredCompactFingerprint alters an offer as the reader of an edited
// compact code sees it: another fingerprint, and the ICE credentials that
// follow from it. ICE fails before DTLS, as each side throws away the
// other's checks; both must say that the certificate does not match, not
// that the peer could not be reached.
func TestAlteredCompactFingerprint(t *testing.T) {
	derive := func(o *Options) {
		o.Credentials = func(fp []byte) (string, string) {
			h := hex.EncodeToString(fp)
			return h[:8], h[8:40]
		}
	}
	caller := newPeer(t, Caller, nil, 5*time.Second, derive)
	callee := newPeer(t, Callee, nil, 5*time.Second, derive)
	other := newPeer(t, Caller, nil, 5*time.Second, derive)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	otherOffer, err := other.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, attr := range []string{"a=fingerprint:", "a=ice-ufrag:", "a=ice-pwd:"} {
		offer.SDP = strings.ReplaceAll(offer.SDP, sdpLine(offer.SDP, attr), sdpLine(otherOffer.SDP, attr))
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.Accept(answer); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*peer{"caller": caller, "callee": callee} {
		if err := p.Wait(); !errors.Is(err, ErrCertificateMismatch) {
			t.Errorf("%s ended with %v, want ErrCertificateMismatch", name, err)
		}
	}
}

// TestUnreachedPeerIsNoMismatch is the other side of the coin: a caller
// that never reads the answer throws the callee's checks away, as it must
// before it knows the peer's credentials, and answers none. The callee
// may not take that for an altered code.
func TestUnreachedPeerIsNoMismatch(t *testing.T) {
	caller := newPeer(t, Caller, nil, 3*time.Second)
	callee := newPeer(t, Callee, nil, 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := callee.Answer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	if err := callee.Wait(); !errors.Is(err, ErrConnectFailed) {
		t.Errorf("callee ended with %v, want ErrConnectFailed", err)
	}
}

// sdpLine returns the first line of sdp that starts with prefix.
func sdpLine(sdp, prefix string) string {
	for _, line := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}
