package offline

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"
)

func TestAlnumRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(44, 45))
	for n := range 70 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		if n == 2 {
			b = []byte{0xff, 0xff} // the largest group
		}
		text := encodeAlnum(b)
		if len(text) != alnumLen(n) || strings.Trim(text, alnumDigits) != "" {
			t.Fatalf("encodeAlnum(% x) = %q: wrong length or characters", b, text)
		}
		whole, prefix, err := decodeAlnum(text)
		if err != nil || !bytes.Equal(whole, b) || !bytes.Equal(prefix, b[:n/2*2]) {
			t.Fatalf("decodeAlnum(%q) = % x, % x, %v; want % x", text, whole, prefix, err, b)
		}
	}
	// Least significant digit first: 44 is "10" reversed, 255 is 5×44+35.
	for in, want := range map[string]string{"\x00\x00": "000", "\x00\x2c": "010", "\xff": "Z5", "\xff\xff": "J%X"} {
		if got := encodeAlnum([]byte(in)); got != want {
			t.Errorf("encodeAlnum(% x) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeAlnumErrors(t *testing.T) {
	for _, text := range []string{"#", "AB#", "A B", "::::" /* 44³-1 > 65535 */, "ABC:;"} {
		if _, _, err := decodeAlnum(text); !errors.Is(err, ErrCorrupt) {
			t.Errorf("decodeAlnum(%q) = %v, want ErrCorrupt", text, err)
		}
	}
	// Two digits worth more than a byte can only be a group cut short.
	if whole, prefix, err := decodeAlnum("ABC::"); err != nil || whole != nil || len(prefix) != 2 {
		t.Errorf(`decodeAlnum("ABC::") = % x, % x, %v; want no whole, 2 bytes of prefix`, whole, prefix, err)
	}
}

func TestFullQRForm(t *testing.T) {
	// A full code's QR form is the same payload in alnumDigits: smaller as
	// a QR code, and read like the code itself.
	for _, f := range fixtures {
		code := mustEncode(t, Offer, f.sdp)
		qr := qrText(code)
		if !strings.HasPrefix(qr, "PG1O.") {
			t.Fatalf("%s: qrText = %.10q, want the PG1O. form", f.name, qr)
		}
		got, err := Decode(qr)
		if err != nil || got.SDP != f.sdp || got.Format != FormatFull {
			t.Fatalf("%s: Decode(QR form) = %v %v, want the SDP back", f.name, got.Format, err)
		}
		if len(code) > 200 {
			if _, v := Measure(code); v >= qrVersion(code) && qrVersion(code) > 1 {
				t.Errorf("%s: QR version %d with the alphanumeric form, %d without: no gain", f.name, v, qrVersion(code))
			}
		}
		for i := 1; i < len(qr); i += 7 {
			if _, err := Decode(qr[:i]); !errors.Is(err, ErrTruncated) {
				t.Fatalf("%s: Decode(first %d characters of the QR form) = %v, want ErrTruncated", f.name, i, err)
			}
		}
	}
}

func TestJSONFormat(t *testing.T) {
	for _, kind := range []Kind{Offer, Answer} {
		code, err := EncodeAs(Signal{Kind: kind, SDP: pigeonOffer}, FormatJSON)
		if err != nil {
			t.Fatal(err)
		}
		// What pion's examples do: base64 of json.Marshal of a
		// SessionDescription.
		want, _ := json.Marshal(webrtc.SessionDescription{Type: webrtc.NewSDPType(kind.String()), SDP: pigeonOffer})
		if code != base64.StdEncoding.EncodeToString(want) {
			t.Errorf("%v: JSON code %.40q is not what pion's examples print", kind, code)
		}
		got, err := Decode(code)
		if err != nil || got.Kind != kind || got.SDP != pigeonOffer || got.Format != FormatJSON || got.Created.IsZero() {
			t.Fatalf("Decode(JSON %v) = %v %v made %v, %v", kind, got.Kind, got.Format, got.Created, err)
		}
		// Wrapped, in the URL alphabet, without padding: all fine.
		url := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(code), "=")
		for _, text := range []string{wrap(code, 76, "\n"), url, "> " + wrap(url, 60, "\n> ")} {
			if again, err := Decode(text); err != nil || again.SDP != pigeonOffer {
				t.Fatalf("Decode(%.30q) = %v", text, err)
			}
		}
		for i := 1; i < len(code)-2; i += 13 {
			if _, err := Decode(code[:i]); !errors.Is(err, ErrTruncated) {
				t.Fatalf("Decode(first %d of %d characters) = %v, want ErrTruncated", i, len(code), err)
			}
		}
	}
	var pionJSON bytes.Buffer
	json.NewEncoder(&pionJSON).Encode(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: pigeonAnswerSending})
	if got, err := Decode(base64.StdEncoding.EncodeToString(pionJSON.Bytes())); err != nil || got.Kind != Answer {
		t.Errorf("Decode of base64 JSON with a final newline = %v, %v", got.Kind, err)
	}
}

func TestJSONErrors(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		text string
		want error
	}{
		{"not JSON", b64("hello there"), ErrCorrupt},
		{"an array", b64(`["offer"]`), ErrCorrupt},
		{"a pranswer", b64(`{"type":"pranswer","sdp":"v=0\r\n"}`), ErrCorrupt},
		{"no SDP", b64(`{"type":"offer"}`), ErrCorrupt},
		{"not an SDP", b64(`{"type":"offer","sdp":"hello"}`), ErrCorrupt},
		{"a number for a type", b64(`{"type":1,"sdp":"v=0\r\n"}`), ErrCorrupt},
		{"control character in a string", b64("{\"type\":\"offer\",\"sdp\":\"v=0\x01\"}"), ErrCorrupt},
		{"something after", b64(`{"type":"offer","sdp":"v=0\r\n"} {}`), ErrCorrupt},
		{"cut", b64(`{"type":"offer","sdp":"v=0\r\no=- 1`), ErrTruncated},
		{"a lone e", "e", ErrTruncated},
		{"a changed character", b64(`{"type":"offer","sdp":"v=0\r\ns=-\r\n"}`)[:10] + "!" + b64(`{"type":"offer","sdp":"v=0\r\ns=-\r\n"}`)[11:], ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := Decode(tt.text); !errors.Is(err, tt.want) {
				t.Fatalf("Decode(%q) = %v %q, %v; want %v", tt.text, s.Kind, s.SDP, err, tt.want)
			}
		})
	}
}

func TestReadRawFormats(t *testing.T) {
	lf := strings.ReplaceAll(pigeonOffer, "\r\n", "\n")
	rawJSON, _ := json.Marshal(sessionDescription{Type: "answer", SDP: pigeonAnswerSending})
	var pretty bytes.Buffer
	json.Indent(&pretty, rawJSON, "> ", "  ")

	tests := []struct {
		name     string
		in       string
		want     Kind
		wantSDP  string
		format   Format
		wantErr  error
		wantRest string
	}{
		{name: "raw SDP, CRLF, then a blank line", in: pigeonOffer + "\r\nhello\n", want: Offer, wantSDP: pigeonOffer, format: FormatSDP, wantRest: "hello\n"},
		{name: "raw SDP, LF, to the end", in: lf, want: Offer, wantSDP: pigeonOffer, format: FormatSDP},
		{name: "raw SDP, quoted and indented", in: "> " + strings.ReplaceAll(lf, "\n", "\n>    ") + "\n", want: Offer, wantSDP: pigeonOffer, format: FormatSDP},
		{name: "raw SDP in a fence", in: "```sdp\n" + lf + "```\nchat\n", want: Offer, wantSDP: pigeonOffer, format: FormatSDP, wantRest: "chat\n"},
		{name: "raw SDP of an answer", in: pigeonAnswerSending + "\n", want: Answer, wantSDP: pigeonAnswerSending, format: FormatSDP},
		{name: "raw SDP that is an answer", in: pigeonAnswerSending + "\n", want: Offer, wantErr: &WrongKindError{Want: Offer, Got: Answer}},
		{name: "raw SDP with a chat line in it", in: "v=0\r\nhello there\r\n", want: Offer, wantErr: ErrCorrupt},
		{name: "raw SDP without a role", in: "v=0\r\ns=-\r\n\r\n", want: Answer, wantSDP: "v=0\r\ns=-\r\n", format: FormatSDP},
		{name: "raw JSON, one line", in: string(rawJSON) + "\nchat\n", want: Answer, wantSDP: pigeonAnswerSending, format: FormatRawJSON, wantRest: "chat\n"},
		{name: "raw JSON, indented and quoted", in: "> " + pretty.String() + "\n", want: Answer, wantSDP: pigeonAnswerSending, format: FormatRawJSON},
		{name: "raw JSON in backticks", in: "`" + string(rawJSON) + "`\n", want: Answer, wantSDP: pigeonAnswerSending, format: FormatRawJSON},
		{name: "raw JSON, cut", in: string(rawJSON[:len(rawJSON)/2]), want: Answer, wantErr: ErrTruncated},
		{name: "raw JSON of the wrong kind", in: string(rawJSON), want: Offer, wantErr: &WrongKindError{Want: Offer, Got: Answer}},
		{name: "raw JSON that is not one", in: "{hello}\n", want: Offer, wantErr: ErrCorrupt},
		{name: "compact code wrapped", in: wrap(mustCompact(t, Offer, pigeonOffer), 20, "\n") + "\nhi\n", want: Offer, format: FormatCompact, wantRest: "hi\n"},
		{name: "QR form of a compact code", in: QRText(mustCompact(t, Answer, pigeonAnswerReceiving)) + "\n", want: Answer, format: FormatCompact},
		{name: "compact code cut", in: mustCompact(t, Offer, pigeonOffer)[:40] + "\n", want: Offer, wantErr: ErrTruncated},
		{name: "compact answer for an offer", in: mustCompact(t, Answer, pigeonAnswerReceiving)[:40] + "\n", want: Offer, wantErr: &WrongKindError{Want: Offer, Got: Answer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in))
			got, err := ReadSignal(r, tt.want)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("ReadSignal: %v", err)
			case tt.wantErr == nil && (got.Kind != tt.want || got.Format != tt.format || (tt.wantSDP != "" && got.SDP != tt.wantSDP)):
				t.Fatalf("ReadSignal = %v %v %.40q, want %v %v %.40q", got.Kind, got.Format, got.SDP, tt.want, tt.format, tt.wantSDP)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr) && (err == nil || err.Error() != tt.wantErr.Error()):
				t.Fatalf("ReadSignal = %v, want %v", err, tt.wantErr)
			}
			if rest, _ := io.ReadAll(r); string(rest) != tt.wantRest {
				t.Errorf("left unread %q, want %q", rest, tt.wantRest)
			}
		})
	}
}

func TestDecodeAutoDetects(t *testing.T) {
	code := mustCompact(t, Offer, pigeonOffer)
	full, _ := EncodeAs(Signal{Kind: Offer, SDP: pigeonOffer}, FormatFull)
	jsonCode, _ := EncodeAs(Signal{Kind: Offer, SDP: pigeonOffer}, FormatJSON)
	rawJSON, _ := json.Marshal(sessionDescription{Type: "offer", SDP: pigeonOffer})
	for text, want := range map[string]Format{
		code:               FormatCompact,
		QRText(code):       FormatCompact,
		full:               FormatFull,
		QRText(full):       FormatFull,
		jsonCode:           FormatJSON,
		string(rawJSON):    FormatRawJSON,
		pigeonOffer:        FormatSDP,
		"\"" + code + "\"": FormatCompact,
	} {
		s, err := Decode(text)
		if err != nil || s.Format != want || s.Kind != Offer {
			t.Errorf("Decode(%.20q) = %v %v, %v; want an offer in %v", text, s.Kind, s.Format, err, want)
		}
	}
	if _, err := Decode(code + "\nmore text\n"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Decode of a code and more text = %v, want ErrCorrupt", err)
	}
	for _, c := range []Codec{Compact, Full, JSON} {
		if _, err := c.Decode(pigeonOffer); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%T.Decode(raw SDP) = %v, want ErrCorrupt: not its format", c, err)
		}
	}
	if s, err := ReadAnySignal(bufio.NewReader(strings.NewReader(pigeonAnswerSending))); err != nil || s.Kind != Answer {
		t.Errorf("ReadAnySignal(raw answer) = %v, %v", s.Kind, err)
	}
	if _, err := ReadAnySignal(bufio.NewReader(strings.NewReader("v=0\r\ns=-\r\n"))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadAnySignal(SDP of no kind) = %v, want ErrCorrupt", err)
	}
}

func TestParseFormat(t *testing.T) {
	for name, want := range map[string]Format{
		"auto": FormatAuto, "compact": FormatCompact, "full": FormatFull, "json": FormatJSON,
		"sdp": FormatSDP, "raw-json": FormatRawJSON,
	} {
		if got, err := ParseFormat(name); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, name := range []string{"raw json", "Compact", "", "qr"} {
		if _, err := ParseFormat(name); err == nil {
			t.Errorf("ParseFormat(%q) succeeded", name)
		}
	}
}

// TestEveryFormatRoundTrips: each format writes a signal that reads back
// as it was, in that format, with the digest of its offer and whether a
// pigeon made it.
func TestEveryFormatRoundTrips(t *testing.T) {
	digest := []byte{1, 2, 3, 4}
	for _, f := range []Format{FormatFull, FormatJSON, FormatSDP, FormatRawJSON} {
		for _, pigeon := range []bool{false, true} {
			for _, in := range []Signal{
				{Kind: Offer, SDP: pigeonOffer, Pigeon: pigeon},
				{Kind: Answer, SDP: pigeonAnswerSending, Pigeon: pigeon},
				{Kind: Answer, SDP: pigeonAnswerSending, AnswersTo: digest, Pigeon: pigeon},
			} {
				code, err := EncodeAs(in, f)
				if err != nil {
					t.Fatalf("%v %v: %v", f, in.Kind, err)
				}
				// As a page or a script passes it on: a raw SDP ends at a
				// blank line, and chat may follow it.
				got, err := ReadSignal(bufio.NewReader(strings.NewReader(code+"\n\nhello\n")), in.Kind)
				if err != nil {
					t.Fatalf("%v %v: reading %.40q: %v", f, in.Kind, code, err)
				}
				// A pigeon's own code, or an answer that names its offer,
				// says a pigeon made it whatever the mark.
				wantPigeon := pigeon || f == FormatFull || in.AnswersTo != nil
				if got.SDP != in.SDP || got.Format != f || !bytes.Equal(got.AnswersTo, in.AnswersTo) || got.Pigeon != wantPigeon {
					t.Errorf("%v %v (pigeon %v): read back as %v, answers to %x, pigeon %v, same SDP %v",
						f, in.Kind, pigeon, got.Format, got.AnswersTo, got.Pigeon, got.SDP == in.SDP)
				}
				if marked := strings.Contains(code, pigeonAttr); f != FormatFull && f != FormatJSON && marked != pigeon {
					t.Errorf("%v %v: the mark is in the code: %v, want %v", f, in.Kind, marked, pigeon)
				}
			}
		}
	}
	// Without the mark, what pion's examples print is read as no pigeon's.
	b, _ := json.Marshal(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: pigeonAnswerSending})
	if got, err := Decode(base64.StdEncoding.EncodeToString(b)); err != nil || got.Pigeon {
		t.Errorf("Decode(pion's JSON answer): pigeon %v, %v; want no pigeon's", got.Pigeon, err)
	}
	code, err := EncodeAs(Signal{Kind: Offer, SDP: pigeonOffer}, FormatCompact)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Decode(code); err != nil || !got.Pigeon {
		t.Errorf("Decode(compact code): pigeon %v, %v; want a pigeon's", got.Pigeon, err)
	}
}

func TestOriginTime(t *testing.T) {
	for sdp, want := range map[string]int64{
		pigeonOffer: 1795318757,
		"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n":             0, // Chrome
		"v=0\r\no=mozilla...THIS_IS_SDPARTA-99.0 7006 0 IN IP4 0.0.0.0\r\n": 0, // Firefox
		"v=0\r\no=- 1 99999999999 IN IP4 0.0.0.0\r\n":                       0, // past 2106
		"v=0\r\no=-\r\n": 0,
		"v=0\r\n":        0,
	} {
		got := originTime(sdp)
		if (want == 0) != got.IsZero() || (want != 0 && got.Unix() != want) {
			t.Errorf("originTime(%.40q) = %v, want %d", sdp, got, want)
		}
	}
}
