package control

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

func TestDescribeAddresses(t *testing.T) {
	sdp := func(cands ...string) offline.Signal {
		s := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:actpass\r\n"
		for _, c := range cands {
			s += "a=" + c + "\r\n"
		}
		return offline.Signal{Kind: offline.Offer, SDP: s}
	}
	for _, tt := range []struct {
		sig            offline.Signal
		reveals, peers string
	}{
		{sdp("candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host", "candidate:1 2 udp 2130706430 192.168.1.5 5000 typ host",
			"candidate:2 1 udp 1694498815 203.0.113.9 6000 typ srflx"),
			"this offer reveals 192.168.1.5 (LAN), 203.0.113.9 (public, srflx)",
			"the peer's offer points to 192.168.1.5:5000 (LAN), 203.0.113.9:6000 (public)"},
		{sdp("candidate:1 1 udp 2130706431 0b5e6f4c-4e5a-4a28-9c2b-3a1f0e7d9c11.local 5000 typ host"),
			"this offer reveals no IP address, only mDNS names",
			"the peer's offer points to 0b5e6f4c-4e5a-4a28-9c2b-3a1f0e7d9c11.local:5000 (mDNS name)"},
		{sdp("candidate:1 1 udp 2130706431 fe80::1 5000 typ host", "candidate:1 1 udp 2130706431 100.64.0.7 5001 typ host"),
			"this offer reveals fe80::1 (link-local), 100.64.0.7 (shared)",
			"the peer's offer points to [fe80::1]:5000 (link-local), 100.64.0.7:5001 (shared)"},
		// Chromium's TCP candidates: the passive one may be reached, the
		// active one only connects out (to "port 9").
		{sdp("candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host",
			"candidate:2 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active generation 0",
			"candidate:3 1 tcp 1518214911 192.168.1.5 5002 typ host tcptype passive"),
			"this offer reveals 192.168.1.5 (LAN)",
			"the peer's offer points to 192.168.1.5:5000 (LAN), 192.168.1.5:5002 (LAN)"},
		// The same candidate in two media sections is one address.
		{sdp("candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host", "candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host"),
			"this offer reveals 192.168.1.5 (LAN)", "the peer's offer points to 192.168.1.5:5000 (LAN)"},
		{sdp("candidate:2 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active"),
			"this offer reveals 192.168.1.5 (LAN)", "the peer's offer gives no address: it must reach this side first"},
		{sdp(), "this offer reveals no address", "the peer's offer gives no address: it must reach this side first"},
	} {
		if got := DescribeReveals(tt.sig); got != tt.reveals {
			t.Errorf("DescribeReveals = %q, want %q", got, tt.reveals)
		}
		if got := DescribePeerAddresses(tt.sig); got != tt.peers {
			t.Errorf("DescribePeerAddresses = %q, want %q", got, tt.peers)
		}
	}
}

// TestInspect checks that Inspect tells a restart code from the other
// codes by its first line, and refuses a code cut short.
func TestInspect(t *testing.T) {
	code, err := offline.EncodeRestart(offline.Restart{Call: []byte{1, 2, 3, 4},
		Candidates: []string{"candidate:1 1 udp 2130706431 10.0.0.7 5000 typ host"}})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Inspect(&out, strings.NewReader(code+"\nthe next line is not read\n"), time.Now(), 0, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "restart code") || !strings.Contains(out.String(), "10.0.0.7:5000") {
		t.Errorf("Inspect of a restart code wrote:\n%s", out.String())
	}
	if err := Inspect(io.Discard, strings.NewReader(code[:len(code)-4]), time.Now(), 0, ""); !errors.Is(err, offline.ErrTruncated) {
		t.Errorf("a restart code cut short: %v, want ErrTruncated", err)
	}
	if err := Inspect(io.Discard, strings.NewReader("pg4o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P"), time.Now(), 0, ""); err == nil {
		t.Error("a compact offer cut short was read")
	}
}
