package offline

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	pionsdp "github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// created is the time the tests' compact codes say they were made.
var created = time.Date(2026, 11, 22, 3, 15, 4, 0, time.UTC)

// withDerivedCredentials returns sdp with its ICE credentials replaced by
// ones derived from its fingerprint and a fixed secret, as pigeon's are
// from a random one.
func withDerivedCredentials(t testing.TB, sdp string) string {
	t.Helper()
	d := Inspect(Signal{SDP: sdp})
	fp, ok := parseFingerprint(d.Fingerprint)
	if !ok {
		t.Fatalf("no SHA-256 fingerprint in %.60q", sdp)
	}
	ufrag, pwd := deriveCredentials(fp[:], [secretLen]byte{1, 2, 3, 4, 5, 6, 7, 8})
	var b strings.Builder
	for line := range strings.Lines(sdp) {
		switch {
		case strings.HasPrefix(line, "a=ice-ufrag:"):
			line = "a=ice-ufrag:" + ufrag + "\r\n"
		case strings.HasPrefix(line, "a=ice-pwd:"):
			line = "a=ice-pwd:" + pwd + "\r\n"
		case strings.HasPrefix(line, "a=candidate:"):
			i := strings.LastIndex(line, " ufrag ")
			line = line[:i] + " ufrag " + ufrag + "\r\n"
		}
		b.WriteString(line)
	}
	return b.String()
}

// withGeneration returns sdp with "generation 0" after each candidate, as
// pion v4.2.26 writes them.
func withGeneration(sdp string) string {
	var b strings.Builder
	for line := range strings.Lines(sdp) {
		if strings.HasPrefix(line, "a=candidate:") {
			line = strings.TrimSuffix(line, "\r\n") + " generation 0\r\n"
		}
		b.WriteString(line)
	}
	return b.String()
}

// pigeonSessions are the sessions of pigeon's own that must fit a compact
// code, with the profile each must get.
func pigeonSessions(t testing.TB) []struct {
	name    string
	kind    Kind
	sdp     string
	profile byte
} {
	return []struct {
		name    string
		kind    Kind
		sdp     string
		profile byte
	}{
		{"offer", Offer, pigeonOffer, 1<<setShift | 0<<2 | 0},                       // sendrecv, sendrecv
		{"answer sending", Answer, pigeonAnswerSending, 1<<setShift | 1<<2 | 1},     // sendonly, sendonly
		{"answer receiving", Answer, pigeonAnswerReceiving, 1<<setShift | 2<<2 | 2}, // recvonly, recvonly
		{"offer without TWCC", Offer, withDerivedCredentials(t, pigeonOfferNoTWCC), 0<<setShift | 0<<2 | 0},
		{"offer with cryptex", Offer, pigeonOfferCryptex, 2<<setShift | 0<<2 | 0},
		{"answer sending with cryptex", Answer, pigeonAnswerSendingCryptex, 2<<setShift | 1<<2 | 1},
		{"answer receiving with cryptex", Answer, pigeonAnswerReceivingCryptex, 2<<setShift | 2<<2 | 2},
		// pion v4.2.26 answering an older pigeon's offer declares no
		// cryptex, which the offer did not, but numbers its candidates.
		{"answer to an older offer", Answer, withGeneration(pigeonAnswerReceiving), 1<<setShift | 2<<2 | 2},
	}
}

func TestCompactPigeonSessions(t *testing.T) {
	for _, tt := range pigeonSessions(t) {
		t.Run(tt.name, func(t *testing.T) {
			in := Signal{Kind: tt.kind, SDP: tt.sdp, Created: created, AnswersTo: testAnswersTo(tt.kind)}
			code, err := EncodeAs(in, FormatCompact)
			if err != nil {
				t.Fatalf("EncodeAs(compact): %v", err)
			}
			if auto, err := Encode(in); err != nil || auto != code {
				t.Errorf("Encode = %q, %v; want the compact code %q", auto, err, code)
			}

			// The goal of the compact form: 56 bytes, 80 characters, a QR
			// code of version 4 at level M, with one IPv4 candidate.
			chars, version := Measure(code)
			payload := PayloadSize(code)
			t.Logf("%s: %d characters, %d bytes, QR version %d", code, chars, payload, version)
			if !strings.HasPrefix(code, codePrefix(compactVersion, kindLetters[tt.kind])) {
				t.Errorf("code %q has the wrong prefix", code)
			}
			// An answer names its offer in 4 bytes more, 5 characters, which
			// take its QR code to version 5.
			maxPayload, maxChars, maxVersion := 56, 80, 4
			if tt.kind == Answer {
				maxPayload, maxChars, maxVersion = 60, 85, 5
			}
			if payload > maxPayload || chars > maxChars || version > maxVersion {
				t.Errorf("%d bytes, %d characters, QR version %d: want at most %d, %d and %d", payload, chars, version, maxPayload, maxChars, maxVersion)
			}

			got, err := Decode(code)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Kind != tt.kind || got.Format != FormatCompact || !got.Created.Equal(created) {
				t.Errorf("Decode = %v %v made %v; want %v compact made %v", got.Kind, got.Format, got.Created, tt.kind, created)
			}
			if line, same := sameRebuilt(strings.Split(tt.sdp, "\r\n"), strings.Split(got.SDP, "\r\n")); !same {
				t.Errorf("the rebuilt SDP differs at %q:\n%s", line, got.SDP)
			}
			if strings.Contains(got.SDP, "a=ssrc:") || Inspect(got).Candidates[0] != Inspect(in).Candidates[0] {
				t.Errorf("rebuilt SDP has SSRCs or lost its candidate:\n%s", got.SDP)
			}
			c, err := compactFromSDP(in)
			if err != nil || c.profile != tt.profile {
				t.Errorf("profile %#x, %v; want %#x", c.profile, err, tt.profile)
			}

			// The rebuilt SDP encodes to the same code: the peer's pigeon, or
			// pigeon inspect, sees the same code.
			if again, err := EncodeAs(got, FormatCompact); err != nil || again != code {
				t.Errorf("re-encoding the rebuilt SDP = %q, %v; want %q", again, err, code)
			}

			// The QR form, and its lower-case copy, decode to the same.
			qr := QRText(code)
			if !strings.HasPrefix(qr, strings.ToUpper(codePrefix(compactVersion, kindLetters[tt.kind]))) {
				t.Errorf("QRText = %q, want the alphanumeric form", qr)
			}
			if alnum, err := Decode(qr); err != nil || alnum.SDP != got.SDP {
				t.Errorf("Decode(%q) = %v, want the same SDP", qr, err)
			}
			if alnum, err := Decode(qr[:5] + strings.ToLower(qr[5:])); err != nil || alnum.SDP != got.SDP {
				t.Errorf("Decode of the QR form with a lower-case payload: %v", err)
			}
		})
	}
}

// TestCompactCryptexFollowsTheSet checks that a code keeps what the
// session said of cryptex: a session of pion v4.2.26 is rebuilt with
// a=cryptex and numbered candidates, as pion wrote it, and an older
// pigeon's without either, so that the peer sends it no encrypted header
// extensions it could not read.
func TestCompactCryptexFollowsTheSet(t *testing.T) {
	for _, tt := range []struct {
		name    string
		kind    Kind
		sdp     string
		cryptex bool
	}{
		{"offer of pion v4.2.26", Offer, pigeonOfferCryptex, true},
		{"answer of pion v4.2.26", Answer, pigeonAnswerSendingCryptex, true},
		{"offer of an older pigeon", Offer, pigeonOffer, false},
		{"answer of pion v4.2.26 to an older pigeon", Answer, withGeneration(pigeonAnswerReceiving), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(mustCompact(t, tt.kind, tt.sdp))
			if err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(got.SDP, "\r\na=cryptex\r\n"); has != tt.cryptex {
				t.Errorf("the rebuilt SDP has a=cryptex: %v, want %v:\n%s", has, tt.cryptex, got.SDP)
			}
			candidates := 0
			for line := range strings.Lines(got.SDP) {
				if !strings.HasPrefix(line, "a=candidate:") {
					continue
				}
				candidates++
				if numbered := strings.HasSuffix(line, " generation 0\r\n"); numbered != tt.cryptex {
					t.Errorf("candidate %q numbered: %v, want %v", line, numbered, tt.cryptex)
				}
			}
			if candidates == 0 {
				t.Errorf("the rebuilt SDP has no candidate:\n%s", got.SDP)
			}
		})
	}
}

func TestCompactRefuses(t *testing.T) {
	offer := pigeonOffer
	ufrag := "hZCxQg0Kw2qEDBGP" // the fixture's
	replace := func(old, new string) string {
		if !strings.Contains(offer, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(offer, old, new, 1)
	}
	hostLine := "a=candidate:2878742611 1 udp 2130706431 127.0.0.1 43219 typ host ufrag " + ufrag + "\r\n"
	many := strings.Repeat(hostLine, maxCandidates+1)

	tests := []struct {
		name string
		kind Kind
		sdp  string
	}{
		{"a browser's offer", Offer, offerFull},
		{"pion's default codecs", Offer, offerMinimal},
		{"data channel only", Offer, offerData},
		{"random ICE credentials", Offer, pigeonOfferNoTWCC},
		{"an offer as an answer", Answer, offer},
		{"LF line endings", Offer, strings.ReplaceAll(offer, "\r\n", "\n")},
		{"another codec", Offer, replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/48000/1")},
		{"an extra line", Offer, replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=ice-options:trickle\r\n")},
		{"no end of candidates", Offer, replace("a=end-of-candidates\r\n", "")},
		{"no candidate", Offer, replace(hostLine, "")},
		{"too many candidates", Offer, replace(hostLine, many)},
		{"TCP candidate", Offer, replace(hostLine, strings.Replace(hostLine, " udp ", " tcp ", 1))},
		{"mDNS name in capitals", Offer, replace(hostLine, strings.Replace(hostLine, "127.0.0.1", "0B1D4F2E-1B8A-4F4E-9C5E-3D2A1B0C9D8E.local", 1))},
		{"mDNS name that is no UUID", Offer, replace(hostLine, strings.Replace(hostLine, "127.0.0.1", "pigeon.local", 1))},
		{"mDNS name of a server reflexive candidate", Offer, replace(hostLine, strings.Replace(strings.Replace(hostLine, "127.0.0.1", "0b1d4f2e-1b8a-4f4e-9c5e-3d2a1b0c9d8e.local", 1), "2130706431 ", "1694498815 ", 1))},
		{"unspecified address", Offer, replace(hostLine, strings.Replace(hostLine, "127.0.0.1", "0.0.0.0", 1))},
		{"port 0", Offer, replace(hostLine, strings.Replace(hostLine, " 43219 ", " 0 ", 1))},
		{"another priority", Offer, replace(hostLine, strings.Replace(hostLine, "2130706431", "2130706430", 1))},
		{"unknown candidate type", Offer, replace(hostLine, strings.Replace(hostLine, "typ host", "typ mystery", 1))},
		{"malformed candidate", Offer, replace(hostLine, "a=candidate:1 1 udp\r\n")},
		{"SHA-1 fingerprint", Offer, replace("a=fingerprint:sha-256 ", "a=fingerprint:sha-1 ")},
		{"no direction", Offer, replace("a=sendrecv\r\na=candidate", "a=candidate")},
		{"time before 1970", Offer, offer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Signal{Kind: tt.kind, SDP: tt.sdp, Created: created}
			if tt.name == "time before 1970" {
				s.Created = time.Unix(-1, 0)
			}
			code, err := EncodeAs(s, FormatCompact)
			if !errors.Is(err, ErrNotCompact) {
				t.Fatalf("EncodeAs(compact) = %q, %v; want ErrNotCompact", code, err)
			}
			t.Log(err)
			// Encode falls back to the full form, which carries anything.
			if code, err := Encode(s); err == nil && !strings.HasPrefix(code, "pg1") {
				t.Errorf("Encode = %.10q, want a full code", code)
			}
		})
	}
	if _, err := Compact.Encode(Signal{SDP: pigeonOffer}); err == nil || errors.Is(err, ErrNotCompact) {
		t.Errorf("Compact.Encode of no kind = %v, want an error that is not ErrNotCompact", err)
	}
}

func mustFingerprint(t testing.TB, sdp string) []byte {
	t.Helper()
	fp, ok := parseFingerprint(Inspect(Signal{SDP: sdp}).Fingerprint)
	if !ok {
		t.Fatal("no fingerprint")
	}
	return fp[:]
}

// randomCompact returns a compact signal with random fields: any kind, role,
// profile, time and a set of 1 to 16 candidates of any type and family. With
// documentation set, the addresses are in the ranges kept for documentation
// (RFC 5737, RFC 3849), where a test may send packets without reaching
// anyone.
func randomCompact(rng *rand.Rand, documentation bool) compactSignal {
	c := compactSignal{kind: Offer, created: rng.Uint32()}
	if rng.IntN(2) == 0 {
		c.kind, c.setup = Answer, setupRole(1+rng.IntN(2))
		c.answersTo = make([]byte, OfferDigestLen)
		for i := range c.answersTo {
			c.answersTo[i] = byte(rng.UintN(256))
		}
	}
	c.profile = byte(rng.IntN(profileCount))
	for i := range c.fingerprint {
		c.fingerprint[i] = byte(rng.UintN(256))
	}
	for i := range c.secret {
		c.secret[i] = byte(rng.UintN(256))
	}
	for range 1 + rng.IntN(maxCandidates) {
		cand := compactCandidate{typ: byte(rng.IntN(len(candidateTypes))), port: uint16(1 + rng.IntN(65535))}
		if candidateTypes[cand.typ] == "relay" {
			cand.relayPref = byte(rng.IntN(4))
		}
		// An mDNS name (--hide-ips) stands for a host's address; never
		// with documentation, whose addresses a test may send to.
		if !documentation && cand.typ == 0 && rng.IntN(3) == 0 {
			cand.hasName = true
			for i := range cand.name {
				cand.name[i] = byte(rng.UintN(256))
			}
			c.candidates = append(c.candidates, cand)
			continue
		}
		for !usableAddr(cand.addr) {
			switch v6 := rng.IntN(3) == 0; {
			case documentation && v6:
				a := netip.MustParseAddr("2001:db8::").As16()
				for i := 4; i < 16; i++ {
					a[i] = byte(rng.UintN(256))
				}
				cand.addr = netip.AddrFrom16(a)
			case documentation:
				nets := [][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}
				n := nets[rng.IntN(len(nets))]
				cand.addr = netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(1 + rng.IntN(254))})
			case v6:
				var a [16]byte
				for i := range a {
					a[i] = byte(rng.UintN(256))
				}
				cand.addr = netip.AddrFrom16(a)
			default:
				cand.addr = netip.AddrFrom4([4]byte{byte(rng.UintN(256)), byte(rng.UintN(256)), byte(rng.UintN(256)), byte(rng.UintN(256))})
			}
		}
		c.candidates = append(c.candidates, cand)
	}
	return c
}

// payloadLen is what the compact payload of c must weigh: 41 bytes, 4 more
// for an answer, and 7 for each IPv4 candidate, 19 for each IPv6 one.
func payloadLen(c compactSignal) int {
	n := compactHeaderLen + checksumLen
	if c.kind == Answer {
		n += OfferDigestLen
	}
	for _, cand := range c.candidates {
		if !cand.hasName && cand.addr.Is4() {
			n += 7
		} else {
			n += 19
		}
	}
	return n
}

func TestCompactProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 48))
	for i := range 500 {
		c := randomCompact(rng, false)
		sdp := c.sdp()
		in := Signal{Kind: c.kind, SDP: sdp, Created: time.Unix(int64(c.created), 0), AnswersTo: c.answersTo}
		code, err := EncodeAs(in, FormatCompact)
		if err != nil {
			t.Fatalf("#%d: the template's own SDP does not encode: %v\n%s", i, err, sdp)
		}
		if n := PayloadSize(code); n != payloadLen(c) {
			t.Fatalf("#%d: payload of %d bytes, want %d", i, n, payloadLen(c))
		}
		for _, text := range []string{code, QRText(code)} {
			got, err := Decode(text)
			if err != nil || got.SDP != sdp || got.Kind != c.kind || !got.Created.Equal(in.Created) || !bytes.Equal(got.AnswersTo, c.answersTo) {
				t.Fatalf("#%d: Decode(%q) = %v %v, %v; want the signal back", i, text, got.Kind, got.Created, err)
			}
		}
		var parsed pionsdp.SessionDescription
		if err := parsed.UnmarshalString(sdp); err != nil {
			t.Fatalf("#%d: pion's SDP parser refuses the rebuilt SDP: %v\n%s", i, err, sdp)
		}
		d := Inspect(in)
		if len(d.Candidates) != len(c.candidates) || len(d.Media) != 3 {
			t.Fatalf("#%d: rebuilt SDP shows %d candidates and %d media sections, want %d and 3", i, len(d.Candidates), len(d.Media), len(c.candidates))
		}
		for j, cand := range d.Candidates {
			if cand.Address != c.candidates[j].host() || cand.Priority != c.candidates[j].priority(1) {
				t.Fatalf("#%d: candidate %d is %v, want %v", i, j, cand, c.candidates[j].addr)
			}
		}
	}
}

func TestCompactSizes(t *testing.T) {
	// The sizes the issue promises, for each number of candidates.
	offer := Signal{Kind: Offer, SDP: pigeonOffer, Created: created}
	c, err := compactFromSDP(offer)
	if err != nil {
		t.Fatal(err)
	}
	v4, v6 := c.candidates[0], compactCandidate{addr: netip.MustParseAddr("2001:db8::1"), port: 50000}
	for _, tt := range []struct {
		cands           []compactCandidate
		bytes, maxChars int
		maxQR           int
	}{
		{[]compactCandidate{v4}, 56, 80, 4},
		{[]compactCandidate{v4, v4}, 63, 89, 5},
		{[]compactCandidate{v6}, 68, 96, 5},
		{[]compactCandidate{v4, v6, v4, v6}, 101, 140, 7},
	} {
		c.candidates = tt.cands
		code, err := EncodeAs(Signal{Kind: Offer, SDP: c.sdp(), Created: created}, FormatCompact)
		if err != nil {
			t.Fatal(err)
		}
		chars, version := Measure(code)
		t.Logf("%d candidates: %d bytes, %d characters, QR version %d", len(tt.cands), PayloadSize(code), chars, version)
		if PayloadSize(code) != tt.bytes || chars > tt.maxChars || version > tt.maxQR {
			t.Errorf("%d candidates: %d bytes, %d characters, QR version %d; want %d, at most %d and %d",
				len(tt.cands), PayloadSize(code), chars, version, tt.bytes, tt.maxChars, tt.maxQR)
		}
	}
}

func TestCompactAcceptedByPion(t *testing.T) {
	// pion must take a rebuilt SDP as a remote description: an offer on a
	// fresh peer connection, which then answers it, and an answer on one
	// that made an offer of the same shape.
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 24 {
		c := randomCompact(rng, true)
		if i < 2 {
			c.kind, c.setup, c.answersTo = Offer, setupActpass, nil
		}
		t.Run(fmt.Sprintf("%s %d", c.kind, i), func(t *testing.T) {
			code, err := EncodeAs(Signal{Kind: c.kind, SDP: c.sdp(), AnswersTo: c.answersTo}, FormatCompact)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(code)
			if err != nil {
				t.Fatal(err)
			}
			pc := newTestPeer(t)
			if s.Kind == Offer {
				if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: s.SDP}); err != nil {
					t.Fatalf("SetRemoteDescription(offer): %v\n%s", err, s.SDP)
				}
				if _, err := pc.CreateAnswer(nil); err != nil {
					t.Fatalf("CreateAnswer: %v", err)
				}
				return
			}
			offer, err := pc.CreateOffer(nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := pc.SetLocalDescription(offer); err != nil {
				t.Fatal(err)
			}
			if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: s.SDP}); err != nil {
				t.Fatalf("SetRemoteDescription(answer): %v\n%s", err, s.SDP)
			}
		})
	}
}

// newTestPeer returns a pion peer connection shaped like pigeon's: Opus and
// VP8 sending and receiving, and a chat channel, on loopback only.
func newTestPeer(t *testing.T) *webrtc.PeerConnection {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	for _, cap := range []webrtc.RTPCodecCapability{
		{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
		{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
	} {
		track, err := webrtc.NewTrackLocalStaticSample(cap, cap.MimeType, "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.AddTrack(track); err != nil {
			t.Fatal(err)
		}
	}
	negotiated, id := true, uint16(0)
	if _, err := pc.CreateDataChannel("chat", &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id}); err != nil {
		t.Fatal(err)
	}
	return pc
}

func TestCompactDecodeEveryPrefix(t *testing.T) {
	// As with full codes, every beginning of a compact code, and of its QR
	// form, must be told to be incomplete, so that a reader waits for the
	// rest of a wrapped code.
	for _, tt := range pigeonSessions(t) {
		code := mustCompact(t, tt.kind, tt.sdp)
		for _, text := range []string{code, QRText(code)} {
			for i := 1; i < len(text); i++ {
				if _, err := Decode(text[:i]); !errors.Is(err, ErrTruncated) {
					t.Fatalf("%s: Decode(%q) = %v, want ErrTruncated", tt.name, text[:i], err)
				}
			}
		}
	}
}

// testAnswersTo returns the digest an answer of the tests names, that of
// pigeonOffer; nil for an offer.
func testAnswersTo(kind Kind) []byte {
	if kind != Answer {
		return nil
	}
	return OfferDigest(Signal{Kind: Offer, SDP: pigeonOffer})
}

func mustCompact(t testing.TB, kind Kind, sdp string) string {
	t.Helper()
	code, err := EncodeAs(Signal{Kind: kind, SDP: sdp, Created: created, AnswersTo: testAnswersTo(kind)}, FormatCompact)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestCompactDecodeEveryChange(t *testing.T) {
	// No change of one character may give another signal: the checksum
	// covers every bit of the payload and the kind. A change may only make
	// the code corrupt, or, near its end, look cut.
	code := mustCompact(t, Offer, pigeonOffer)
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for _, text := range []string{code, QRText(code)} {
		alphabet := b64
		if strings.HasPrefix(text, "PG") {
			alphabet = alnumDigits
		}
		for i := range len(text) {
			for _, c := range alphabet + "o.a" {
				// The QR form's letters are read in either case.
				if byte(c) == text[i] || alphabet == alnumDigits && strings.EqualFold(string(c), text[i:i+1]) {
					continue
				}
				changed := text[:i] + string(c) + text[i+1:]
				s, err := Decode(changed)
				if err == nil {
					t.Fatalf("Decode(%q), one character changed, = %v %.30q", changed, s.Kind, s.SDP)
				}
				if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrUnsupportedVersion) && !errors.Is(err, ErrOutdated) {
					t.Fatalf("Decode(%q) = %v", changed, err)
				}
			}
		}
	}
}

func TestCompactDecodeErrors(t *testing.T) {
	c, err := compactFromSDP(Signal{Kind: Offer, SDP: pigeonOffer, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	// craft encodes the payload that change makes of c's, with a valid
	// checksum over it, for what Encode never makes.
	craft := func(kind Kind, change func(p []byte) []byte) string {
		p := c.marshal()
		p = change(p[:len(p)-checksumLen])
		p = append(p, 0, 0, 0, 0)
		sum := compactChecksum(kind, p[:len(p)-checksumLen])
		p[len(p)-4], p[len(p)-3], p[len(p)-2], p[len(p)-1] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
		return codePrefix(compactVersion, kindLetters[kind]) + base64.RawURLEncoding.EncodeToString(p)
	}
	good := c.marshal()
	tests := []struct {
		name string
		text string
		want error
	}{
		{"valid", craft(Offer, func(p []byte) []byte { return p }), nil},
		{"offer as an answer", craft(Answer, func(p []byte) []byte { return p }), ErrCorrupt},
		{"kind letter changed", "pg4a." + base64.RawURLEncoding.EncodeToString(good), ErrCorrupt},
		{"role 3", craft(Offer, func(p []byte) []byte { p[0] |= 3 << setupShift; return p }), ErrCorrupt},
		{"unknown profile", craft(Offer, func(p []byte) []byte { p[0] = p[0]&^profileMask | 0x3f; return p }), ErrUnsupportedVersion},
		{"reserved bits", craft(Offer, func(p []byte) []byte { p[compactHeaderLen] |= 0x04; return p }), ErrCorrupt},
		{"relay preference on a host", craft(Offer, func(p []byte) []byte { p[compactHeaderLen] |= 1 << relayShift; return p }), ErrCorrupt},
		{"port 0", craft(Offer, func(p []byte) []byte { p[compactHeaderLen+5], p[compactHeaderLen+6] = 0, 0; return p }), ErrCorrupt},
		{"address 0.0.0.0", craft(Offer, func(p []byte) []byte { copy(p[compactHeaderLen+1:], []byte{0, 0, 0, 0}); return p }), ErrCorrupt},
		{"multicast address", craft(Offer, func(p []byte) []byte { p[compactHeaderLen+1] = 224; return p }), ErrCorrupt},
		{"bytes after the last candidate", craft(Offer, func(p []byte) []byte { return append(p, 0) }), ErrCorrupt},
		{"seventeen candidates", craft(Offer, func(p []byte) []byte {
			one := p[compactHeaderLen:]
			p = p[:compactHeaderLen]
			for range maxCandidates {
				p = append(p, one[0]&^lastFlag)
				p = append(p, one[1:]...)
			}
			return append(p, one...)
		}), ErrCorrupt},
		{"version of an older pigeon", "pg3o." + base64.RawURLEncoding.EncodeToString(good), ErrOutdated},
		{"version of a newer pigeon", "pg5o." + base64.RawURLEncoding.EncodeToString(good), ErrUnsupportedVersion},
		{"checksum of another payload", "pg4o." + base64.RawURLEncoding.EncodeToString(append(good[:len(good)-1:len(good)-1], good[len(good)-1]^1)), ErrCorrupt},
		{"too much padding", "pg4o." + base64.RawURLEncoding.EncodeToString(good) + "===", ErrCorrupt},
		{"QR form, last group too large", "PG4O." + encodeAlnum(good[:len(good)-1]) + "::", ErrCorrupt},
		{"QR form, a group over 65535", "PG4O.:::" + encodeAlnum(good)[3:], ErrCorrupt},
		{"QR form, a character of no digit", "PG4O.#" + encodeAlnum(good)[1:], ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode(tt.text)
			if !errors.Is(err, tt.want) || (err == nil && s.SDP != c.sdp()) {
				t.Fatalf("Decode(%q) = %v; want %v", tt.text, err, tt.want)
			}
		})
	}
}
