package offline

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// The codes below are the fixture of the compact format of version 3, for
// whoever reads it elsewhere (the web page): an offer, and the answer to it,
// which names the offer by the first 4 bytes of the SHA-256 of the offer's
// SDP as the offer's code decodes. A change of the format shows up here.
const (
	fixtureOfferCode  = "pg3o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodYB_AAABqNP-1pC8"
	fixtureAnswerCode = "pg3a.WmsCXjhjvPTqWDCV5VUIK5ee8iLysz-71pCtqwpdzsJgEUozjyea9xqAfwAAAZKiyzq4BQ"
	fixtureDigest     = "279af71a"
)

func TestCompactFixture(t *testing.T) {
	offer, err := Decode(fixtureOfferCode)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(OfferDigest(offer)); got != fixtureDigest {
		t.Errorf("the fixture offer's digest is %s, want %s", got, fixtureDigest)
	}
	if code := mustCompact(t, Offer, pigeonOffer); code != fixtureOfferCode {
		t.Errorf("pigeonOffer encodes to\n%s\nnot the fixture\n%s", code, fixtureOfferCode)
	}
	digest, _ := hex.DecodeString(fixtureDigest)
	answerCode, err := EncodeAs(Signal{Kind: Answer, SDP: pigeonAnswerReceiving, Created: created, AnswersTo: digest}, FormatCompact)
	if err != nil {
		t.Fatal(err)
	}
	if answerCode != fixtureAnswerCode {
		t.Errorf("the answer encodes to\n%s\nnot the fixture\n%s", answerCode, fixtureAnswerCode)
	}
	answer, err := Decode(fixtureAnswerCode)
	if err != nil {
		t.Fatal(err)
	}
	// The digest follows the fingerprint: bytes 37 to 40 of the payload.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(fixtureAnswerCode, "pg3a."))
	if !bytes.Equal(payload[37:41], digest) || !bytes.Equal(answer.AnswersTo, digest) {
		t.Errorf("the answer names % x (payload % x), want %s", answer.AnswersTo, payload[37:41], fixtureDigest)
	}
	if err := CheckAnswer(offer, answer); err != nil {
		t.Errorf("CheckAnswer of the fixture: %v", err)
	}
}

func TestAnswersToInEveryFormat(t *testing.T) {
	offer := Signal{Kind: Offer, SDP: pigeonOffer, Created: created}
	digest := OfferDigest(offer)
	answer := Signal{Kind: Answer, SDP: pigeonAnswerSending, Created: created, AnswersTo: digest}
	for _, f := range []Format{FormatCompact, FormatFull, FormatJSON} {
		t.Run(f.String(), func(t *testing.T) {
			code, err := EncodeAs(answer, f)
			if err != nil {
				t.Fatal(err)
			}
			texts := []string{code}
			if f != FormatJSON {
				texts = append(texts, QRText(code))
			}
			for _, text := range texts {
				got, err := Decode(text)
				if err != nil {
					t.Fatalf("Decode(%.30q): %v", text, err)
				}
				if !bytes.Equal(got.AnswersTo, digest) {
					t.Errorf("%v: the answer names % x, want % x", f, got.AnswersTo, digest)
				}
				if strings.Contains(got.SDP, answersToAttr) {
					t.Errorf("%v: the attribute stays in the SDP", f)
				}
				if f != FormatCompact && got.SDP != answer.SDP {
					t.Errorf("%v: the SDP does not come back as it was", f)
				}
			}
			// The code of an answer of another offer differs: the digest is
			// in it, covered by the checksum where there is one.
			other := answer
			other.AnswersTo = []byte{digest[0] ^ 1, digest[1], digest[2], digest[3]}
			if otherCode, err := EncodeAs(other, f); err != nil || otherCode == code {
				t.Errorf("another digest gives the same code, or %v", err)
			}
		})
	}
	// In a full or JSON answer it is a line of the SDP: a peer that is not a
	// pigeon ignores it.
	code, err := EncodeAs(answer, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(code)
	if want := answersToAttr + hex.EncodeToString(digest) + `\r\nm=audio`; !strings.Contains(string(raw), want) {
		t.Errorf("the JSON answer lacks %q before its first media section:\n%s", want, raw)
	}
}

func TestCheckAnswer(t *testing.T) {
	offer, err := Decode(mustCompact(t, Offer, pigeonOffer))
	if err != nil {
		t.Fatal(err)
	}
	// Another call's offer, made by the same kind of pigeon: another
	// certificate, another time.
	other := offer
	other.SDP = strings.Replace(offer.SDP, "a=fingerprint:sha-256 ED", "a=fingerprint:sha-256 EE", 1)
	// The same pigeon's offer of a minute before (with --identity, the
	// certificate stays the same).
	earlierCode := mustEncodeSignal(t, Signal{Kind: Offer, SDP: pigeonOffer, Created: created.Add(-time.Minute)}, FormatCompact)
	earlier, err := Decode(earlierCode)
	if err != nil {
		t.Fatal(err)
	}
	if other.SDP == offer.SDP {
		t.Fatal("the fixture changed")
	}
	answerTo := func(o Signal) Signal {
		return Signal{Kind: Answer, SDP: pigeonAnswerSending, AnswersTo: OfferDigest(o)}
	}
	tests := []struct {
		name   string
		answer Signal
		want   error
	}{
		{"the answer to this offer", answerTo(offer), nil},
		{"an answer to another offer", answerTo(other), ErrAnswerMismatch},
		{"an answer to an earlier offer, replayed", answerTo(earlier), ErrAnswerMismatch},
		{"an answer that names no offer", Signal{Kind: Answer, SDP: pigeonAnswerSending}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through a code and back, as the caller reads it.
			code, err := EncodeAs(tt.answer, FormatFull)
			if err != nil {
				t.Fatal(err)
			}
			answer, err := Decode(code)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckAnswer(offer, answer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckAnswer = %v, want %v", err, tt.want)
			}
			var mismatch *AnswerMismatchError
			if tt.want != nil && (!errors.As(err, &mismatch) || !strings.Contains(err.Error(), "made for another offer")) {
				t.Errorf("error %q does not say the answer is another offer's", err)
			}
		})
	}
}

func TestAnswersToRefused(t *testing.T) {
	answer := mustEncodeSignal(t, Signal{Kind: Answer, SDP: pigeonAnswerSending, AnswersTo: []byte{1, 2, 3, 4}}, FormatFull)
	sdp := func(code string) string {
		s, err := Decode(code)
		if err != nil {
			t.Fatal(err)
		}
		return s.SDP
	}
	withLine := func(kind Kind, sdp, line string) string {
		i := strings.Index(sdp, "m=audio")
		return mustEncodeSignal(t, Signal{Kind: kind, SDP: sdp[:i] + line + sdp[i:]}, FormatFull)
	}
	tests := []struct {
		name string
		code string
	}{
		{"not hexadecimal", withLine(Answer, sdp(answer), "a=pigeon-offer:0102030x\r\n")},
		{"too short", withLine(Answer, sdp(answer), "a=pigeon-offer:010203\r\n")},
		{"twice", withLine(Answer, sdp(answer), "a=pigeon-offer:01020304\r\na=pigeon-offer:01020304\r\n")},
		{"in an offer", withLine(Offer, pigeonOffer, "a=pigeon-offer:01020304\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.code); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode = %v, want ErrCorrupt", err)
			}
		})
	}
	for _, s := range []Signal{
		{Kind: Offer, SDP: pigeonOffer, AnswersTo: []byte{1, 2, 3, 4}},
		{Kind: Answer, SDP: pigeonAnswerSending, AnswersTo: []byte{1, 2, 3}},
	} {
		for _, f := range []Format{FormatCompact, FormatFull, FormatJSON} {
			if code, err := EncodeAs(s, f); err == nil {
				t.Errorf("%v %s naming % x encodes to %q", s.Kind, f, s.AnswersTo, code)
			}
		}
	}
	// A compact answer cannot leave its offer out: Encode falls back to
	// the full form, which can.
	unbound := Signal{Kind: Answer, SDP: pigeonAnswerSending, Created: created}
	if _, err := EncodeAs(unbound, FormatCompact); !errors.Is(err, ErrNotCompact) {
		t.Errorf("a compact answer naming no offer: %v, want ErrNotCompact", err)
	}
	if code, err := Encode(unbound); err != nil || !strings.HasPrefix(code, "pg1a.") {
		t.Errorf("Encode of an answer naming no offer = %.10q, %v; want a full code", code, err)
	}
}

func TestOldCompactCodes(t *testing.T) {
	// pigeons of version 2 wrote the same codes but for the answer, which
	// named no offer: they still read, the answer as one that names none.
	for _, tt := range []struct {
		kind Kind
		sdp  string
	}{{Offer, pigeonOffer}, {Answer, pigeonAnswerSending}} {
		c, err := compactFromSDP(Signal{Kind: tt.kind, SDP: tt.sdp, Created: created, AnswersTo: testAnswersTo(tt.kind)})
		if err != nil {
			t.Fatal(err)
		}
		c.version, c.answersTo = oldCompactVersion, nil
		code := codePrefix(oldCompactVersion, kindLetters[tt.kind]) + base64.RawURLEncoding.EncodeToString(c.marshal())
		if len(code) != 69 {
			t.Errorf("%v: an old code of %d characters, want 69", tt.kind, len(code))
		}
		for _, text := range []string{code, QRText(code)} {
			s, err := Decode(text)
			if err != nil {
				t.Fatalf("Decode(%q): %v", text, err)
			}
			if s.Kind != tt.kind || s.AnswersTo != nil || s.SDP != c.sdp() {
				t.Errorf("Decode(%q) = %v naming % x", text, s.Kind, s.AnswersTo)
			}
		}
	}
}

func mustEncodeSignal(t *testing.T, s Signal, f Format) string {
	t.Helper()
	code, err := EncodeAs(s, f)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
