package offline

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// The codes below are the fixture of the compact format of version 4, for
// whoever reads it elsewhere (the web page): an offer, and the answer to it,
// which names the offer by the first 4 bytes of the SHA-256 of the offer's
// SDP as the offer's code decodes. A change of the format shows up here.
const (
	fixtureOfferCode  = "pg4o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodT-cGn5bINhGgH8AAAGo0zheNI4"
	fixtureAnswerCode = "pg4a.WmsCXjhjvPTqWDCV5VUIK5ee8iLysz-71pCtqwpdzsJgEUozj12C5rAZT8ej8k6Y1IB_AAABkqIPsKU-"
	fixtureDigest     = "f24e98d4"
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
	// The digest follows the fingerprint and the ICE secret: bytes 45 to
	// 48 of the payload. The secret is the start of the ICE password.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(fixtureAnswerCode, "pg4a."))
	if !bytes.Equal(payload[45:49], digest) || !bytes.Equal(answer.AnswersTo, digest) {
		t.Errorf("the answer names % x (payload % x), want %s", answer.AnswersTo, payload[45:49], fixtureDigest)
	}
	if secret := hex.EncodeToString(payload[37:45]); !strings.Contains(answer.SDP, "a=ice-pwd:"+secret) {
		t.Errorf("the answer's password does not start with its secret %s", secret)
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

// TestOlderCompactCodesRefused: the compact codes of older pigeons carry
// no ICE secret, and are refused as such, whole, cut short, or as their QR
// code's text, rather than taken for damaged ones.
func TestOlderCompactCodesRefused(t *testing.T) {
	for _, code := range []string{
		"pg3o.EGsCXjjtQzg4zRPoEVF8A17aiDfrpP0P_xSaFDQdWb40AqKodYB_AAABqNP-1pC8",
		"pg3a.WmsCXjhjvPTqWDCV5VUIK5ee8iLysz-71pCtqwpdzsJgEUozjyea9xqAfwAAAZKiyzq4BQ",
		"pg2o.GmsCYLf7hlq9UWC0aVyllfb6hMq5H7n594Z38XoyUTFWeXhgSoB_AAABwkYPX4QX",
	} {
		for _, text := range []string{code, code[:30], strings.ToUpper(code[:5]) + "ABC"} {
			if s, err := Decode(text); !errors.Is(err, ErrOutdated) {
				t.Errorf("Decode(%q) = %v, %v; want ErrOutdated", text, s.Kind, err)
			}
		}
		kind := Offer
		if code[3] == 'a' {
			kind = Answer
		}
		if _, err := ReadSignal(bufio.NewReader(strings.NewReader(code+"\n")), kind); !errors.Is(err, ErrOutdated) {
			t.Errorf("ReadSignal(%q) = %v, want ErrOutdated", code, err)
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
