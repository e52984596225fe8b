package offline

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInspect(t *testing.T) {
	offer := Inspect(Signal{Kind: Offer, SDP: offerFull, Format: FormatFull})
	if offer.Kind != Offer || offer.Format != FormatFull || offer.Setup != "actpass" ||
		!strings.HasPrefix(offer.Fingerprint, "sha-256 49:31:30") {
		t.Errorf("Inspect(offerFull) = %+v", offer)
	}
	var media []string
	for _, m := range offer.Media {
		media = append(media, m.String())
	}
	wantMedia := []string{
		"audio: opus, G722, PCMU, PCMA, sendrecv",
		"video: VP8, H264, H265, AV1, VP9, sendrecv",
		"data channel",
	}
	if !slices.Equal(media, wantMedia) {
		t.Errorf("media:\n%q\nwant\n%q", media, wantMedia)
	}
	var cands []string
	for _, c := range offer.Candidates {
		cands = append(cands, c.String())
	}
	wantCands := []string{"host 192.0.2.2:54599 (udp)", "host [fd00::2]:46452 (udp)", "srflx 203.0.113.57:54599 (udp)"}
	if !slices.Equal(cands, wantCands) {
		t.Errorf("candidates %q, want %q (component 1 only)", cands, wantCands)
	}

	answer := Inspect(Signal{Kind: Answer, SDP: pigeonAnswerReceiving})
	if answer.Setup != "active" || len(answer.Media) != 3 || answer.Media[0].String() != "audio: opus, recvonly" {
		t.Errorf("Inspect(pigeonAnswerReceiving) = %+v", answer)
	}
	rejected := Inspect(Signal{SDP: "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n"})
	if len(rejected.Media) != 1 || rejected.Media[0].String() != "video: 96, rejected" {
		t.Errorf("a rejected section shows as %+v", rejected.Media)
	}
	if d := Inspect(Signal{SDP: "hello\nm=\na=candidate:x\na=rtpmap:\n"}); len(d.Candidates) != 0 || len(d.Media) != 1 {
		t.Errorf("Inspect of garbage = %+v", d)
	}
}

func TestParseCandidate(t *testing.T) {
	c, err := parseCandidate("candidate:1242521720 1 UDP 1694498815 203.0.113.57 54599 typ srflx raddr 0.0.0.0 rport 54599")
	if err != nil || c != (Candidate{Type: "srflx", Protocol: "udp", Address: "203.0.113.57", Port: 54599, Component: 1, Priority: 1694498815}) {
		t.Errorf("parseCandidate = %+v, %v", c, err)
	}
	if !c.Reachable() {
		t.Errorf("%v is not reachable", c)
	}
	// Chromium's TCP candidates: an active one only connects out, to port 9.
	for line, reachable := range map[string]bool{
		"candidate:3 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active generation 0 network-id 1": false,
		"candidate:4 1 tcp 1518280447 192.168.1.5 50001 typ host tcptype passive":                      true,
	} {
		c, err := parseCandidate(line)
		if err != nil || c.Protocol != "tcp" || c.Reachable() != reachable {
			t.Errorf("parseCandidate(%q) = %+v, %v: reachable %v, want %v", line, c, err, c.Reachable(), reachable)
		}
	}
	for _, bad := range []string{"", "candidate:1 1 udp 1 1.2.3.4 5 host", "1 x udp 1 1.2.3.4 5 typ host", "1 1 udp 99999999999 1.2.3.4 5 typ host", "1 1 udp 1 1.2.3.4 port typ host"} {
		if _, err := parseCandidate(bad); err == nil {
			t.Errorf("parseCandidate(%q) succeeded", bad)
		}
	}
}

func TestCheckAge(t *testing.T) {
	now := created.Add(time.Hour)
	s := Signal{Kind: Offer, Created: created}
	if err := CheckAge(s, now, 2*time.Hour); err != nil {
		t.Errorf("an hour old, 2 hours allowed: %v", err)
	}
	err := CheckAge(s, now, 10*time.Minute)
	if err == nil || !strings.Contains(err.Error(), "made 1 hour ago, more than the 10 minutes allowed") {
		t.Errorf("an hour old, 10 minutes allowed: %v", err)
	}
	for _, tt := range []struct {
		s      Signal
		maxAge time.Duration
	}{
		{Signal{Kind: Offer}, time.Second}, // no time
		{s, 0},                             // no limit
		{Signal{Kind: Offer, Created: now.Add(time.Hour)}, time.Second}, // a clock ahead
	} {
		if err := CheckAge(tt.s, now, tt.maxAge); err != nil {
			t.Errorf("CheckAge(%v, max %v) = %v, want nil", tt.s.Created, tt.maxAge, err)
		}
	}
}

func TestFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0 seconds",
		time.Second:                           "1 second",
		59*time.Second + 600*time.Millisecond: "1 minute",
		25 * time.Minute:                      "25 minutes",
		time.Hour + 5*time.Minute:             "1 hour 5 minutes",
		3 * time.Hour:                         "3 hours",
		-90 * time.Second:                     "2 minutes",
		50 * time.Hour:                        "2 days",
	} {
		if got := FormatAge(d); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestICECredentials(t *testing.T) {
	fp := mustFingerprint(t, pigeonOffer)
	ufrag, pwd := ICECredentials(fp)
	if len(ufrag) != 16 || len(pwd) != 32 || strings.Trim(ufrag+pwd, iceChars) != "" {
		t.Errorf("ICECredentials = %q, %q: want 16 and 32 letters and digits", ufrag, pwd)
	}
	// Each session draws its own secret: a watcher who knows the
	// fingerprint cannot know them.
	if u, p := ICECredentials(fp); u == ufrag || p == pwd {
		t.Errorf("two sessions with one certificate get the same credentials %q, %q", u, p)
	}
	secret, ok := secretOf(pwd)
	if u, p := deriveCredentials(fp, secret); !ok || u != ufrag || p != pwd {
		t.Errorf("the password %q does not give back the secret it was derived from", pwd)
	}

	// The derivation is part of the format: a peer rebuilds them.
	secret = [secretLen]byte{0x3f, 0x9c, 0x1a, 0x7e, 0x5b, 0x20, 0xd8, 0x46}
	ufrag, pwd = deriveCredentials(fp, secret)
	if ufrag != "hZCxQg0Kw2qEDBGP" || pwd != "3f9c1a7e5b20d8465tSaNPnf1Df0WUCz" {
		t.Errorf("deriveCredentials = %q, %q; the derivation changed, and with it the compact format", ufrag, pwd)
	}
	fp[0] ^= 1
	if u, p := deriveCredentials(fp, secret); u == ufrag || p == pwd {
		t.Error("another fingerprint gives the same credentials")
	}
	fp[0] ^= 1
	secret[7] ^= 1
	if u, p := deriveCredentials(fp, secret); u == ufrag || p[16:] == pwd[16:] {
		t.Error("another secret gives the same credentials")
	}
}
