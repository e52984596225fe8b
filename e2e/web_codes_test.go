package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/scan"
)

// The page's codes (web/codes.js) are a port of the offline package: these
// tests run them in Chromium against the Go codec, both ways.

var updateWebFixtures = flag.Bool("update-web-fixtures", false, "rewrite testdata/web-codes.json from the Go codec")

// codeFixture is a description with the code the Go codec makes of it.
type codeFixture struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	SDP     string `json:"sdp"`
	Created int64  `json:"created"`
	// AnswersTo, in an answer, is the digest of its offer in hexadecimal.
	AnswersTo string `json:"answersTo,omitempty"`
	Code      string `json:"code"`
	Rebuilt   string `json:"rebuilt,omitempty"` // the SDP the code decodes into
	// Legacy marks a compact code of an older version, which carried no
	// ICE secret: Go and the page refuse it as such.
	Legacy bool `json:"legacy,omitempty"`
}

// signal is the fixture as the Go codec takes it.
func (f codeFixture) signal(t *testing.T) offline.Signal {
	t.Helper()
	s := offline.Signal{Kind: kindOf(f.Type), SDP: f.SDP, Created: time.Unix(f.Created, 0)}
	if f.AnswersTo != "" {
		var err error
		if s.AnswersTo, err = hex.DecodeString(f.AnswersTo); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	return s
}

// jsDesc is a JavaScript function that makes the page's description of a
// fixture.
const jsDesc = `((f) => ({ type: f.type, sdp: f.sdp,
	answersTo: f.answersTo ? Uint8Array.from(f.answersTo.match(/../g), (x) => parseInt(x, 16)) : undefined }))`

// answering gives each answer among fixtures the digest of an offer, as
// the callee that writes it would.
func answering(rng *rand.Rand, fixtures []codeFixture) {
	for i := range fixtures {
		if fixtures[i].Type == "answer" && fixtures[i].AnswersTo == "" {
			fixtures[i].AnswersTo = fmt.Sprintf("%08x", rng.Uint32())
		}
	}
}

// jsResult is what the page returns for one call of its codec: a value or
// the reason it refused ("truncated", "corrupt", "newer", "older",
// "not-compact").
type jsResult struct {
	Value  string `json:"value"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// pageCodec runs one of the page's functions on many inputs at once.
func pageCodec[T any](p *page, fn string, inputs []T) []jsResult {
	p.t.Helper()
	arg, err := json.Marshal(inputs)
	if err != nil {
		p.t.Fatal(err)
	}
	return eval[[]jsResult](p, fmt.Sprintf(`(async () => {
		const out = [];
		for (const x of %s) {
			try { out.push({ value: await (%s)(x) }); }
			catch (e) { out.push({ reason: e.reason || "", error: String(e.message || e) }); }
		}
		return out;
	})()`, arg, fn))
}

// pigeonSessions returns descriptions as pigeon's call package makes them,
// with and without media, offers and answers: what compact codes exist for.
func pigeonSessions(t *testing.T) []codeFixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []codeFixture
	for _, media := range [][2]bool{{true, true}, {false, true}, {true, false}} {
		caller := newCompactPeer(t, call.Caller, media[0])
		callee := newCompactPeer(t, call.Callee, media[1])
		offer, err := caller.Offer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		answer, err := callee.Answer(ctx, offer)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("caller media %v callee media %v", media[0], media[1])
		out = append(out,
			codeFixture{Name: name + " offer", Type: "offer", SDP: offer.SDP},
			codeFixture{Name: name + " answer", Type: "answer", SDP: answer.SDP})
		caller.Close()
		callee.Close()
	}
	return out
}

// withCandidate adds candidate lines (without "a=") before the end of the
// candidates.
func withCandidate(sdp string, lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("a=" + l + "\r\n")
	}
	return strings.Replace(sdp, "a=end-of-candidates\r\n", b.String()+"a=end-of-candidates\r\n", 1)
}

func kindOf(typ string) offline.Kind {
	if typ == "offer" {
		return offline.Offer
	}
	return offline.Answer
}

// reasonOf names a Go decoding error as the page does.
func reasonOf(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, offline.ErrTruncated):
		return "truncated"
	case errors.Is(err, offline.ErrUnsupportedVersion):
		return "newer"
	case errors.Is(err, offline.ErrOutdated):
		return "older"
	case errors.Is(err, offline.ErrNotCompact):
		return "not-compact"
	default:
		return "corrupt"
	}
}

// TestPageCompactCodesMatchGo: for pigeon's sessions, with candidates of
// every type and address family added, the page writes the very code the
// Go codec writes, reads Go's codes (and their QR text) into the very SDP
// Go rebuilds, and the Go codec reads the page's codes back.
func TestPageCompactCodesMatchGo(t *testing.T) {
	p := openPage(t)
	rng := rand.New(rand.NewPCG(9, 9))
	var fixtures []codeFixture
	for i, s := range pigeonSessions(t) {
		created := time.Date(2026, 1, 2, 3, 4, 5+i, 0, time.UTC).Unix()
		variants := []struct{ name, sdp string }{
			{"", s.SDP},
			{" random candidates", addCandidates(t, rng, s.SDP)},
			{" more random candidates", addCandidates(t, rng, addCandidates(t, rng, s.SDP))},
			{" odd addresses", withCandidate(s.SDP,
				// Written long, printed short: the template writes Go's form.
				"candidate:1 1 udp 2130706431 2001:db8:0:0:1:0:0:1 40000 typ host",
				"candidate:1 2 udp 2130706430 2001:db8:0:0:1:0:0:1 40000 typ host",
				"candidate:2 1 udp 2130706431 ::ffff:198.51.100.7 40001 typ host",
				"candidate:3 1 udp 1694498815 fe80::1:2:3:4 40002 typ srflx raddr 0.0.0.0 rport 0",
				"candidate:4 1 udp 1023 192.0.2.200 3478 typ relay",
				"candidate:5 1 udp 511 2001:db8::ffff:0:1 3479 typ relay",
			)},
			// A host under an mDNS name, as pigeon --hide-ips writes it.
			{" an mDNS name", withCandidate(s.SDP,
				"candidate:6 1 udp 2130706431 3c7c4f6e-1b1e-4a36-9a7e-1d2b3c4d5e6f.local 40003 typ host",
				"candidate:6 2 udp 2130706430 3c7c4f6e-1b1e-4a36-9a7e-1d2b3c4d5e6f.local 40003 typ host",
			)},
		}
		for _, v := range variants {
			fixtures = append(fixtures, codeFixture{Name: s.Name + v.name, Type: s.Type, SDP: v.sdp, Created: created})
		}
	}
	answering(rng, fixtures)
	for i := range fixtures {
		f := &fixtures[i]
		code, err := offline.EncodeAs(f.signal(t), offline.FormatCompact)
		if err != nil {
			t.Fatalf("%s: Go writes no compact code: %v", f.Name, err)
		}
		f.Code = code
	}

	// The page encodes as Go does.
	encoded := pageCodec(p, `(f) => pigeon.codes.encodeCompact(`+jsDesc+`(f), f.created)`, fixtures)
	for i, f := range fixtures {
		if encoded[i].Value != f.Code {
			t.Errorf("%s: the page writes %q (%s), Go %q", f.Name, encoded[i].Value, encoded[i].Error, f.Code)
		}
	}

	// The page decodes Go's codes and their QR text as Go does.
	var texts []string
	for _, f := range fixtures {
		texts = append(texts, f.Code, offline.QRText(f.Code))
	}
	decoded := pageCodec(p, `(text) => pigeon.codes.decode(text).then((d) =>
		d.type + " " + d.format + " " + Array.from(d.answersTo || [], (b) => b.toString(16).padStart(2, "0")).join("") + "\n" + d.sdp)`, texts)
	for i, text := range texts {
		s, err := offline.Decode(text)
		if err != nil {
			t.Fatalf("Go does not decode %q: %v", text, err)
		}
		if want := fmt.Sprintf("%s compact %x\n%s", s.Kind, s.AnswersTo, s.SDP); decoded[i].Value != want {
			t.Errorf("the page decodes %q into\n%s (%s)\nGo into\n%s", text, decoded[i].Value, decoded[i].Error, want)
		}
	}

	// The QR text is Go's, and Go reads the page's codes.
	var codes []string
	for _, f := range fixtures {
		codes = append(codes, f.Code)
	}
	qr := pageCodec(p, `(code) => pigeon.codes.qrText(code)`, codes)
	for i, code := range codes {
		if want := offline.QRText(code); qr[i].Value != want {
			t.Errorf("the page's QR text of %q is %q, Go's %q", code, qr[i].Value, want)
		}
		if s, err := offline.Decode(qr[i].Value); err != nil || s.SDP != strings.SplitN(decoded[2*i].Value, "\n", 2)[1] {
			t.Errorf("Go decodes the page's QR text %q with %v into another SDP", qr[i].Value, err)
		}
	}
	t.Logf("%d sessions: the page and Go write and read the same compact codes", len(fixtures))
}

// chromeSDP returns an offer of the page's Chromium, or its answer to
// offer: sessions that are not pigeon's.
func chromeSDP(p *page, offer string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(async () => {
		const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
		const offer = %q;
		if (offer) {
			await pc.setRemoteDescription({ type: "offer", sdp: offer });
		} else {
			pc.addTransceiver("audio"); pc.addTransceiver("video");
			pc.createDataChannel("chat", { negotiated: true, id: 0 });
		}
		await pc.setLocalDescription();
		await new Promise((done) => {
			if (pc.iceGatheringState === "complete") done();
			pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && done();
			setTimeout(done, 5000);
		});
		const sdp = pc.localDescription.sdp;
		pc.close();
		return sdp;
	})()`, offer))
}

// TestPageRefusesWhatGoRefuses: sessions a compact code cannot carry, a
// browser's first, are refused by the page as by Go, and the page then
// writes the full form, which Go reads.
func TestPageRefusesWhatGoRefuses(t *testing.T) {
	p := openPage(t)
	sessions := pigeonSessions(t)
	offer, answer := sessions[0].SDP, sessions[1].SDP
	hostLine := func(sdp string) string {
		for _, l := range strings.Split(sdp, "\r\n") {
			if strings.HasPrefix(l, "a=candidate:") && strings.Contains(l, " 1 udp ") {
				return l
			}
		}
		t.Fatalf("no candidate in\n%s", sdp)
		return ""
	}
	withoutCandidates := func(sdp string) string {
		var kept []string
		for _, l := range strings.SplitAfter(sdp, "\r\n") {
			if !strings.HasPrefix(l, "a=candidate:") {
				kept = append(kept, l)
			}
		}
		return strings.Join(kept, "")
	}
	var many []string
	for i := range 17 {
		many = append(many, fmt.Sprintf("candidate:1 1 udp 2130706431 192.0.2.%d 4000 typ host", i+1))
	}
	cases := []codeFixture{
		{Name: "Chromium's offer", Type: "offer", SDP: chromeSDP(p, "")},
		{Name: "Chromium's answer to pigeon", Type: "answer", SDP: chromeSDP(p, offer)},
		{Name: "LF line ends", Type: "offer", SDP: strings.ReplaceAll(offer, "\r\n", "\n")},
		{Name: "an offer called an answer", Type: "answer", SDP: offer},
		{Name: "a TCP candidate", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active")},
		{Name: "a zone", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 fe80::1%eth0 4000 typ host")},
		{Name: "a multicast address", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 239.1.2.3 4000 typ host")},
		{Name: "a mapped multicast address", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 ::ffff:224.0.0.1 4000 typ host")},
		{Name: "an unspecified address", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 :: 4000 typ host")},
		{Name: "a leading zero", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 192.0.2.01 4000 typ host")},
		{Name: "an mDNS name in capitals", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 3C7C4F6E-1B1E-4A36-9A7E-1D2B3C4D5E6F.local 4000 typ host")},
		{Name: "an mDNS name of a server-reflexive candidate", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 1694498815 3c7c4f6e-1b1e-4a36-9a7e-1d2b3c4d5e6f.local 4000 typ srflx")},
		{Name: "a name that is no UUID", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 printer.local 4000 typ host")},
		{Name: "an answer that names no offer", Type: "answer", SDP: answer, AnswersTo: "-"},
		{Name: "an offer that names one", Type: "offer", SDP: offer, AnswersTo: "01020304"},
		{Name: "port 0", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706431 192.0.2.1 0 typ host")},
		{Name: "another priority", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 2130706430 192.0.2.1 4000 typ host")},
		{Name: "a relay's unknown priority", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp 1279 192.0.2.1 4000 typ relay")},
		{Name: "a malformed candidate", Type: "offer", SDP: withCandidate(offer, "candidate:1 1 udp x 192.0.2.1 4000 typ host")},
		{Name: "17 candidates", Type: "offer", SDP: withCandidate(withoutCandidates(offer), many...)},
		{Name: "no candidate", Type: "offer", SDP: withoutCandidates(offer)},
		{Name: "a component 3", Type: "offer", SDP: withCandidate(offer, strings.Replace(hostLine(offer)[2:], " 1 udp ", " 3 udp ", 1))},
		{Name: "another ufrag", Type: "answer", SDP: strings.Replace(answer, "a=ice-ufrag:", "a=ice-ufrag:x", 1)},
		{Name: "a second fingerprint", Type: "offer", SDP: strings.Replace(offer, "a=extmap-allow-mixed\r\n", "a=extmap-allow-mixed\r\na=fingerprint:sha-256 "+strings.Repeat("AB:", 31)+"AB\r\n", 1)},
		{Name: "a SHA-1 fingerprint", Type: "offer", SDP: strings.Replace(offer, "a=fingerprint:sha-256 ", "a=fingerprint:sha-1 ", 1)},
		{Name: "a fingerprint in lower case", Type: "offer", SDP: lowerFingerprint(offer)},
		{Name: "an extra attribute", Type: "offer", SDP: strings.Replace(offer, "a=rtcp-rsize\r\n", "a=rtcp-rsize\r\na=ptime:20\r\n", 1)},
		{Name: "another codec", Type: "offer", SDP: strings.Replace(offer, "opus/48000/2", "opus/48000/1", 1)},
		{Name: "no direction", Type: "offer", SDP: strings.Replace(offer, "a=sendrecv\r\n", "", 1)},
		{Name: "a setup of active in an offer", Type: "offer", SDP: strings.ReplaceAll(offer, "a=setup:actpass", "a=setup:active")},
		{Name: "four sections", Type: "offer", SDP: offer + "m=text 9 RTP/AVP 98\r\n"},
		{Name: "a control character", Type: "offer", SDP: strings.Replace(offer, "s=-", "s=-\x01", 1)},
	}
	// Every answer names an offer, but the one that must not: each case is
	// refused for what its name says.
	answering(rand.New(rand.NewPCG(1, 1)), cases)
	for i := range cases {
		if cases[i].AnswersTo == "-" {
			cases[i].AnswersTo = ""
		}
	}
	for _, c := range cases {
		s := c.signal(t)
		s.Created = time.Unix(1e9, 0)
		_, err := offline.EncodeAs(s, offline.FormatCompact)
		if !errors.Is(err, offline.ErrNotCompact) {
			t.Errorf("%s: Go writes a compact code (%v): the case is wrong", c.Name, err)
		}
	}
	got := pageCodec(p, `(f) => pigeon.codes.encodeCompact(`+jsDesc+`(f), 1e9)`, cases)
	for i, c := range cases {
		if got[i].Reason != "not-compact" {
			t.Errorf("%s: the page writes %q (%s %s), want a refusal", c.Name, got[i].Value, got[i].Reason, got[i].Error)
		}
	}

	// In "auto" and "compact" the page falls back to the full form, which
	// Go reads, and says why.
	// An answer's full code names its offer as Go reads it (the DEFLATE
	// streams of the browser and of Go differ, not what they hold).
	full := pageCodec(p, `(f) => pigeon.codes.encode(`+jsDesc+`(f), "compact").then((r) => r.format + " " + (r.why ? "why " : "") + r.code)`, cases[:2])
	for i, c := range cases[:2] {
		fields := strings.Fields(full[i].Value)
		if len(fields) != 3 || fields[0] != "full" || fields[1] != "why" {
			t.Errorf("%s: the page writes %q, want the full form and why", c.Name, full[i].Value)
			continue
		}
		s, err := offline.Decode(fields[2])
		if err != nil || s.SDP != c.SDP || s.Format != offline.FormatFull || hex.EncodeToString(s.AnswersTo) != c.AnswersTo {
			t.Errorf("%s: Go reads the page's full code %q as %v naming %x, %v", c.Name, fields[2], s.Format, s.AnswersTo, err)
		}
	}
}

// lowerFingerprint writes the fingerprint of sdp in lower case, which the
// template does not.
func lowerFingerprint(sdp string) string {
	lines := strings.Split(sdp, "\r\n")
	for i, l := range lines {
		if v, ok := strings.CutPrefix(l, "a=fingerprint:sha-256 "); ok {
			lines[i] = "a=fingerprint:sha-256 " + strings.ToLower(v)
		}
	}
	return strings.Join(lines, "\r\n")
}

// TestPageReadsDamagedCodesAsGo: codes cut short or changed anywhere, as
// text and as QR text, are read or refused by the page as by Go, for the
// same reason (cut, damaged, newer, older), so the page tells a person the
// same.
func TestPageReadsDamagedCodesAsGo(t *testing.T) {
	p := openPage(t)
	sessions := pigeonSessions(t)
	var originals []string
	answering(rand.New(rand.NewPCG(2, 2)), sessions)
	for _, s := range sessions[:2] {
		compact := s
		compact.SDP = withCandidate(s.SDP, "candidate:2 1 udp 2130706431 2001:db8::7 40001 typ host",
			"candidate:3 1 udp 2130706431 3c7c4f6e-1b1e-4a36-9a7e-1d2b3c4d5e6f.local 40002 typ host")
		code, err := offline.EncodeAs(compact.signal(t), offline.FormatCompact)
		if err != nil {
			t.Fatal(err)
		}
		full, err := offline.EncodeAs(s.signal(t), offline.FormatFull)
		if err != nil {
			t.Fatal(err)
		}
		// Of a full code, only its start, cut.
		originals = append(originals, code, offline.QRText(code), full[:60]+"~", offline.QRText(full)[:80]+"~")
	}
	// The codes of versions 2 and 3, which are refused.
	for _, f := range loadWebFixtures(t) {
		if f.Legacy {
			originals = append(originals, f.Code, offline.QRText(f.Code))
		}
	}
	rng := rand.New(rand.NewPCG(3, 3))
	var texts []string
	for _, code := range originals {
		code = strings.TrimSuffix(code, "~")
		for n := 6; n < len(code); n++ {
			texts = append(texts, code[:n])
		}
		if strings.HasPrefix(strings.ToLower(code), "pg1") {
			continue
		}
		for i := 0; i < len(code); i++ {
			for range 2 {
				b := []byte(code)
				b[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_$%*+./:"[rng.IntN(71)]
				texts = append(texts, string(b))
			}
		}
		// The version changed: to a newer one, a leading zero, an older
		// compact one, the current one.
		texts = append(texts, code+"A", code+"AB", code[:2]+"5"+code[3:], code[:2]+"0"+code[2:], code[:2]+"3"+code[3:], code[:2]+"4"+code[3:])
	}
	got := pageCodec(p, `(text) => pigeon.codes.decode(text).then((d) =>
		Array.from(d.answersTo || [], (b) => b.toString(16).padStart(2, "0")).join("") + "\n" + d.sdp)`, texts)
	mismatches := 0
	for i, text := range texts {
		s, err := offline.Decode(text)
		want := reasonOf(err)
		if strings.HasPrefix(strings.ToLower(text), "pg1") && want != "" && got[i].Reason != "" {
			// The browser's inflater does not tell a cut stream from a
			// damaged one: the page refuses, and says it may be either.
			continue
		}
		if got[i].Reason != want || (err == nil && got[i].Value != fmt.Sprintf("%x\n%s", s.AnswersTo, s.SDP)) {
			mismatches++
			if mismatches <= 10 {
				t.Errorf("%q: the page says %q (%s), Go %q (%v)", text, got[i].Reason, got[i].Error, want, err)
			}
		}
	}
	if mismatches > 0 {
		t.Fatalf("%d of %d damaged codes read differently", mismatches, len(texts))
	}
	t.Logf("%d damaged codes read alike", len(texts))
}

// webCodesFile holds fixed codes with the sessions they were made of and
// decode into: if the Go codec changes its format, this test fails until
// web/codes.js follows and the file is rewritten with -update-web-fixtures.
var webCodesFile = filepath.Join("testdata", "web-codes.json")

// loadWebFixtures reads webCodesFile.
func loadWebFixtures(t *testing.T) []codeFixture {
	t.Helper()
	b, err := os.ReadFile(webCodesFile)
	if err != nil {
		t.Fatal(err)
	}
	var fixtures []codeFixture
	if err := json.Unmarshal(b, &fixtures); err != nil {
		t.Fatalf("%s: %v", webCodesFile, err)
	}
	return fixtures
}

// TestCompactFormatFixtures: the fixed codes are still what both the Go
// codec and the page write and read; those of older versions, what both
// refuse as such.
func TestCompactFormatFixtures(t *testing.T) {
	if *updateWebFixtures {
		sessions := pigeonSessions(t)
		fresh := []codeFixture{sessions[0], sessions[1], sessions[2]}
		// The codes of older versions, and of older pion's sessions
		// (named for them), stay: both codecs must still read them.
		var fixtures []codeFixture
		for _, f := range loadWebFixtures(t) {
			if !slices.ContainsFunc(fresh, func(n codeFixture) bool { return n.Name == f.Name }) {
				fixtures = append(fixtures, f)
			}
		}
		fresh[2].SDP = withCandidate(fresh[2].SDP,
			"candidate:1 1 udp 1694498815 2001:db8::5 40000 typ srflx",
			"candidate:2 1 udp 1023 192.0.2.9 3478 typ relay",
			"candidate:3 1 udp 2130706431 3c7c4f6e-1b1e-4a36-9a7e-1d2b3c4d5e6f.local 40001 typ host")
		answering(rand.New(rand.NewPCG(5, 1)), fresh)
		for i := range fresh {
			f := &fresh[i]
			f.Created = time.Date(2026, 11, 22, 12, 0, i, 0, time.UTC).Unix()
			code, err := offline.EncodeAs(f.signal(t), offline.FormatCompact)
			if err != nil {
				t.Fatal(err)
			}
			s, err := offline.Decode(code)
			if err != nil {
				t.Fatal(err)
			}
			f.Code, f.Rebuilt = code, s.SDP
		}
		b, err := json.MarshalIndent(append(fixtures, fresh...), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(webCodesFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fixtures := loadWebFixtures(t)
	const changed = "the compact format changed: port the change to web/codes.js, then rewrite %s with go test ./e2e -run TestCompactFormatFixtures -update-web-fixtures"
	legacy := 0
	for _, f := range fixtures {
		if f.Legacy {
			legacy++
			if _, err := offline.Decode(f.Code); !errors.Is(err, offline.ErrOutdated) {
				t.Errorf("%s: Go decodes %q with %v, want ErrOutdated", f.Name, f.Code, err)
			}
			continue
		} else if code, err := offline.EncodeAs(f.signal(t), offline.FormatCompact); err != nil || code != f.Code {
			t.Errorf("%s: Go now writes %q (%v), not %q: "+changed, f.Name, code, err, f.Code, webCodesFile)
		}
		s, err := offline.Decode(f.Code)
		if err != nil || s.SDP != f.Rebuilt || hex.EncodeToString(s.AnswersTo) != f.AnswersTo {
			t.Errorf("%s: Go now decodes %q differently (%v): "+changed, f.Name, f.Code, err, webCodesFile)
		}
	}
	if legacy == 0 || legacy == len(fixtures) {
		t.Errorf("%s holds %d codes of an older version among %d: want both kinds", webCodesFile, legacy, len(fixtures))
	}

	p := openPage(t)
	encoded := pageCodec(p, `(f) => pigeon.codes.encodeCompact(`+jsDesc+`(f), f.created)`, fixtures)
	decoded := pageCodec(p, `(f) => pigeon.codes.decode(f.code).then((d) =>
		Array.from(d.answersTo || [], (b) => b.toString(16).padStart(2, "0")).join("") + "\n" + d.sdp)`, fixtures)
	for i, f := range fixtures {
		if f.Legacy {
			if decoded[i].Reason != "older" {
				t.Errorf("%s: the page decodes %q with %q (%s), want a refusal as older", f.Name, f.Code, decoded[i].Reason, decoded[i].Error)
			}
			continue
		}
		if encoded[i].Value != f.Code {
			t.Errorf("%s: the page writes %q (%s), want %q", f.Name, encoded[i].Value, encoded[i].Error, f.Code)
		}
		if want := f.AnswersTo + "\n" + f.Rebuilt; decoded[i].Value != want {
			t.Errorf("%s: the page decodes %q into\n%s (%s)\nwant\n%s", f.Name, f.Code, decoded[i].Value, decoded[i].Error, want)
		}
	}
}

// TestPageSplitsCodesAsPigeon: the page cuts a long code into the parts
// pigeon's scanner reads (scan.Split), and puts pigeon's parts back
// together in any order, as scan.Assembler does.
func TestPageSplitsCodesAsPigeon(t *testing.T) {
	p := openPage(t)
	s := pigeonSessions(t)[0]
	full, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: s.SDP}, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: s.SDP}, offline.FormatCompact)
	if err != nil {
		t.Fatal(err)
	}
	type split struct {
		Code string `json:"code"`
		Size int    `json:"size"`
	}
	var cases []split
	for _, size := range []int{40, 100, 250, 1000, 5000} {
		cases = append(cases, split{full, size}, split{compact, size})
	}
	cases = append(cases, split{strings.Repeat(full, 4), 100}) // more than 16 parts' worth
	got := eval[[][]string](p, fmt.Sprintf(`%s.map((c) => pigeon.codes.splitParts(c.code, c.size))`, mustJSON(t, cases)))
	for i, c := range cases {
		want := scan.Split(c.Code, c.Size)
		if strings.Join(got[i], "\n") != strings.Join(want, "\n") {
			t.Errorf("parts of %d characters of %.10q: the page makes %d, pigeon %d:\n%q\n%q", c.Size, c.Code, len(got[i]), len(want), got[i], want)
		}
	}

	// Out of order, with repeats, a stray part of another code first, and
	// a whole code among them.
	parts := scan.Split(full, 100)
	stream := []string{"P1/3:XYZ", parts[3], parts[0], parts[3]}
	for i := len(parts) - 1; i >= 0; i-- {
		stream = append(stream, parts[i])
	}
	stream = append(stream, compact)
	results := eval[[]*string](p, fmt.Sprintf(`(() => { const a = new pigeon.codes.Assembler(); return %s.map((t) => a.add(t)); })()`, mustJSON(t, stream)))
	var asm scan.Assembler
	for i, text := range stream {
		want, done := asm.Add(text)
		switch {
		case done && (results[i] == nil || *results[i] != want):
			t.Errorf("after %.12q the page has %v, pigeon %.20q", text, results[i], want)
		case !done && results[i] != nil:
			t.Errorf("after %.12q the page has %.20q, pigeon nothing yet", text, *results[i])
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPageHashesAsGo: the page's SHA-256 in plain JavaScript, for pages on
// plain http that have no crypto.subtle, gives the published test vectors
// (FIPS 180-2 and NIST's examples) and Go's sums across block boundaries;
// and the digest of an offer, with Web Crypto and without, is Go's
// OfferDigest.
func TestPageHashesAsGo(t *testing.T) {
	p := openPage(t)
	vectors := map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq":                                                         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu": "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	}
	var inputs []string
	for in := range vectors {
		inputs = append(inputs, in)
	}
	for _, n := range []int{1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70000} {
		inputs = append(inputs, strings.Repeat("é", n/2)+strings.Repeat("x", n%2))
	}
	got := pageCodec(p, `(s) => Array.from(pigeon.codes.sha256(new TextEncoder().encode(s)), (b) => b.toString(16).padStart(2, "0")).join("")`, inputs)
	for i, in := range inputs {
		sum := sha256.Sum256([]byte(in))
		want := hex.EncodeToString(sum[:])
		if v, ok := vectors[in]; ok && v != want {
			t.Fatalf("Go's SHA-256 of %q is not the published %s: the vector is wrong", in, v)
		}
		if got[i].Value != want {
			t.Errorf("the page's SHA-256 of %d bytes %.20q is %s (%s), want %s", len(in), in, got[i].Value, got[i].Error, want)
		}
	}
	t.Logf("%d SHA-256 sums alike, %d of them published vectors", len(inputs), len(vectors))

	var offers []string
	for _, s := range pigeonSessions(t) {
		if s.Type == "offer" {
			offers = append(offers, s.SDP)
		}
	}
	offers = append(offers, chromeSDP(p, ""))
	if !eval[bool](p, `!!(window.crypto && crypto.subtle)`) {
		t.Fatal("the test page has no crypto.subtle: the digest with Web Crypto is not tested")
	}
	for _, subtle := range []string{"undefined", "null"} {
		digests := pageCodec(p, `(sdp) => pigeon.codes.offerDigest(sdp, `+subtle+`).then((d) => Array.from(d, (b) => b.toString(16).padStart(2, "0")).join(""))`, offers)
		for i, sdp := range offers {
			want := hex.EncodeToString(offline.OfferDigest(offline.Signal{Kind: offline.Offer, SDP: sdp}))
			if digests[i].Value != want {
				t.Errorf("crypto.subtle %s: the page's digest of offer %d is %q (%s), Go's %s", subtle, i, digests[i].Value, digests[i].Error, want)
			}
		}
	}
}

// TestPageMarksJSONAsGo: the page and Go write pigeon's mark in a JSON code
// alike, each reads the other's as a pigeon's with the SDP it was made
// from, and neither takes a JSON code without the mark for a pigeon's.
func TestPageMarksJSONAsGo(t *testing.T) {
	p := openPage(t)
	sessions := pigeonSessions(t)
	sessions = append(sessions, codeFixture{Name: "Chromium's offer", Type: "offer", SDP: chromeSDP(p, "")})
	type input struct {
		codeFixture
		Pigeon bool   `json:"pigeon"`
		GoCode string `json:"goCode"`
	}
	var inputs []input
	for _, s := range sessions {
		for _, pigeon := range []bool{true, false} {
			sig := s.signal(t)
			sig.Pigeon = pigeon
			if sig.Kind == offline.Answer {
				sig.AnswersTo = nil // a digest alone says pigeon: the mark is what is tested
			}
			code, err := offline.EncodeAs(sig, offline.FormatJSON)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, input{s, pigeon, code})
		}
	}
	written := pageCodec(p, `(f) => pigeon.codes.encode({ type: f.type, sdp: f.sdp, pigeon: f.pigeon }, "json").then((r) => r.code)`, inputs)
	read := pageCodec(p, `(f) => pigeon.codes.decode(f.goCode).then((d) => d.pigeon + "\n" + d.sdp)`, inputs)
	for i, in := range inputs {
		if written[i].Value != in.GoCode {
			t.Errorf("%s (pigeon %v): the page writes %.60q (%s), Go %.60q", in.Name, in.Pigeon, written[i].Value, written[i].Error, in.GoCode)
		}
		if got, err := offline.Decode(written[i].Value); err != nil || got.Pigeon != in.Pigeon || got.SDP != in.SDP {
			t.Errorf("%s (pigeon %v): Go reads the page's code as pigeon %v, same SDP %v, %v", in.Name, in.Pigeon, got.Pigeon, got.SDP == in.SDP, err)
		}
		if want := fmt.Sprintf("%v\n%s", in.Pigeon, in.SDP); read[i].Value != want {
			t.Errorf("%s (pigeon %v): the page reads Go's code as %.60q (%s)", in.Name, in.Pigeon, read[i].Value, read[i].Error)
		}
	}
}
