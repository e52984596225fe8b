package control

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/scan"
)

// pionSDP is an SDP whose origin line holds the time pion made it, as
// pion's do: the full format carries it, and the age check reads it.
const pionSDP = "v=0\r\no=- 1 1795318757 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=setup:actpass\r\n"

var pionSDPMade = time.Unix(1795318757, 0)

// testSDP is a session that no compact code carries.
const testSDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

// testCodes returns Codes whose paste is in, and what they write to Out
// and ErrOut.
func testCodes(in string, o CodeOptions) (*Codes, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	o.In, o.Out, o.ErrOut = bufio.NewReader(strings.NewReader(in)), &out, &errOut
	return NewCodes(o), &out, &errOut
}

// sendOffer sends testSDP, or sdp when given, as an offer.
func sendOffer(c *Codes, sdp ...string) error {
	sig := offline.Signal{Kind: offline.Offer, SDP: testSDP}
	if len(sdp) > 0 {
		sig.SDP = sdp[0]
	}
	_, err := c.Send(context.Background(), sig)
	return err
}

func TestSignalThroughFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offer")
	out, _, errOut := testCodes("", CodeOptions{CodeOut: path})
	if err := sendOffer(out); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("code file: %v, mode %v; want private", err, fi.Mode())
	}
	if !strings.Contains(errOut.String(), "offer written to") {
		t.Errorf("no status line: %q", errOut)
	}

	in, _, _ := testCodes("", CodeOptions{CodeIn: path})
	sig, err := in.Receive(context.Background(), offline.Offer)
	if err != nil {
		t.Fatal(err)
	}
	if sig.Kind != offline.Offer || sig.SDP != testSDP {
		t.Fatalf("got %v %q", sig.Kind, sig.SDP)
	}
	if _, err := in.Receive(context.Background(), offline.Answer); !errors.Is(err, offline.ErrWrongKind) {
		t.Fatalf("reading an offer as an answer: %v, want ErrWrongKind", err)
	}
}

func TestSignalOnTerminal(t *testing.T) {
	code, err := offline.Encode(offline.Signal{Kind: offline.Answer, SDP: testSDP})
	if err != nil {
		t.Fatal(err)
	}
	// The peer's code, wrapped as a terminal might, then a chat line.
	sig, out, errOut := testCodes(code[:10]+"\n"+code[10:]+"\nfirst chat line\n", CodeOptions{InTTY: true, ErrTTY: true})
	if err := sendOffer(sig); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("the code went to stdout, which carries chat: %q", out)
	}
	if !strings.Contains(errOut.String(), "pg1o.") || !strings.Contains(errOut.String(), "▀") {
		t.Errorf("terminal shows no code text or no QR code:\n%s", errOut)
	}

	answer, err := sig.Receive(context.Background(), offline.Answer)
	if err != nil {
		t.Fatal(err)
	}
	if answer.Kind != offline.Answer {
		t.Fatalf("got %v", answer.Kind)
	}
	if !strings.Contains(errOut.String(), "Paste your peer's answer") {
		t.Errorf("no prompt says what to paste:\n%s", errOut)
	}
	if rest, _ := sig.opts.In.ReadString('\n'); rest != "first chat line\n" {
		t.Errorf("the chat after the code was lost: %q", rest)
	}
}

func TestSignalPipedHasNoQR(t *testing.T) {
	sig, out, _ := testCodes("", CodeOptions{CodeOut: "-"})
	if _, err := sig.Send(context.Background(), offline.Signal{Kind: offline.Answer, SDP: testSDP}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "pg1a.") {
		t.Fatalf("stdout %q, want the code alone on one line", out)
	}
}

func TestSignalFormats(t *testing.T) {
	for _, tt := range []struct {
		format     offline.Format
		wantPrefix string
		wantErr    error
	}{
		{offline.FormatAuto, "pg1o.", nil}, // the compact form cannot carry this SDP
		{offline.FormatFull, "pg1o.", nil},
		{offline.FormatJSON, "eyJ", nil},
		{offline.FormatCompact, "", offline.ErrNotCompact},
	} {
		sig, out, errOut := testCodes("", CodeOptions{CodeOut: "-", Format: tt.format, Verbose: true})
		err := sendOffer(sig)
		if !errors.Is(err, tt.wantErr) || !strings.HasPrefix(out.String(), tt.wantPrefix) {
			t.Errorf("--format %v: wrote %.10q, %v; want %q, %v", tt.format, out, err, tt.wantPrefix, tt.wantErr)
		}
		if tt.format == offline.FormatAuto && !strings.Contains(errOut.String(), "using the full format") {
			t.Errorf("--format auto -v does not say why it fell back: %q", errOut)
		}
		if err != nil {
			continue
		}
		// Whatever the format, the other side reads it without being told.
		in, _, _ := testCodes(out.String(), CodeOptions{})
		if got, err := in.Receive(context.Background(), offline.Offer); err != nil || got.SDP != testSDP {
			t.Errorf("--format %v: reading it back = %v", tt.format, err)
		}
	}
}

// TestAnswerTakesTheOffersForm: an answer is written as its offer was,
// when that is not pigeon's own form, unless --format says otherwise; a
// pigeon's answer carries pigeon's mark in it.
func TestAnswerTakesTheOffersForm(t *testing.T) {
	answer := offline.Signal{Kind: offline.Answer, SDP: testSDP, AnswersTo: []byte{1, 2, 3, 4}, Pigeon: true}
	for _, tt := range []struct {
		offer, flag, want offline.Format
	}{
		{offline.FormatJSON, offline.FormatAuto, offline.FormatJSON},
		{offline.FormatSDP, offline.FormatAuto, offline.FormatSDP},
		{offline.FormatRawJSON, offline.FormatAuto, offline.FormatRawJSON},
		{offline.FormatCompact, offline.FormatAuto, offline.FormatFull}, // the compact form cannot carry this SDP
		{offline.FormatFull, offline.FormatAuto, offline.FormatFull},
		{offline.FormatSDP, offline.FormatJSON, offline.FormatJSON},
		{offline.FormatJSON, offline.FormatSDP, offline.FormatSDP},
		{offline.FormatJSON, offline.FormatFull, offline.FormatFull},
	} {
		sig, out, _ := testCodes("", CodeOptions{CodeOut: "-", Format: tt.flag})
		sig.answering = tt.offer
		sent, err := sig.Send(context.Background(), answer)
		if err != nil {
			t.Fatalf("offer in %v, --format %v: %v", tt.offer, tt.flag, err)
		}
		// The peer's pigeon reads it back, as it came, with what it says.
		got, err := offline.ReadSignal(bufio.NewReader(strings.NewReader(out.String())), offline.Answer)
		if err != nil || got.Format != tt.want || sent.Format != tt.want || got.SDP != testSDP || !got.Pigeon || !bytes.Equal(got.AnswersTo, answer.AnswersTo) {
			t.Errorf("offer in %v, --format %v: wrote %.30q, read as %v (pigeon %v, answers %x), %v; want %v",
				tt.offer, tt.flag, out, got.Format, got.Pigeon, got.AnswersTo, err, tt.want)
		}
	}
	// An offer is written as --format says, whatever was read before.
	sig, out, _ := testCodes("", CodeOptions{CodeOut: "-"})
	sig.answering = offline.FormatJSON
	if err := sendOffer(sig); err != nil || !strings.HasPrefix(out.String(), "pg1o.") {
		t.Errorf("an offer: wrote %.10q, %v; want the full form", out, err)
	}
}

func TestSignalRefusesStaleOffer(t *testing.T) {
	code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: pionSDP}, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		age, maxAge time.Duration
		want        error
	}{
		{5 * time.Minute, offline.DefaultMaxAge, nil},
		{20 * time.Minute, offline.DefaultMaxAge, offline.ErrExpired},
		{20 * time.Minute, 0, nil},
		{-time.Hour, offline.DefaultMaxAge, nil}, // the peer's clock is ahead
	} {
		sig, _, _ := testCodes(code+"\n", CodeOptions{MaxAge: tt.maxAge, Now: func() time.Time { return pionSDPMade.Add(tt.age) }})
		_, err := sig.Receive(context.Background(), offline.Offer)
		if !errors.Is(err, tt.want) {
			t.Errorf("offer %v old, max age %v: %v, want %v", tt.age, tt.maxAge, err, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), "20 minutes") {
			t.Errorf("the error %q does not say the age", err)
		}
	}
	// An answer is not checked: the callee's --paste-wait bounds its age.
	answer, _ := offline.EncodeAs(offline.Signal{Kind: offline.Answer, SDP: strings.Replace(pionSDP, "actpass", "active", 1)}, offline.FormatFull)
	sig, _, _ := testCodes(answer+"\n", CodeOptions{MaxAge: time.Second})
	if _, err := sig.Receive(context.Background(), offline.Answer); err != nil {
		t.Errorf("an old answer: %v, want it read", err)
	}
}

func TestSignalQRPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offer.png")
	sig, out, errOut := testCodes("", CodeOptions{CodeOut: "-", PNG: path})
	if err := sendOffer(sig); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("no PNG was written: %v", err)
	}
	if strings.Count(out.String(), "\n") != 1 || strings.Contains(out.String(), "▀") {
		t.Errorf("stdout %q, want the code alone: the picture goes to its file", out)
	}
	if !strings.Contains(errOut.String(), "QR code of the offer written to "+path) {
		t.Errorf("no status line for the picture: %q", errOut)
	}
}

func TestSignalQRStyles(t *testing.T) {
	for _, tt := range []struct {
		invert   bool
		noColor  bool
		wantEsc  string
		wantNone bool
	}{
		{false, false, "\x1b[38;5;16;48;5;231m", false},
		{true, false, "\x1b[38;5;231;48;5;16m", false},
		{false, true, "", true},
	} {
		sig, _, errOut := testCodes("", CodeOptions{ErrTTY: true, Style: offline.QRStyle{Invert: tt.invert, NoColor: tt.noColor}})
		if err := sendOffer(sig); err != nil {
			t.Fatal(err)
		}
		s := errOut.String()
		if !strings.Contains(s, "█") && !strings.Contains(s, "▀") {
			t.Fatalf("no QR code on the terminal:\n%s", s)
		}
		if tt.wantNone && strings.Contains(s, "\x1b") || !tt.wantNone && !strings.Contains(s, tt.wantEsc) {
			t.Errorf("invert %v, no colour %v: colours wrong in\n%q", tt.invert, tt.noColor, s[:200])
		}
	}
}

// longSDP is an SDP too long for one comfortable QR code in the full
// format, whose lines do not compress away.
func longSDP() string {
	var b strings.Builder
	b.WriteString(pionSDP)
	for i := range 60 {
		fmt.Fprintf(&b, "a=x-pad:%08x%08x\r\n", i*2654435761, i*40503)
	}
	return b.String()
}

func TestSignalLongCodeInParts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offer.png")
	sig, out, errOut := testCodes("", CodeOptions{Role: call.Caller, CodeOut: "-", PNG: path, Format: offline.FormatFull})
	if err := sendOffer(sig, longSDP()); err != nil {
		t.Fatal(err)
	}
	defer sig.endShow()
	code := strings.TrimSpace(out.String())
	if !strings.Contains(errOut.String(), "offer-1.png, "+filepath.Dir(path)+"/offer-2.png") {
		t.Fatalf("no numbered files named in %q", errOut)
	}

	// The numbered files hold the parts, which put together in any order
	// give the code back.
	var parts []string
	for i := 1; ; i++ {
		img, err := readPNG(strings.TrimSuffix(path, ".png") + fmt.Sprintf("-%d.png", i))
		if err != nil {
			break
		}
		sym, err := scan.Decode(img)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		parts = append(parts, sym.Text)
	}
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	var a scan.Assembler
	var whole string
	for i := len(parts) - 1; i >= 0; i-- {
		whole, _ = a.Add(parts[i])
	}
	got, err := offline.Decode(whole)
	want, _ := offline.Decode(code)
	if err != nil || got.SDP != want.SDP {
		t.Fatalf("the parts give back another code: %v", err)
	}

	// The file itself shows each part in turn: it holds, one after the
	// other, each numbered file's picture.
	numbered := map[string]int{}
	for i := range parts {
		data, err := os.ReadFile(strings.TrimSuffix(path, ".png") + fmt.Sprintf("-%d.png", i+1))
		if err != nil {
			t.Fatal(err)
		}
		numbered[string(data)] = i + 1
	}
	seen := map[int]bool{}
	deadline := time.Now().Add(time.Duration(len(parts)+3) * PartPeriod)
	for len(seen) < len(parts) && time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && numbered[string(data)] > 0 {
			seen[numbered[string(data)]] = true
		}
		time.Sleep(PartPeriod / 10) // the file is rewritten in place: nothing to wait on
	}
	if len(seen) != len(parts) {
		t.Errorf("%s showed %d of the %d parts", path, len(seen), len(parts))
	}
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

func TestSignalLongCodeOnTheTerminal(t *testing.T) {
	for _, tt := range []struct {
		name  string
		scan  bool
		block bool // shown in turn, in place
	}{
		{"before a paste: every part, once", false, false},
		{"before a scan: in turn", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sig, _, errOut := testCodes("", CodeOptions{Role: call.Caller, Scan: tt.scan, Format: offline.FormatFull, ErrTTY: true, InTTY: true})
			if err := sendOffer(sig, longSDP()); err != nil {
				t.Fatal(err)
			}
			if (sig.shown != nil) != tt.block {
				t.Fatalf("shown in turn: %v, want %v", sig.shown != nil, tt.block)
			}
			sig.endShow()
			s := errOut.String()
			n := strings.Count(s, "QR code ")
			switch {
			case !tt.block && (n < 2 || !strings.Contains(s, "QR code 1 of ")):
				t.Errorf("%d numbered QR codes printed:\n%s", n, s)
			case tt.block && !strings.Contains(s, "QR codes, shown in turn"):
				t.Errorf("no block:\n%s", s)
			}
		})
	}
}

func TestPeerNotes(t *testing.T) {
	media := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:actpass\r\n"
	chat := media + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	refused := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:active\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	for _, tt := range []struct {
		sig  offline.Signal
		want []string
	}{
		{offline.Signal{Kind: offline.Offer, SDP: media, Pigeon: true}, nil},
		{offline.Signal{Kind: offline.Offer, SDP: chat}, []string{"the peer's offer is not a pigeon's"}},
		{offline.Signal{Kind: offline.Offer, SDP: media}, []string{"the peer's offer is not a pigeon's", "the peer's offer has no data channel"}},
		{offline.Signal{Kind: offline.Answer, SDP: refused}, []string{"the peer's answer is not a pigeon's", "the peer's answer has no data channel"}},
	} {
		got := PeerNotes(tt.sig)
		if len(got) != len(tt.want) {
			t.Errorf("%.60q: notes %q, want %d", tt.sig.SDP, got, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("note %q, want one starting %q", got[i], w)
			}
		}
	}
}
