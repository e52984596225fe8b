package offline

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"
)

// fixtures are the session descriptions every round-trip test runs over.
var fixtures = []struct {
	name string
	sdp  string
}{
	{"full offer", offerFull},
	{"minimal offer", offerMinimal},
	{"minimal answer", answerMinimal},
	{"data channel offer", offerData},
	{"data channel answer", answerData},
	{"smallest SDP", "v=0"},
	{"LF line endings", strings.ReplaceAll(offerMinimal, "\r\n", "\n")},
	{"UTF-8 session name", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=appel de Zoë ☎\r\nt=0 0\r\n"},
}

// mustEncode encodes a signal that the test knows to be valid.
func mustEncode(t testing.TB, kind Kind, sdp string) string {
	t.Helper()
	code, err := Encode(Signal{Kind: kind, SDP: sdp})
	if err != nil {
		t.Fatalf("Encode(%v): %v", kind, err)
	}
	return code
}

// craftCode builds a code by hand around content, with the given checksum,
// to test what Encode would never produce.
func craftCode(t testing.TB, prefix string, content []byte, sum uint32) string {
	t.Helper()
	var payload bytes.Buffer
	zw, err := flate.NewWriter(&payload, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(content)
	zw.Close()
	payload.Write(binary.BigEndian.AppendUint32(nil, sum))
	return prefix + base64.RawURLEncoding.EncodeToString(payload.Bytes())
}

// replaceAt returns s with the byte at i replaced by another base64url
// character.
func replaceAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestRoundTrip(t *testing.T) {
	for _, f := range fixtures {
		for _, kind := range []Kind{Offer, Answer} {
			t.Run(f.name+"/"+kind.String(), func(t *testing.T) {
				code := mustEncode(t, kind, f.sdp)
				if strings.ContainsFunc(code, func(r rune) bool { return r <= ' ' || r > '~' }) {
					t.Errorf("code is not one line of printable ASCII: %q", code)
				}
				wantPrefix := map[Kind]string{Offer: "pg1o.", Answer: "pg1a."}[kind]
				if !strings.HasPrefix(code, wantPrefix) {
					t.Errorf("code starts with %.5q, want %q", code, wantPrefix)
				}
				t.Logf("%d bytes of SDP, %d characters of code", len(f.sdp), len(code))

				// What a person may paste in place of the code itself.
				std := strings.NewReplacer("-", "+", "_", "/").Replace(code)
				pasted := map[string]string{
					"as encoded":             code,
					"standard alphabet":      std,
					"standard with padding":  std + strings.Repeat("=", (4-(len(code)-len(wantPrefix))%4)%4),
					"wrapped and indented":   "  " + wrap(code, 64, "\r\n  ") + "\r\n",
					"quoted in a code fence": "```\n" + wrap(code, 76, "\n") + "\n```\n",
				}
				for how, text := range pasted {
					got, err := Decode(text)
					if err != nil {
						t.Fatalf("Decode(%s): %v", how, err)
					}
					if got.Kind != kind || got.SDP != f.sdp {
						t.Fatalf("Decode(%s) = %v %.40q, want %v %.40q", how, got.Kind, got.SDP, kind, f.sdp)
					}
				}
			})
		}
	}
}

// wrap cuts s into lines of width characters joined by sep, as a terminal,
// a mail client or base64(1) would.
func wrap(s string, width int, sep string) string {
	var lines []string
	for len(s) > width {
		lines = append(lines, s[:width])
		s = s[width:]
	}
	return strings.Join(append(lines, s), sep)
}

func TestEncodeIsDeterministic(t *testing.T) {
	// The same offer must give the same code, so that a code printed twice
	// (as text and in a QR code, say) is the same code.
	a := mustEncode(t, Offer, offerFull)
	b := mustEncode(t, Offer, offerFull)
	if a != b {
		t.Error("two encodings of one offer differ")
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   Signal
	}{
		{"zero kind", Signal{SDP: offerData}},
		{"unknown kind", Signal{Kind: 3, SDP: offerData}},
		{"empty SDP", Signal{Kind: Offer}},
		{"not SDP", Signal{Kind: Offer, SDP: "hello"}},
		{"SDP without version line", Signal{Kind: Offer, SDP: strings.TrimPrefix(offerData, "v=0\r\n")}},
		{"control character", Signal{Kind: Answer, SDP: "v=0\r\ns=\x00\r\n"}},
		{"invalid UTF-8", Signal{Kind: Answer, SDP: "v=0\r\ns=\xff\r\n"}},
		{"over 64 KiB", Signal{Kind: Offer, SDP: "v=0\r\n" + strings.Repeat("a=x\r\n", 14000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, err := Encode(tt.in); err == nil {
				t.Errorf("Encode = %.40q, want an error", code)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	offer := mustEncode(t, Offer, offerData)
	body := offer[len("pg1o."):]
	bomb := "v=0\r\n" + strings.Repeat("a=x\r\n", 14000)

	tests := []struct {
		name string
		in   string
		want error
	}{
		{"nothing", "", ErrEmpty},
		{"only whitespace", " \r\n\t\n", ErrEmpty},
		{"only a fence", "```\n```", ErrEmpty},

		{"start of the magic", "p", ErrTruncated},
		{"magic", "pg", ErrTruncated},
		{"magic and version", "pg1", ErrTruncated},
		{"prefix without dot", "pg1o", ErrTruncated},
		{"prefix alone", "pg1a.", ErrTruncated},
		{"one payload character", "pg1o.y", ErrTruncated},
		{"checksum cut", offer[:len(offer)-2], ErrTruncated},

		{"random text", "hello, are you there?", ErrCorrupt},
		{"a URL", "https://example.com/call", ErrCorrupt},
		{"another magic", "pq1o." + body, ErrCorrupt},
		{"version zero", "pg0o." + body, ErrCorrupt},
		{"version with leading zero", "pg01o." + body, ErrCorrupt},
		{"absurd version", "pg1234567890o." + body, ErrCorrupt},
		{"no version", "pgo." + body, ErrCorrupt},
		{"unknown kind", "pg1x." + body, ErrCorrupt},
		{"upper-case kind", "pg1O." + body, ErrCorrupt},
		{"no dot", "pg1o" + body, ErrCorrupt},
		{"other separator", "pg1o:" + body, ErrCorrupt},
		{"first payload character changed", replaceAt(offer, 5), ErrCorrupt},
		{"middle character changed", replaceAt(offer, len(offer)/2), ErrCorrupt},
		{"checksum character changed", replaceAt(offer, len(offer)-3), ErrCorrupt},
		{"last character changed", replaceAt(offer, len(offer)-1), ErrCorrupt},
		{"character added", offer + "A", ErrCorrupt},
		{"group added", offer + "AAAA", ErrCorrupt},
		{"code pasted twice", offer + offer, ErrCorrupt},
		{"invalid character", offer[:40] + "!" + offer[41:], ErrCorrupt},
		{"padding inside", offer[:40] + "=" + offer[41:], ErrCorrupt},
		{"too much padding", offer + "===", ErrCorrupt},
		{"chat line before the code", "here is my code:\n" + offer, ErrCorrupt},
		{"wrong checksum", craftCode(t, "pg1o.", []byte(offerData), crc32.ChecksumIEEE([]byte(offerData))+1), ErrCorrupt},
		{"not SDP inside", craftCode(t, "pg1o.", []byte("hello"), crc32.ChecksumIEEE([]byte("hello"))), ErrCorrupt},
		{"binary inside", craftCode(t, "pg1a.", []byte("v=0\x00\x01"), crc32.ChecksumIEEE([]byte("v=0\x00\x01"))), ErrCorrupt},
		{"decompression bomb", craftCode(t, "pg1o.", []byte(bomb), crc32.ChecksumIEEE([]byte(bomb))), ErrCorrupt},

		{"newer version", "pg5o." + body, ErrUnsupportedVersion},
		{"much newer version", "pg10a.anything at all", ErrUnsupportedVersion},
		{"newer version cut", "pg5", ErrUnsupportedVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode(%.50q) = %v %.20q, %v; want %v", tt.in, got.Kind, got.SDP, err, tt.want)
			}
			if !reflect.DeepEqual(got, Signal{}) {
				t.Errorf("Decode returned %+v with its error, want the zero Signal", got)
			}
		})
	}
}

func TestDecodeEveryPrefix(t *testing.T) {
	// A code may be cut anywhere while copying: every beginning of a code
	// must be told to be incomplete, never decoded and never corrupt, so
	// that a reader knows to wait for the rest.
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			code := mustEncode(t, Answer, f.sdp)
			for i := 1; i < len(code); i++ {
				if _, err := Decode(code[:i]); !errors.Is(err, ErrTruncated) {
					t.Fatalf("Decode(first %d of %d characters) = %v, want ErrTruncated", i, len(code), err)
				}
			}
		})
	}
}

func TestDecodeEveryChange(t *testing.T) {
	// Changing any character of the payload must never yield a different
	// session description. Most changes are reported as corrupt; a few near
	// the end are indistinguishable from a cut; and a few land in bits that
	// DEFLATE ignores and decode to the very same SDP, which is harmless.
	// Each character is changed into the six that differ from it in one bit
	// of the six it carries.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	code := mustEncode(t, Offer, offerData)
	var corrupt, total int
	for i := len("pg1o."); i < len(code); i++ {
		value := strings.IndexByte(alphabet, code[i])
		for bit := range 6 {
			c := alphabet[value^1<<bit]
			got, err := Decode(code[:i] + string(c) + code[i+1:])
			total++
			switch {
			case err == nil && got.SDP != offerData:
				t.Fatalf("changing character %d to %q decodes to another SDP", i, c)
			case errors.Is(err, ErrCorrupt):
				corrupt++
			case err != nil && !errors.Is(err, ErrTruncated):
				t.Fatalf("changing character %d to %q: %v, want ErrCorrupt or ErrTruncated", i, c, err)
			}
		}
	}
	t.Logf("%d of %d changes found corrupt", corrupt, total)
	if corrupt < total*98/100 {
		t.Errorf("only %d of %d changes were found corrupt, want 98%%", corrupt, total)
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{Offer, "offer"},
		{Answer, "answer"},
		{0, "Kind(0)"},
		{7, "Kind(7)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.kind), got, tt.want)
		}
	}
}

func TestWrongKindError(t *testing.T) {
	tests := []struct {
		err  WrongKindError
		want string
	}{
		{WrongKindError{Want: Offer, Got: Answer}, "this is an answer, but an offer was expected: paste the code your peer's `pigeon call` printed"},
		{WrongKindError{Want: Answer, Got: Offer}, "this is an offer, but an answer was expected: paste the code your peer's `pigeon answer` printed"},
	}
	for _, tt := range tests {
		var err error = &tt.err
		if got := err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(err, ErrWrongKind) {
			t.Errorf("errors.Is(%v, ErrWrongKind) = false", err)
		}
		if errors.Is(err, ErrCorrupt) {
			t.Errorf("errors.Is(%v, ErrCorrupt) = true", err)
		}
	}
}

func TestErrorMessagesAreOneLine(t *testing.T) {
	for _, err := range []error{ErrEmpty, ErrTruncated, ErrCorrupt, ErrWrongKind, ErrUnsupportedVersion} {
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, ":") {
			t.Errorf("%q: want one line saying what happened, a colon, and what to do", msg)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	s := Signal{Kind: Offer, SDP: offerFull}
	b.SetBytes(int64(len(offerFull)))
	for b.Loop() {
		if _, err := Encode(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	code := mustEncode(b, Offer, offerFull)
	b.SetBytes(int64(len(offerFull)))
	for b.Loop() {
		if _, err := Decode(code); err != nil {
			b.Fatal(err)
		}
	}
}
