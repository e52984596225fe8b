package call

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func TestStatsBitRatesAndLoss(t *testing.T) {
	caller := newPeer(t, Caller, openTestMedia(t), 10*time.Second)
	callee := newPeer(t, Callee, openTestMedia(t), 10*time.Second)
	connect(t, caller, callee)
	<-caller.Ready()
	var st Stats
	waitFor(t, "bit rates both ways", func() bool {
		st, _ = caller.Stats()
		return st.SendBitRate > 0 && st.ReceiveBitRate > 0
	})
	// Test video and audio: tens of kbit/s at the least, far below the
	// 1 Mbit/s video cap plus audio at the most.
	for _, r := range []float64{st.SendBitRate, st.ReceiveBitRate} {
		if r < 10e3 || r > 5e6 {
			t.Errorf("bit rates %.0f and %.0f bit/s, want both between 10 kbit/s and 5 Mbit/s", st.SendBitRate, st.ReceiveBitRate)
		}
	}
	if st.PacketsReceived == 0 {
		t.Error("no media packets counted as received")
	}
	if st.LossPercent() > 5 {
		t.Errorf("%.1f%% lost on loopback", st.LossPercent())
	}
}

func TestLossPercent(t *testing.T) {
	tests := []struct {
		lost, received int64
		want           float64
	}{{0, 0, 0}, {0, 100, 0}, {1, 99, 1}, {50, 50, 50}, {-2, 100, 0}}
	for _, tt := range tests {
		if got := (Stats{PacketsLost: tt.lost, PacketsReceived: tt.received}).LossPercent(); got != tt.want {
			t.Errorf("%d lost, %d received: %.2f%%, want %.2f%%", tt.lost, tt.received, got, tt.want)
		}
	}
}

// Path names the way the call goes from the candidate pair: through a
// TURN server when either end is a relay; through NAT when either end is
// an address a NAT gave (srflx from STUN, prflx from the peer's checks);
// direct otherwise. Live calls: through a TURN server on loopback,
// TestRelayOnly (privacy_test.go) and e2e's TestRelayOnlyThroughTURN;
// through TURN and NATs, e2e's TestCallsAcrossNATs.
func TestPath(t *testing.T) {
	cand := func(addr string, port uint16, typ webrtc.ICECandidateType) webrtc.ICECandidate {
		return webrtc.ICECandidate{Protocol: webrtc.ICEProtocolUDP, Address: addr, Port: port, Typ: typ}
	}
	host, relay := webrtc.ICECandidateTypeHost, webrtc.ICECandidateTypeRelay
	srflx, prflx := webrtc.ICECandidateTypeSrflx, webrtc.ICECandidateTypePrflx
	tests := []struct {
		local, remote webrtc.ICECandidate
		relayed       bool
		want          string
	}{
		{cand("127.0.0.1", 5000, host), cand("127.0.0.1", 6000, host), false,
			"direct, udp 127.0.0.1:5000 (host) to 127.0.0.1:6000 (host)"},
		{cand("203.0.113.11", 5000, srflx), cand("203.0.113.12", 6000, srflx), false,
			"direct through NAT, udp 203.0.113.11:5000 (srflx) to 203.0.113.12:6000 (srflx)"},
		{cand("10.1.0.2", 5000, host), cand("203.0.113.12", 6000, prflx), false,
			"direct through NAT, udp 10.1.0.2:5000 (host) to 203.0.113.12:6000 (prflx)"},
		{cand("10.0.0.2", 5000, relay), cand("192.0.2.7", 6000, srflx), true,
			"relayed through a TURN server, udp 10.0.0.2:5000 (relay) to 192.0.2.7:6000 (srflx)"},
		{cand("10.0.0.2", 5000, host), cand("192.0.2.7", 6000, relay), true,
			"relayed through a TURN server, udp 10.0.0.2:5000 (host) to 192.0.2.7:6000 (relay)"},
	}
	for _, tt := range tests {
		st := Stats{Local: tt.local, Remote: tt.remote, Relayed: tt.relayed}
		if got := st.Path(); got != tt.want {
			t.Errorf("Path() = %q, want %q", got, tt.want)
		}
	}
}

// Stats may be asked at any moment: before the offer, during the
// handshake and once the call is up (control asks on each change of
// state). Run with -race, this catches an unguarded read in the
// transports pion is still setting up.
func TestStatsAllAlong(t *testing.T) {
	caller := newPeer(t, Caller, openTestMedia(t), 10*time.Second)
	callee := newPeer(t, Callee, openTestMedia(t), 10*time.Second)
	if _, ok := caller.Stats(); ok {
		t.Fatal("Stats is ok before the offer")
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			default:
			}
			caller.Stats()
			callee.Stats()
		}
	}()
	connect(t, caller, callee)
	<-caller.Ready()
	waitFor(t, "the caller's stats", func() bool { _, ok := caller.Stats(); return ok })
	close(stop)
	<-stopped
}
