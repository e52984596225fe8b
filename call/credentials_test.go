package call

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func TestCredentialsFromFingerprint(t *testing.T) {
	var seen []byte
	s, err := New(Options{
		Role:       Caller,
		Interfaces: []string{"lo"},
		Credentials: func(fp []byte) (string, string) {
			seen = fp
			h := hex.EncodeToString(fp)
			return h[:8], h[8:40]
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := s.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The fingerprint handed to Credentials is the one the offer shows, and
	// the credentials it returned are the offer's.
	h := hex.EncodeToString(seen)
	var wantFP []string
	for i := 0; i+2 <= len(h); i += 2 {
		wantFP = append(wantFP, strings.ToUpper(h[i:i+2]))
	}
	for _, want := range []string{
		"a=fingerprint:sha-256 " + strings.Join(wantFP, ":") + "\r\n",
		"a=ice-ufrag:" + h[:8] + "\r\n",
		"a=ice-pwd:" + h[8:40] + "\r\n",
	} {
		if len(seen) != 32 || !strings.Contains(offer.SDP, want) {
			t.Errorf("the offer lacks %q:\n%s", want, offer.SDP)
		}
	}
}

func TestCredentialsTooShort(t *testing.T) {
	_, err := New(Options{Role: Callee, Credentials: func([]byte) (string, string) { return "abc", "short" }})
	if err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("New with short credentials = %v, want an error", err)
	}
}
