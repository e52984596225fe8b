package offline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// sentinels are the errors a decoder may return for bad input; anything
// else would reach the person as an unexplained failure.
var sentinels = []error{ErrEmpty, ErrTruncated, ErrCorrupt, ErrWrongKind, ErrUnsupportedVersion, ErrOutdated}

// isSentinel reports whether err matches one of the sentinel errors.
func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// fuzzSeeds returns valid codes and the damaged forms copying produces, to
// start the fuzzers from inputs that reach deep into the decoder.
func fuzzSeeds(t testing.TB) []string {
	var seeds []string
	for _, s := range []Signal{{Kind: Offer, SDP: offerData}, {Kind: Answer, SDP: answerData}, {Kind: Offer, SDP: "v=0"}, {Kind: Answer, SDP: "v=0\r\ns=-\r\n"}} {
		code := mustEncode(t, s.Kind, s.SDP)
		std := strings.NewReplacer("-", "+", "_", "/").Replace(code)
		seeds = append(seeds,
			code,
			code[:len(code)/2],
			code[:len(code)-1],
			replaceAt(code, len(code)/2),
			replaceAt(code, len(code)-1),
			code+"A",
			std+"==",
			wrap(code, 64, "\r\n"),
			"> "+wrap(code, 76, "\n> "),
			"```\n\""+code+"\"\n```\nhello\n",
		)
	}
	for _, s := range []Signal{{Kind: Offer, SDP: pigeonOffer}, {Kind: Answer, SDP: pigeonAnswerReceiving, AnswersTo: testAnswersTo(Answer)}} {
		s.Created = created
		code, err := EncodeAs(s, FormatCompact)
		if err != nil {
			t.Fatal(err)
		}
		jsonCode, err := EncodeAs(s, FormatJSON)
		if err != nil {
			t.Fatal(err)
		}
		rawJSON, _ := json.Marshal(sessionDescription{Type: s.Kind.String(), SDP: s.SDP})
		seeds = append(seeds,
			code,
			code[:40],
			replaceAt(code, 30),
			QRText(code),
			QRText(code)[:50],
			wrap(code, 20, "\n"),
			jsonCode,
			jsonCode[:100],
			string(rawJSON),
			string(rawJSON[:70]),
			s.SDP+"\r\n",
			"```\n"+s.SDP+"```\n",
		)
		// pigeon's own, with its mark, in the forms other programs write.
		s.Pigeon = true
		for _, f := range []Format{FormatJSON, FormatSDP, FormatRawJSON} {
			marked, err := EncodeAs(s, f)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, marked, marked[:len(marked)/2])
		}
	}
	return append(seeds, "", "pg", "pg1o.", "pg5a.xyz", "pg4a.xyz", "pg3a.xyz", "pg2a.xyz", "PG4O.", "PG3O.", "PG2O.", "pg0o.AAAA", "hello", "```text\n```\n", "e", "{", "v=0\r\n")
}

func FuzzDecode(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Decode(text)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("Decode(%q): %v is none of the package's errors", text, err)
			}
			return
		}
		if !s.Kind.valid() || !strings.HasPrefix(s.SDP, "v=0") {
			t.Fatalf("Decode(%q) = %v %q, want a valid kind and an SDP", text, s.Kind, s.SDP)
		}
		// Whatever decodes must encode again, in its own format, and to
		// the same signal, made by a pigeon or not as it was.
		format := s.Format
		code, err := EncodeAs(s, format)
		if err != nil {
			t.Fatalf("Decode(%q) = %v %q, which EncodeAs(%v) refuses: %v", text, s.Kind, s.SDP, format, err)
		}
		again, err := ReadSignal(bufio.NewReader(strings.NewReader(code+"\n\n")), s.Kind)
		if err != nil || again.Kind != s.Kind || again.SDP != s.SDP || !again.Created.Equal(s.Created) || again.Format != format ||
			again.Pigeon != s.Pigeon {
			t.Fatalf("re-encoding %q as %v does not round-trip (pigeon %v, then %v): %v", text, format, s.Pigeon, again.Pigeon, err)
		}
	})
}

func FuzzReadSignal(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed+"\nchat\n"), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, answer bool) {
		want := Offer
		if answer {
			want = Answer
		}
		r := bufio.NewReader(bytes.NewReader(in))
		s, err := ReadSignal(r, want)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("ReadSignal(%q): %v is none of the package's errors", in, err)
			}
			return
		}
		if s.Kind != want || !strings.HasPrefix(s.SDP, "v=0") {
			t.Fatalf("ReadSignal(%q, %v) = %v %q", in, want, s.Kind, s.SDP)
		}
	})
}

func FuzzEncode(f *testing.F) {
	for _, fx := range fixtures {
		f.Add(fx.sdp, false)
	}
	f.Add("", true)
	f.Add("v=0\r\na\r\n", true)
	f.Fuzz(func(t *testing.T, sdp string, answer bool) {
		kind := Offer
		if answer {
			kind = Answer
		}
		code, err := EncodeAs(Signal{Kind: kind, SDP: sdp}, FormatFull)
		if err != nil {
			return // refusing is fine; encoding what cannot be decoded is not
		}
		got, err := Decode(code)
		if err != nil || got.Kind != kind || got.SDP != sdp {
			t.Fatalf("Encode(%q) = %q, which decodes to %v %q, %v", sdp, code, got.Kind, got.SDP, err)
		}
	})
}

func FuzzReadAnySignal(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add([]byte(seed + "\nchat\n"))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadAnySignal(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("ReadAnySignal(%q): %v is none of the package's errors", in, err)
			}
			return
		}
		if !s.Kind.valid() || !strings.HasPrefix(s.SDP, "v=0") {
			t.Fatalf("ReadAnySignal(%q) = %v %q", in, s.Kind, s.SDP)
		}
		_ = Inspect(s)
	})
}

func FuzzParseCompact(f *testing.F) {
	for _, s := range []Signal{{Kind: Offer, SDP: pigeonOffer}, {Kind: Answer, SDP: pigeonAnswerSending, AnswersTo: []byte{1, 2, 3, 4}}} {
		s.Created = created
		c, err := compactFromSDP(s)
		if err != nil {
			f.Fatal(err)
		}
		p := c.marshal()
		f.Add(p, s.Kind == Answer)
		f.Add(p[:20], s.Kind == Answer)
		f.Add(p[:compactHeaderLen], s.Kind == Answer)
	}
	f.Fuzz(func(t *testing.T, p []byte, answer bool) {
		kind := Offer
		if answer {
			kind = Answer
		}
		c, err := parseCompact(p, kind)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("parseCompact(% x): %v is none of the package's errors", p, err)
			}
			return
		}
		// Whatever parses is what Encode makes of the SDP it rebuilds,
		// ICE secret included: the rebuilt password gives it back.
		if again := c.marshal(); !bytes.Equal(again, p) {
			t.Fatalf("parseCompact(% x) marshals back to % x", p, again)
		}
		s2, err := compactFromSDP(c.signal())
		if err != nil {
			t.Fatalf("the rebuilt SDP of % x does not encode: %v", p, err)
		}
		if s2.secret != c.secret {
			t.Fatalf("the rebuilt SDP of % x gives the secret % x", p, s2.secret)
		}
		if again := s2.marshal(); !bytes.Equal(again, p) {
			t.Fatalf("the rebuilt SDP of % x encodes to % x", p, again)
		}
	})
}

func FuzzDecodeAlnum(f *testing.F) {
	f.Add(encodeAlnum([]byte("hello, world")))
	f.Add("::::")
	f.Add("ab")
	f.Fuzz(func(t *testing.T, text string) {
		whole, prefix, err := decodeAlnum(text)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeAlnum(%q): %v", text, err)
			}
			return
		}
		if whole != nil && encodeAlnum(whole) != strings.ToUpper(text) {
			t.Fatalf("decodeAlnum(%q) = % x, which encodes to %q", text, whole, encodeAlnum(whole))
		}
		if len(prefix) != len(text)/3*2 {
			t.Fatalf("decodeAlnum(%q) has a prefix of %d bytes", text, len(prefix))
		}
	})
}

func FuzzCompactEncode(f *testing.F) {
	f.Add(pigeonOffer, false)
	f.Add(pigeonAnswerSending, true)
	f.Add(offerMinimal, false)
	f.Fuzz(func(t *testing.T, sdp string, answer bool) {
		kind := Offer
		if answer {
			kind = Answer
		}
		s := Signal{Kind: kind, SDP: sdp, Created: created}
		code, err := EncodeAs(s, FormatCompact)
		if err != nil {
			if !errors.Is(err, ErrNotCompact) {
				t.Fatalf("EncodeAs(%q, compact): %v does not match ErrNotCompact", sdp, err)
			}
			return
		}
		got, err := Decode(code)
		if err != nil || got.Kind != kind {
			t.Fatalf("EncodeAs(%q) = %q, which decodes to %v, %v", sdp, code, got.Kind, err)
		}
		if line, same := sameRebuilt(strings.Split(sdp, "\r\n"), strings.Split(got.SDP, "\r\n")); !same {
			t.Fatalf("EncodeAs(%q) loses line %q", sdp, line)
		}
	})
}

func FuzzInspect(f *testing.F) {
	for _, fx := range fixtures {
		f.Add(fx.sdp)
	}
	f.Fuzz(func(t *testing.T, sdp string) {
		d := Inspect(Signal{SDP: sdp})
		for _, m := range d.Media {
			_ = m.String()
		}
		for _, c := range d.Candidates {
			_ = c.String()
		}
	})
}

// FuzzDecodeRestart feeds the restart code decoder anything a person may
// paste into the chat: it refuses with one of the package's errors, on one
// line, or decodes a code that encodes back to the same code.
func FuzzDecodeRestart(f *testing.F) {
	for _, r := range []Restart{
		{Call: []byte{1, 2, 3, 4}, Candidates: []string{"candidate:1 1 udp 2130706431 10.0.0.3 50000 typ host"}},
		{FromCallee: true, Reply: true, Call: []byte{1, 2, 3, 4}, Candidates: []string{
			"candidate:1 1 udp 2130706431 2001:db8::7 50000 typ host",
			"candidate:2 1 udp 1694498815 203.0.113.9 61234 typ srflx raddr 0.0.0.0 rport 0",
			"candidate:3 1 udp 1023 198.51.100.4 3478 typ relay",
		}},
	} {
		code, err := EncodeRestart(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(code)
		f.Add(code[:len(code)-2])
		f.Add(replaceAt(code, 10))
		f.Add("`" + wrap(code, 12, "\n") + "`")
	}
	f.Add("pg3r.")
	f.Add("pg4r.AAAA")
	f.Add("pg3o.AAAA")
	f.Add("pg4o.AAAA")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := DecodeRestart(text)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("DecodeRestart(%q): %v is none of the package's errors", text, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("DecodeRestart(%q): the error %q is not one line", text, err)
			}
			return
		}
		code, err := EncodeRestart(r)
		if err != nil {
			t.Fatalf("DecodeRestart(%q) = %+v, which does not encode: %v", text, r, err)
		}
		if code != Clean(text) {
			t.Fatalf("DecodeRestart(%q) encodes back to %q", text, code)
		}
	})
}
