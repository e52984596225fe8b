package call

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/pionlog"
	"github.com/pigeon-call/pigeon/offline"
)

// callThroughCodes runs the exchange between caller and callee with the
// codes pigeon writes, and returns them as the peers read them.
func callThroughCodes(t *testing.T, caller, callee *peer) (offer, answer offline.Signal) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	desc, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	offer, offerDesc := throughCode(t, desc, nil)
	desc, err = callee.Answer(ctx, offerDesc)
	if err != nil {
		t.Fatal(err)
	}
	answer, answerDesc := throughCode(t, desc, offline.OfferDigest(offer))
	if err := caller.Accept(answerDesc); err != nil {
		t.Fatal(err)
	}
	return offer, answer
}

// TestHideAddresses makes a call with HideAddresses on both sides, on
// loopback: the codes carry mDNS names, no IP address, still in the compact
// form, and the peers find each other by resolving them over multicast DNS
// on lo (pion limits its mDNS to the interfaces the session uses).
func TestHideAddresses(t *testing.T) {
	hide := func(o *Options) { o.HideAddresses = true; o.Credentials = offline.ICECredentials }
	caller := newPeer(t, Caller, nil, 10*time.Second, hide)
	callee := newPeer(t, Callee, nil, 10*time.Second, hide)
	offer, answer := callThroughCodes(t, caller, callee)
	for _, sig := range []offline.Signal{offer, answer} {
		if sig.Format != offline.FormatCompact {
			t.Errorf("the %s went out as a %s code, want compact", sig.Kind, sig.Format)
		}
		cands := offline.Inspect(sig).Candidates
		if len(cands) == 0 {
			t.Fatalf("the %s has no candidate", sig.Kind)
		}
		for _, c := range cands {
			if c.Reveals() || c.Scope() != "mDNS name" {
				t.Errorf("the %s reveals %s (%s)", sig.Kind, c.Address, c.Scope())
			}
		}
		if strings.Contains(sig.SDP, "127.0.0.1") {
			t.Errorf("the %s's SDP holds 127.0.0.1:\n%s", sig.Kind, sig.SDP)
		}
	}
	waitReady(t, "caller", caller)
	waitReady(t, "callee", callee)
	if err := caller.Send("from behind a name"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, "callee", callee, "from behind a name")
}

// startTURN runs a TURN server on loopback for the test, with one user, and
// returns its URL.
func startTURN(t *testing.T, user, pass string) string {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const realm = "pigeon.test"
	key := turn.GenerateAuthKey(user, realm, pass)
	server, err := turn.NewServer(turn.ServerConfig{
		Realm:         realm,
		LoggerFactory: pionlog.Discard,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			if ra.Username == user {
				return user, key, true
			}
			return "", nil, false
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP("127.0.0.1"),
				Address:      "127.0.0.1",
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return fmt.Sprintf("turn:%s?transport=udp", conn.LocalAddr())
}

// TestRelayOnly makes a call with RelayOnly on both sides through a TURN
// server on loopback: the codes carry only the server's relay candidates,
// and the call goes through the relay.
func TestRelayOnly(t *testing.T) {
	url := startTURN(t, "pigeon", "secret")
	turnURL, _, _ := strings.Cut(url, "?")
	relay := func(o *Options) {
		o.RelayOnly = true
		o.Credentials = offline.ICECredentials
		o.ICEServers = []webrtc.ICEServer{{URLs: []string{url}, Username: "pigeon", Credential: "secret"}}
	}
	caller := newPeer(t, Caller, nil, 10*time.Second, relay)
	callee := newPeer(t, Callee, nil, 10*time.Second, relay)
	offer, answer := callThroughCodes(t, caller, callee)
	for _, sig := range []offline.Signal{offer, answer} {
		cands := offline.Inspect(sig).Candidates
		if len(cands) == 0 {
			t.Fatalf("the %s has no candidate", sig.Kind)
		}
		for _, c := range cands {
			if c.Type != "relay" {
				t.Errorf("the %s has the %s candidate %s: want relay candidates only", sig.Kind, c.Type, c)
			}
		}
	}
	waitReady(t, "caller", caller)
	waitReady(t, "callee", callee)
	if err := callee.Send("through the relay"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, "caller", caller, "through the relay")
	st, ok := caller.Stats()
	if !ok || !st.Relayed {
		t.Errorf("stats %+v: want the call relayed by %s", st, turnURL)
	}
}
