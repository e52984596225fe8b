package offline

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// sentinels are the errors a decoder may return for bad input; anything
// else would reach the person as an unexplained failure.
var sentinels = []error{ErrEmpty, ErrTruncated, ErrCorrupt, ErrWrongKind, ErrUnsupportedVersion}

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
	for _, s := range []Signal{{Offer, offerData}, {Answer, answerData}, {Offer, "v=0"}, {Answer, "v=0\r\ns=-\r\n"}} {
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
	return append(seeds, "", "pg", "pg1o.", "pg2a.xyz", "pg0o.AAAA", "hello", "```text\n```\n")
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
		// Whatever decodes must encode again, and to the same signal.
		code, err := Encode(s)
		if err != nil {
			t.Fatalf("Decode(%q) = %v %q, which Encode refuses: %v", text, s.Kind, s.SDP, err)
		}
		if again, err := Decode(code); err != nil || again != s {
			t.Fatalf("re-encoding %q does not round-trip: %v", text, err)
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
		code, err := Encode(Signal{Kind: kind, SDP: sdp})
		if err != nil {
			return // refusing is fine; encoding what cannot be decoded is not
		}
		got, err := Decode(code)
		if err != nil || got.Kind != kind || got.SDP != sdp {
			t.Fatalf("Encode(%q) = %q, which decodes to %v %q, %v", sdp, code, got.Kind, got.SDP, err)
		}
	})
}
