package cmd

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/offline"
)

// inspectSDP is an offer with two candidates, one on IPv6.
const inspectSDP = "v=0\r\no=- 1 1795318757 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" +
	"a=fingerprint:sha-256 AB:CD\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:actpass\r\na=rtpmap:111 opus/48000/2\r\na=recvonly\r\n" +
	"a=candidate:1 1 udp 2130706431 192.0.2.7 5000 typ host\r\n" +
	"a=candidate:1 2 udp 2130706430 192.0.2.7 5000 typ host\r\n" +
	"a=candidate:2 1 udp 1694498815 2001:db8::7 6000 typ srflx raddr 0.0.0.0 rport 6000\r\n"

func TestInspect(t *testing.T) {
	code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: inspectSDP}, offline.FormatFull)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Unix(1795318757, 0).Add(25 * time.Minute) }
	digest := hex.EncodeToString(offline.OfferDigest(offline.Signal{Kind: offline.Offer, SDP: inspectSDP}))
	file := filepath.Join(t.TempDir(), "offer.txt")
	if err := os.WriteFile(file, []byte(code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, code, stdin, signalIn, madeBy string
	}{
		{"argument", code, "", "", "a pigeon, or pigeon's web page"},
		{"stdin, quoted and wrapped", "", "> " + code[:40] + "\n> " + code[40:] + "\n", "", "a pigeon, or pigeon's web page"},
		{"--signal-in", "", "", file, "a pigeon, or pigeon's web page"},
		{"--signal-in -", "", code, "-", "a pigeon, or pigeon's web page"},
		{"raw SDP", inspectSDP, "", "", "another WebRTC program: pigeon's chat with it is plain text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			io, out, _ := testIO(tt.stdin)
			if err := inspectRun(&InspectOptions{IO: io, Code: tt.code, SignalIn: tt.signalIn, MaxAge: offline.DefaultMaxAge, Now: now}); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				"kind          offer",
				"made by       " + tt.madeBy + "\n",
				"made          25 minutes ago (2026-11-22 03:39:17 UTC)",
				"older than --max-age 10m0s",
				"offer digest  " + digest + " (its answer must name it)",
				"fingerprint   sha-256 AB:CD",
				"DTLS role     actpass",
				"media         audio: opus, recvonly",
				"addresses     host 192.0.2.7:5000 (udp), public\n              srflx [2001:db8::7]:6000 (udp), public\n",
				"reveals       192.0.2.7 (public), 2001:db8::7 (public, srflx)\n",
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestInspectRestartCode(t *testing.T) {
	code, err := offline.EncodeRestart(offline.Restart{FromCallee: true, Reply: true, Call: []byte{0xde, 0xad, 0xbe, 0xef},
		Candidates: []string{"candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, code, stdin string }{
		{"argument", code, ""},
		{"stdin", "", "`" + code + "`\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			io, out, _ := testIO(tt.stdin)
			if err := inspectRun(&InspectOptions{IO: io, Code: tt.code, MaxAge: offline.DefaultMaxAge, Now: time.Now}); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				"kind       restart code",
				"made by    the callee, in reply to the peer's restart code",
				"format     27 characters",
				"call       deadbeef",
				"addresses  host 192.168.1.5:5000 (udp), LAN",
				"reveals    192.168.1.5 (LAN)",
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
	io, _, _ := testIO("")
	if err := inspectRun(&InspectOptions{IO: io, Code: code[:len(code)-4], Now: time.Now}); !errors.Is(err, offline.ErrTruncated) {
		t.Errorf("a restart code cut short: %v, want ErrTruncated", err)
	}
}

func TestInspectErrors(t *testing.T) {
	io, _, _ := testIO("pg1o.garbage\n")
	if err := inspectRun(&InspectOptions{IO: io, Now: time.Now}); !errors.Is(err, offline.ErrCorrupt) {
		t.Errorf("inspect of garbage = %v, want ErrCorrupt", err)
	}
	if code, _ := exitCode(offline.ErrCorrupt); code != ExitBadInput {
		t.Errorf("exit code %d, want %d", code, ExitBadInput)
	}
	io, _, _ = testIO("")
	c := NewCmdInspect(io, func(*InspectOptions) error { return nil })
	c.SetArgs([]string{"one", "two"})
	c.SetOut(io.Out)
	c.SetErr(io.ErrOut)
	var usage usageError
	if err := c.Execute(); !errors.As(err, &usage) {
		t.Errorf("two arguments: %v, want a usage error", err)
	}
}

func TestInspectAnswer(t *testing.T) {
	answerSDP := strings.Replace(inspectSDP, "a=setup:actpass", "a=setup:active", 1)
	answerSDP = strings.Replace(answerSDP, "192.0.2.7", "192.168.1.5", 2)
	answerSDP = strings.Replace(answerSDP, "2001:db8::7 6000 typ srflx", "0b5e6f4c-4e5a-4a28-9c2b-3a1f0e7d9c11.local 6000 typ host", 1)
	for _, tt := range []struct {
		answersTo []byte
		want      string
	}{
		{[]byte{0xca, 0xfe, 0xf0, 0x0d}, "answers offer  cafef00d\n"},
		{nil, "answers offer  not said"},
	} {
		code, err := offline.EncodeAs(offline.Signal{Kind: offline.Answer, SDP: answerSDP, AnswersTo: tt.answersTo}, offline.FormatFull)
		if err != nil {
			t.Fatal(err)
		}
		io, out, _ := testIO("")
		if err := inspectRun(&InspectOptions{IO: io, Code: code, MaxAge: offline.DefaultMaxAge, Now: time.Now}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			tt.want,
			"host 192.168.1.5:5000 (udp), LAN\n",
			"host 0b5e6f4c-4e5a-4a28-9c2b-3a1f0e7d9c11.local:6000 (udp), mDNS name\n",
			"reveals        192.168.1.5 (LAN)\n",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
}

func TestInspectSignalInErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "--signal-in", filepath.Join(t.TempDir(), "none.txt")}, "no such file"},
		{[]string{"inspect", "--signal-in", "offer.txt", "pg3o.x"}, "not both"},
	} {
		io, _, errOut := testIO("")
		if code := Run(tt.args, io); code != ExitBadInput || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit code %d, message %q; want %d saying %q", tt.args, code, errOut, ExitBadInput, tt.want)
		}
	}
}
