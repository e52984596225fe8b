package offline

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

// testCall is the digest of a call between two made-up certificates.
var testCall = CallDigest(bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32))

func TestRestartRoundTrip(t *testing.T) {
	ipv4 := "candidate:3797134541 1 udp 2130706431 10.0.0.3 50000 typ host"
	ipv6 := "candidate:1131894651 1 udp 2130706431 2001:db8::7 50000 typ host"
	mdns := "candidate:2930190542 1 udp 2130706431 6f1c5a5e-4b8e-4c3a-9d0f-2b6a8c1e7d54.local 50000 typ host"
	srflx := "candidate:842163049 1 udp 1694498815 203.0.113.9 61234 typ srflx raddr 0.0.0.0 rport 0"
	relay := "candidate:1 1 udp 1023 198.51.100.4 3478 typ relay raddr 203.0.113.9 rport 61234"
	for _, tt := range []struct {
		name string
		in   Restart
		size int // characters
	}{
		{"caller, one address", Restart{Call: testCall, Candidates: []string{ipv4}}, 27},
		{"callee's reply", Restart{FromCallee: true, Reply: true, Call: testCall, Candidates: []string{ipv4, srflx}}, 36},
		{"every kind", Restart{Call: testCall, Candidates: []string{ipv4, ipv6, mdns, srflx, relay}}, 96},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, err := EncodeRestart(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(code, "pg3r.") || len(code) != tt.size {
				t.Errorf("code %q: %d characters, want %d starting pg3r.", code, len(code), tt.size)
			}
			if !IsRestartCode("> `" + code + "`") {
				t.Errorf("IsRestartCode(%q) = false", code)
			}
			got, err := DecodeRestart(wrap(code, 10, "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got.FromCallee != tt.in.FromCallee || got.Reply != tt.in.Reply || !bytes.Equal(got.Call, testCall) {
				t.Errorf("decoded %+v, want %+v", got, tt.in)
			}
			if len(got.Candidates) != len(tt.in.Candidates) {
				t.Fatalf("candidates %q, want %q", got.Candidates, tt.in.Candidates)
			}
			for i, c := range got.Candidates {
				want, _ := parseCandidate(tt.in.Candidates[i])
				have, err := parseCandidate(c)
				if err != nil || have.Address != want.Address || have.Port != want.Port || have.Type != want.Type || have.Priority != want.Priority {
					t.Errorf("candidate %d is %q, want %q", i, c, tt.in.Candidates[i])
				}
				if strings.Contains(c, "ufrag") {
					t.Errorf("candidate %q names a ufrag", c)
				}
			}
			if addrs := got.Addresses(); len(addrs) != len(tt.in.Candidates) || addrs[0].Address != "10.0.0.3" || addrs[0].Scope() != "LAN" {
				t.Errorf("Addresses() = %v, want one for each candidate, the first 10.0.0.3 (LAN)", addrs)
			}
		})
	}
}

func TestRestartLeavesOutWhatItCannotCarry(t *testing.T) {
	in := Restart{Call: testCall, Candidates: []string{
		"candidate:1 1 tcp 1671430143 10.0.0.3 9 typ host tcptype active",
		"candidate:2 2 udp 2130706430 10.0.0.3 50000 typ host",
		"candidate:3 1 udp 2130706431 10.0.0.3 50000 typ host ufrag abcd",
	}}
	code, err := EncodeRestart(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeRestart(code)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Candidates) != 1 || !strings.Contains(got.Candidates[0], "10.0.0.3 50000 typ host") {
		t.Errorf("candidates %q, want the UDP one of component 1", got.Candidates)
	}
	in.Candidates = in.Candidates[:2]
	if _, err := EncodeRestart(in); !errors.Is(err, ErrNoCandidates) {
		t.Errorf("a code with no UDP candidate: %v, want ErrNoCandidates", err)
	}
}

func TestCheckRestart(t *testing.T) {
	other := CallDigest(bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{1}, 32))
	if bytes.Equal(other, testCall) {
		t.Fatal("the digest does not depend on which side is the caller")
	}
	fromCaller := Restart{Call: testCall}
	for _, tt := range []struct {
		name   string
		call   []byte
		callee bool
		want   error
	}{
		{"the callee takes the caller's code", testCall, true, nil},
		{"another call's code", other, true, ErrRestartMismatch},
		{"the caller's own code", testCall, false, ErrOwnRestartCode},
	} {
		if err := CheckRestart(fromCaller, tt.call, tt.callee); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestDecodeRestartRefusesBadCodes(t *testing.T) {
	code, err := EncodeRestart(Restart{Call: testCall, Candidates: []string{"candidate:1 1 udp 2130706431 10.0.0.3 50000 typ host"}})
	if err != nil {
		t.Fatal(err)
	}
	offer := mustEncode(t, Offer, offerData)
	for _, tt := range []struct {
		name, text string
		want       error
	}{
		{"empty", "", ErrTruncated},
		{"prefix only", "pg3r.", ErrTruncated},
		{"cut", code[:len(code)-3], ErrTruncated},
		{"cut in the candidates", code[:14], ErrTruncated},
		{"a character changed", replaceAt(code, 12), ErrCorrupt},
		{"a character more", code + "A", ErrCorrupt},
		{"garbage", "hello there", ErrCorrupt},
		{"an offer", offer, ErrCorrupt},
		{"not base64", "pg3r.!!!!", ErrCorrupt},
		{"a newer pigeon's", "pg5r.AAAA", ErrUnsupportedVersion},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeRestart(tt.text)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeRestart(%q) = %v, want %v", tt.text, err, tt.want)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "--signal-in") {
				t.Errorf("the error %q is not one line about a restart code", msg)
			}
		})
	}
}

func TestRestartFlagsAreChecked(t *testing.T) {
	code, err := EncodeRestart(Restart{Call: testCall, Candidates: []string{"candidate:1 1 udp 2130706431 10.0.0.3 50000 typ host"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, change := range []func([]byte){
		func(p []byte) { p[0] |= 0x01 },           // a reserved bit
		func(p []byte) { p[5] |= reservedBits },   // the candidate's reserved bit
		func(p []byte) { p[5] = 0x80 | ipv6Flag }, // an IPv6 address cut short
		func(p []byte) { p[6] = 224 },             // a multicast address
		func(p []byte) { p[10], p[11] = 0, 0 },    // port 0
	} {
		p, _, _, err := decodeBase64(strings.TrimPrefix(code, "pg3r."))
		if err != nil {
			t.Fatal(err)
		}
		change(p)
		// Checksummed again, so that only the content is wrong.
		fields := p[:len(p)-checksumLen]
		p = append(slices.Clone(fields), 0, 0, 0, 0)
		sum := restartChecksum(fields)
		p[len(p)-4], p[len(p)-3], p[len(p)-2], p[len(p)-1] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
		bad := "pg3r." + base64.RawURLEncoding.EncodeToString(p)
		if _, err := DecodeRestart(bad); err == nil {
			t.Errorf("DecodeRestart(%q) took a code with a bad field", bad)
		}
	}
}
