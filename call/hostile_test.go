package call

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/calltest"
	"github.com/pigeon-call/pigeon/internal/hostile"
	"github.com/pigeon-call/pigeon/transfer"
)

// TestPeerFloodsRestartCandidates has a hostile peer ask for a restart on
// the negotiation channel with 5,000 candidates, one of them 10 KB long.
// The first of them point at sockets of the test's, which count the checks
// they get: after its restart the session checks the first 16 it can use,
// and none beyond, and says so in its log.
func TestPeerFloodsRestartCandidates(t *testing.T) {
	logs := newTestLogs(t)
	s := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) { o.LoggerFactory = logs.factory(Caller) })
	h := hostilePeer(t, s)

	listeners := make([]*net.UDPConn, 2*maxPeerCandidates)
	checks := make([]atomic.Int32, len(listeners))
	var candidates []string
	for i := range listeners {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		listeners[i] = conn
		go countChecks(conn, &checks[i])
		candidates = append(candidates, fmt.Sprintf("candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host", i+1, conn.LocalAddr().(*net.UDPAddr).Port))
		if i == 0 {
			candidates = append(candidates, "candidate:99 1 udp 2130706431 127.0.0.1 9 typ host"+strings.Repeat(" x", 5000))
		}
	}
	// The rest: loopback addresses where nothing listens.
	for i := 0; len(candidates) < 5000; i++ {
		candidates = append(candidates, fmt.Sprintf("candidate:%d 1 udp 2130706431 127.77.%d.%d 9 typ host", 1000+i, i/250, 1+i%250))
	}
	if err := h.Send(hostile.Negotiate, map[string]any{"restart": true, "candidates": candidates}); err != nil {
		t.Fatal(err)
	}

	// pion checks every pair in each round: once each kept candidate has
	// had two, any other would have had one.
	for i := 0; i < maxPeerCandidates; i++ {
		waitWithin(t, fmt.Sprintf("two checks of candidate %d, among the first %d", i+1, maxPeerCandidates), 20*time.Second,
			func() bool { return checks[i].Load() >= 2 })
	}
	for i := maxPeerCandidates; i < len(listeners); i++ {
		if n := checks[i].Load(); n > 0 {
			t.Errorf("candidate %d, beyond the first %d, got %d checks", i+1, maxPeerCandidates, n)
		}
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if want := "the peer sent 5000 candidates on the call: 1 dropped as longer than 256 bytes, 4983 beyond the first 16"; !strings.Contains(logs.buf.String(), want) {
		t.Errorf("the log does not say %q:\n%s", want, logs.buf.String())
	}
}

// TestPeerAddsCandidatesWithoutEnd has a hostile peer send candidates,
// 16 at a time, 50 times over, without asking for a restart: ICE holds no
// more than maxAddedCandidates of them.
func TestPeerAddsCandidatesWithoutEnd(t *testing.T) {
	logs := newTestLogs(t)
	s := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) { o.LoggerFactory = logs.factory(Caller) })
	h := hostilePeer(t, s)
	before := remoteCandidates(s)
	for m := range 50 {
		var candidates []string
		for i := range maxPeerCandidates {
			candidates = append(candidates, fmt.Sprintf("candidate:%d 1 udp 2130706431 127.78.%d.%d 9 typ host", 1+m*100+i, m, 1+i))
		}
		if err := h.Send(hostile.Negotiate, map[string]any{"candidates": candidates}); err != nil {
			t.Fatal(err)
		}
	}
	// The messages are taken in order: once the log tells of the last one,
	// all were.
	waitFor(t, "the log to tell of the last message", func() bool { return strings.Contains(logsText(logs), "candidate:4901 ") })
	if n := remoteCandidates(s) - before; n > maxAddedCandidates {
		t.Errorf("ICE holds %d more of the peer's candidates, want at most %d", n, maxAddedCandidates)
	}
	if want := "of the peer's candidates dropped"; !strings.Contains(logsText(logs), want) {
		t.Errorf("the log does not say %q", want)
	}
}

func logsText(l *testLogs) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// remoteCandidates counts the remote candidates ICE knows.
func remoteCandidates(s *peer) int {
	n := 0
	for _, st := range s.pc.GetStats() {
		if c, ok := st.(webrtc.ICECandidateStats); ok && c.Type == webrtc.StatsTypeRemoteCandidate {
			n++
		}
	}
	return n
}

// countChecks counts the STUN binding requests that reach conn.
func countChecks(conn *net.UDPConn, n *atomic.Int32) {
	buf := make([]byte, 1500)
	for {
		k, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if k >= 20 && buf[0] == 0 && buf[1] == 1 {
			n.Add(1)
		}
	}
}

// TestPeerOpensUnknownChannels has a hostile peer open a channel whose
// label pigeon does not use, and write into it, and one for a file: the
// first is closed at once and never handed on, the second is.
func TestPeerOpensUnknownChannels(t *testing.T) {
	logs := newTestLogs(t)
	taken := make(chan string, 4)
	s := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) {
		o.LoggerFactory = logs.factory(Caller)
	})
	s.OnDataChannel(func(dc *webrtc.DataChannel) { taken <- dc.Label() })
	h := hostilePeer(t, s)
	evil, err := h.Open("evil")
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	evil.OnClose(func() { close(closed) })
	evil.OnOpen(func() { _ = evil.SendText(strings.Repeat("x", 60000)) })
	if _, err := h.Open(transfer.Label); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the unknown channel is still open")
	}
	select {
	case label := <-taken:
		if label != transfer.Label {
			t.Fatalf("the session handed on a %q channel", label)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the file channel was never handed on")
	}
	if want := `closed a data channel the peer opened with the label "evil"`; !strings.Contains(logsText(logs), want) {
		t.Errorf("the log does not say %q", want)
	}
	select {
	case label := <-taken:
		t.Errorf("the session handed on a %q channel too", label)
	default:
	}
}

// TestRenegotiationFailureIsTold has a peer send, over the negotiation
// channel, an offer that cannot be applied: the call goes on, and the
// failure is in the log and told to OnError, which a front end shows.
func TestRenegotiationFailureIsTold(t *testing.T) {
	logs := newTestLogs(t)
	s := newPeer(t, Callee, nil, 10*time.Second, func(o *Options) {
		o.LoggerFactory = logs.factory(Callee)
	})
	failed := make(chan error, 1)
	s.OnError(func(err error) { failed <- err })
	h := calltest.HostileOffers(t, s)
	waitReady(t, "pigeon", s)
	bad := map[string]any{"description": map[string]string{"type": "offer", "sdp": "v=0\r\nnot a session\r\n"}}
	if err := h.Send(hostile.Negotiate, bad); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-failed:
		if !errors.Is(err, ErrRenegotiation) || !strings.Contains(err.Error(), "applying the peer's offer") {
			t.Errorf("OnError was told %v, want ErrRenegotiation applying the peer's offer", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnError was never told")
	}
	if !strings.Contains(logsText(logs), "the change to the call could not be negotiated: applying the peer's offer") {
		t.Errorf("the log does not say the renegotiation failed:\n%s", logsText(logs))
	}
	select {
	case <-s.Done():
		t.Fatalf("the call ended: %v", s.Wait())
	default:
	}
}
