package cmd

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

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/control"
	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/scan"
)

// pionSDP is an SDP whose origin line holds the time pion made it, as
// pion's do: the full format carries it, and the age check reads it.
const pionSDP = "v=0\r\no=- 1 1795318757 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=setup:actpass\r\n"

var pionSDPMade = time.Unix(1795318757, 0)

func TestSignalFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(*CallOptions) bool
		wantErr bool
	}{
		{"defaults", nil, func(o *CallOptions) bool {
			return o.Format.Format == offline.FormatAuto && o.MaxAge == offline.DefaultMaxAge && !o.QRInvert && o.QRPNG == ""
		}, false},
		{"all set", []string{"--format", "json", "--max-age", "1h", "--qr-invert", "--qr-png", "q.png"}, func(o *CallOptions) bool {
			return o.Format.Format == offline.FormatJSON && o.MaxAge == time.Hour && o.QRInvert && o.QRPNG == "q.png"
		}, false},
		{"compact", []string{"--format", "compact"}, func(o *CallOptions) bool { return o.Format.Format == offline.FormatCompact }, false},
		{"unknown format", []string{"--format", "qr"}, nil, true},
		{"raw SDP", []string{"--format", "sdp"}, func(o *CallOptions) bool { return o.Format.Format == offline.FormatSDP }, false},
		{"raw JSON", []string{"--format", "raw-json"}, func(o *CallOptions) bool { return o.Format.Format == offline.FormatRawJSON }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, errOut := testIO("")
			if tt.wantErr {
				// A flag's value is checked as the root command parses it.
				if code := Run(append([]string{"answer"}, tt.args...), io); code != ExitBadInput || !strings.Contains(errOut.String(), "use auto, compact, full, json, sdp or raw-json") {
					t.Fatalf("exit code %d, message %q; want %d and the formats", code, errOut, ExitBadInput)
				}
				return
			}
			var got *CallOptions
			c := NewCmdAnswer(io, func(o *CallOptions) error { got = o; return nil })
			c.SetArgs(tt.args)
			c.SetOut(io.Out)
			c.SetErr(io.ErrOut)
			err := c.Execute()
			if err != nil || !tt.check(got) {
				t.Fatalf("err %v, options %+v", err, got)
			}
		})
	}
}

func TestSignalFormats(t *testing.T) {
	desc := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: testSDP}
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
		io, out, errOut := testIO("")
		sig := signalIO{opts: &CallOptions{IO: io, SignalOut: "-", Format: formatFlag{tt.format}, Verbose: true}}
		err := sig.send(context.Background(), desc)
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
		in := signalIO{opts: &CallOptions{IO: io}, stdin: bufio.NewReader(strings.NewReader(out.String()))}
		if got, err := in.receive(context.Background(), offline.Offer); err != nil || got.SDP != testSDP {
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
		io, out, _ := testIO("")
		sig := signalIO{opts: &CallOptions{IO: io, SignalOut: "-", Format: formatFlag{tt.flag}}, answering: tt.offer}
		sent, err := sig.sendSignal(context.Background(), answer)
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
	io, out, _ := testIO("")
	sig := signalIO{opts: &CallOptions{IO: io, SignalOut: "-"}, answering: offline.FormatJSON}
	if _, err := sig.sendSignal(context.Background(), offline.Signal{Kind: offline.Offer, SDP: testSDP}); err != nil || !strings.HasPrefix(out.String(), "pg1o.") {
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
		io, _, _ := testIO(code + "\n")
		sig := signalIO{
			opts:  &CallOptions{IO: io, MaxAge: tt.maxAge},
			stdin: bufio.NewReader(io.In),
			now:   func() time.Time { return pionSDPMade.Add(tt.age) },
		}
		_, err := sig.receive(context.Background(), offline.Offer)
		if !errors.Is(err, tt.want) {
			t.Errorf("offer %v old, --max-age %v: %v, want %v", tt.age, tt.maxAge, err, tt.want)
		}
		if err != nil {
			if code, msg := exitCode(err); code != ExitBadInput || !strings.Contains(msg, "20 minutes") {
				t.Errorf("exit code %d, message %q; want %d and the age", code, msg, ExitBadInput)
			}
		}
	}
	// An answer is not checked: the callee's --paste-wait bounds its age.
	answer, _ := offline.EncodeAs(offline.Signal{Kind: offline.Answer, SDP: strings.Replace(pionSDP, "actpass", "active", 1)}, offline.FormatFull)
	io, _, _ := testIO(answer + "\n")
	sig := signalIO{opts: &CallOptions{IO: io, MaxAge: time.Second}, stdin: bufio.NewReader(io.In)}
	if _, err := sig.receive(context.Background(), offline.Answer); err != nil {
		t.Errorf("an old answer: %v, want it read", err)
	}
}

func TestSignalQRPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offer.png")
	io, out, errOut := testIO("")
	sig := signalIO{opts: &CallOptions{IO: io, SignalOut: "-", QRPNG: path}}
	if err := sig.send(context.Background(), webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: testSDP}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("--qr-png wrote no PNG: %v", err)
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
		noColor  string
		wantEsc  string
		wantNone bool
	}{
		{false, "", "\x1b[38;5;16;48;5;231m", false},
		{true, "", "\x1b[38;5;231;48;5;16m", false},
		{false, "1", "", true},
	} {
		t.Setenv("NO_COLOR", tt.noColor)
		io, _, errOut := testIO("")
		io.ErrTTY = true
		sig := signalIO{opts: &CallOptions{IO: io, QRInvert: tt.invert}}
		if err := sig.send(context.Background(), webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: testSDP}); err != nil {
			t.Fatal(err)
		}
		s := errOut.String()
		if !strings.Contains(s, "█") && !strings.Contains(s, "▀") {
			t.Fatalf("no QR code on the terminal:\n%s", s)
		}
		if tt.wantNone && strings.Contains(s, "\x1b") || !tt.wantNone && !strings.Contains(s, tt.wantEsc) {
			t.Errorf("invert %v, NO_COLOR %q: colours wrong in\n%q", tt.invert, tt.noColor, s[:200])
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
	io, out, errOut := testIO("")
	sig := signalIO{opts: &CallOptions{IO: io, Role: call.Caller, SignalOut: "-", QRPNG: path, Format: formatFlag{offline.FormatFull}}}
	if err := sig.send(context.Background(), webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: longSDP()}); err != nil {
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
	deadline := time.Now().Add(time.Duration(len(parts)+3) * control.PartPeriod)
	for len(seen) < len(parts) && time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && numbered[string(data)] > 0 {
			seen[numbered[string(data)]] = true
		}
		time.Sleep(control.PartPeriod / 10)
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
			io, _, errOut := testIO("")
			io.ErrTTY, io.InTTY = true, true
			sig := signalIO{opts: &CallOptions{IO: io, Role: call.Caller, Scan: tt.scan, Format: formatFlag{offline.FormatFull}}}
			if err := sig.send(context.Background(), webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: longSDP()}); err != nil {
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
		got := peerNotes(tt.sig)
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
