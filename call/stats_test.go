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

// A relayed path is named so. A live one, through a TURN server on
// loopback, is tested by TestRelayOnly (privacy_test.go), which checks the
// call's stats say relayed, and by e2e's TestRelayOnlyThroughTURN, where
// /stats shows the path relayed.
func TestPathSaysRelayed(t *testing.T) {
	st := Stats{Relayed: true}
	st.Local.Protocol, st.Local.Address, st.Local.Port, st.Local.Typ = webrtc.ICEProtocolUDP, "10.0.0.2", 5000, webrtc.ICECandidateTypeRelay
	st.Remote.Address, st.Remote.Port, st.Remote.Typ = "192.0.2.7", 6000, webrtc.ICECandidateTypeSrflx
	want := "relayed through a TURN server, udp 10.0.0.2:5000 (relay) to 192.0.2.7:6000 (srflx)"
	if got := st.Path(); got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
}
