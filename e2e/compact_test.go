package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/call"
	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/offline"
)

// TestCompactCalls is the property test of the compact form on real
// sessions: for random media on each side and random candidates added to
// each description, the caller's offer and the callee's answer must fit
// compact codes, the SDPs rebuilt from them must be accepted by pion, and
// the call must come up on loopback with chat and every medium sent
// arriving on the other side.
func TestCompactCalls(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cases := []struct{ callerMedia, calleeMedia bool }{{true, true}, {false, true}, {true, false}, {false, false}, {true, true}}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d caller media %v callee media %v", i, tc.callerMedia, tc.calleeMedia), func(t *testing.T) {
			caller := newCompactPeer(t, call.Caller, tc.callerMedia)
			callee := newCompactPeer(t, call.Callee, tc.calleeMedia)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			offer, err := caller.Offer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			offer.SDP = addCandidates(t, rng, offer.SDP)
			offer = throughCompactCode(t, offer, nil)
			answer, err := callee.Answer(ctx, offer)
			if err != nil {
				t.Fatalf("the callee refuses the rebuilt offer: %v\n%s", err, offer.SDP)
			}
			answer.SDP = addCandidates(t, rng, answer.SDP)
			answer = throughCompactCode(t, answer, offline.OfferDigest(offline.Signal{Kind: offline.Offer, SDP: offer.SDP}))
			if err := caller.Accept(answer); err != nil {
				t.Fatalf("the caller refuses the rebuilt answer: %v\n%s", err, answer.SDP)
			}

			for _, p := range []*compactPeer{caller, callee} {
				select {
				case <-p.Ready():
				case <-time.After(15 * time.Second):
					t.Fatalf("%v: the chat channel never opened", p.role)
				}
			}
			if err := caller.Send("ping"); err != nil {
				t.Fatal(err)
			}
			if err := callee.Send("pong"); err != nil {
				t.Fatal(err)
			}
			caller.waitMessage(t, "pong")
			callee.waitMessage(t, "ping")

			// Media flows both ways: each side gets a packet of every
			// medium the other sends, routed without the SSRCs the codes
			// left out.
			caller.waitMedia(t, tc.calleeMedia)
			callee.waitMedia(t, tc.callerMedia)

			caller.HangUp()
			if err := callee.Wait(); err != nil {
				t.Errorf("callee ended with %v, want a hang-up", err)
			}
		})
	}
}

// compactPeer is a session made as pigeon makes it, with what it received.
type compactPeer struct {
	*call.Session
	role     call.Role
	mu       sync.Mutex
	messages []string
	kinds    map[webrtc.RTPCodecType]bool // media that delivered a packet
}

func newCompactPeer(t *testing.T, role call.Role, withMedia bool) *compactPeer {
	t.Helper()
	p := &compactPeer{role: role, kinds: map[webrtc.RTPCodecType]bool{}}
	var tracks []webrtc.TrackLocal
	if withMedia {
		m, err := capture.Open(capture.Options{Video: capture.Test, Audio: capture.Test, Width: 160, Height: 120})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		for _, tr := range m.Tracks() {
			tracks = append(tracks, tr)
		}
	}
	s, err := call.New(call.Options{
		Role:        role,
		Tracks:      tracks,
		Interfaces:  []string{"lo"},
		Timeout:     15 * time.Second,
		PasteWait:   15 * time.Second,
		Credentials: offline.ICECredentials,
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Session = s
	t.Cleanup(func() { s.Close() })
	s.OnMessage(func(text string) {
		p.mu.Lock()
		p.messages = append(p.messages, text)
		p.mu.Unlock()
	})
	s.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			buf := make([]byte, 1500)
			for {
				if _, _, err := tr.Read(buf); err != nil {
					return
				}
				p.mu.Lock()
				p.kinds[tr.Kind()] = true
				p.mu.Unlock()
			}
		}()
	})
	return p
}

func (p *compactPeer) waitMessage(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		got := strings.Join(p.messages, "\n")
		p.mu.Unlock()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v received %q, want %q", p.role, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitMedia waits for audio and video from the peer if it sends them, and
// checks that nothing arrives otherwise.
func (p *compactPeer) waitMedia(t *testing.T, peerSends bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	if !peerSends {
		deadline = time.Now().Add(time.Second)
	}
	for time.Now().Before(deadline) {
		p.mu.Lock()
		n := len(p.kinds)
		p.mu.Unlock()
		if peerSends && n == 2 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if peerSends || len(p.kinds) > 0 {
		t.Fatalf("%v received media %v; the peer sends media: %v", p.role, p.kinds, peerSends)
	}
}

// throughCompactCode writes desc as a compact code, as pigeon sends it, and
// returns what the peer reads back: the SDP rebuilt from the code. An
// answer names its offer with answersTo.
func throughCompactCode(t *testing.T, desc webrtc.SessionDescription, answersTo []byte) webrtc.SessionDescription {
	t.Helper()
	kind := offline.Offer
	if desc.Type == webrtc.SDPTypeAnswer {
		kind = offline.Answer
	}
	code, err := offline.EncodeAs(offline.Signal{Kind: kind, SDP: desc.SDP, AnswersTo: answersTo}, offline.FormatCompact)
	if err != nil {
		t.Fatalf("pigeon's %s does not fit a compact code: %v\n%s", kind, err, desc.SDP)
	}
	if auto, err := offline.Encode(offline.Signal{Kind: kind, SDP: desc.SDP, AnswersTo: answersTo}); err != nil || !strings.HasPrefix(auto, "pg4") {
		t.Errorf("Encode chose %.5q, %v; want the compact form by default", auto, err)
	}
	chars, version := offline.Measure(code)
	t.Logf("%s: %d characters, %d bytes, QR version %d", code, chars, offline.PayloadSize(code), version)
	sig, err := offline.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	return webrtc.SessionDescription{Type: desc.Type, SDP: sig.SDP}
}

// addCandidates adds up to 3 candidates of random types on documentation
// addresses (RFC 5737, RFC 3849), which nothing answers, after the real
// ones: the peer must still connect through the real one, over them.
func addCandidates(t *testing.T, rng *rand.Rand, sdp string) string {
	t.Helper()
	types := []struct {
		name string
		pref uint32
	}{{"host", 126}, {"srflx", 100}, {"prflx", 110}, {"relay", 0}}
	var lines strings.Builder
	for range rng.IntN(4) {
		typ := types[rng.IntN(len(types))]
		addr := netip.AddrFrom4([4]byte{203, 0, 113, byte(1 + rng.IntN(254))})
		if rng.IntN(2) == 0 {
			addr = netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", 1+rng.IntN(0xfffe)))
		}
		local := uint32(65535)
		if typ.name == "relay" {
			local = 3 // a TURN server reached over UDP, as pion ranks it
		}
		port := 1024 + rng.IntN(60000)
		for component := uint32(1); component <= 2; component++ {
			priority := typ.pref<<24 | local<<8 | (256 - component)
			fmt.Fprintf(&lines, "a=candidate:%d %d udp %d %s %d typ %s\r\n", rng.Uint32(), component, priority, addr, port, typ.name)
		}
	}
	i := strings.Index(sdp, "a=end-of-candidates\r\n")
	if i < 0 {
		t.Fatalf("no end of candidates in\n%s", sdp)
	}
	return sdp[:i] + lines.String() + sdp[i:]
}

// TestCompactCodesThroughFIFOs runs two pigeon processes whose codes pass
// through the test, to check what they print: compact codes by default,
// and the format asked for otherwise, which the other side reads without
// being told.
func TestCompactCodesThroughFIFOs(t *testing.T) {
	tests := []struct {
		name                      string
		callerArgs, calleeArgs    []string
		offerPrefix, answerPrefix string
		maxLen                    int
	}{
		{"default", nil, nil, "pg4o.", "pg4a.", 85},
		{"full and json", []string{"--format", "full"}, []string{"--format", "json"}, "pg1o.", "eyJ", 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := func(name string) string { return mkfifo(t, filepath.Join(dir, name)) }
			offerOut, offerIn, answerOut, answerIn := fifo("offer-out"), fifo("offer-in"), fifo("answer-out"), fifo("answer-in")
			common := []string{"--video", "test", "--audio", "test", "--interface", "lo"}
			caller := start(t, append(append([]string{"call", "--signal-out", offerOut, "--signal-in", answerIn}, common...), tt.callerArgs...)...)
			callee := start(t, append(append([]string{"answer", "--signal-in", offerIn, "--signal-out", answerOut}, common...), tt.calleeArgs...)...)

			relayed := make(chan [2]string, 1)
			errs := make(chan error, 1)
			go func() {
				offer, err := relay(offerOut, offerIn)
				if err != nil {
					errs <- err
					return
				}
				answer, err := relay(answerOut, answerIn)
				if err != nil {
					errs <- err
					return
				}
				relayed <- [2]string{offer, answer}
			}()
			var codes [2]string
			select {
			case codes = <-relayed:
			case err := <-errs:
				t.Fatal(err)
			case <-time.After(20 * time.Second):
				t.Fatalf("the codes were not exchanged; caller:\n%s\ncallee:\n%s", caller.stderr, callee.stderr)
			}
			for i, want := range []string{tt.offerPrefix, tt.answerPrefix} {
				if !strings.HasPrefix(codes[i], want) || len(codes[i]) > tt.maxLen {
					t.Errorf("code %q: want %q and at most %d characters", codes[i], want, tt.maxLen)
				}
			}

			waitOutput(t, "caller", caller.stderr, "pigeon: chat open")
			waitOutput(t, "callee", callee.stderr, "pigeon: chat open")
			fmt.Fprintln(caller.stdin, "over compact codes")
			waitOutput(t, "callee's chat", callee.stdout, "over compact codes\n")
			for _, p := range []*proc{caller, callee} {
				waitOutput(t, "media", p.stderr, "receiving video")
				waitOutput(t, "media", p.stderr, "receiving audio")
			}
			caller.stdin.Close()
			if code := callee.exit(t, 10*time.Second); code != 0 {
				t.Errorf("callee exit code %d, want 0", code)
			}
			if code := caller.exit(t, 10*time.Second); code != 0 {
				t.Errorf("caller exit code %d, want 0", code)
			}
		})
	}
}

// relay reads one code from the FIFO from, where a pigeon writes it, and
// writes it to the FIFO to, where the other reads it.
func relay(from, to string) (string, error) {
	b, err := os.ReadFile(from)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), os.WriteFile(to, b, 0o600)
}

func TestStaleOfferAndInspect(t *testing.T) {
	// A real offer, made 20 minutes ago by its clock.
	s, err := call.New(call.Options{Role: call.Caller, Interfaces: []string{"lo"}, Credentials: offline.ICECredentials})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := s.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code, err := offline.EncodeAs(offline.Signal{Kind: offline.Offer, SDP: offer.SDP, Created: time.Now().Add(-20 * time.Minute)}, offline.FormatCompact)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "offer")
	if err := os.WriteFile(in, []byte("> "+code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	p := start(t, "answer", "--video", "none", "--audio", "none", "--signal-in", in, "--signal-out", filepath.Join(dir, "answer"))
	if code := p.exit(t, 10*time.Second); code != 2 {
		t.Fatalf("exit code %d for a stale offer, want 2", code)
	}
	if last := lastLine(p.stderr.String()); !strings.Contains(last, "made 20 minutes ago") || !strings.Contains(last, "--max-age") {
		t.Errorf("last line %q, want it to say how old the offer is and what to do", last)
	}

	insp := start(t, "inspect", code)
	if code := insp.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("inspect: exit code %d", code)
	}
	for _, want := range []string{"offer", "compact (80 characters, QR code version 4)", "20 minutes ago", "'pigeon answer' would refuse it", "host 127.0.0.1:", "actpass"} {
		if !strings.Contains(insp.stdout.String(), want) {
			t.Errorf("inspect does not say %q:\n%s", want, insp.stdout)
		}
	}
	damaged := []byte(code)
	damaged[30] ^= 1 // another base64url letter or digit
	bad := start(t, "inspect", string(damaged))
	if code := bad.exit(t, 10*time.Second); code != 2 {
		t.Errorf("inspect of a damaged code: exit code %d, want 2", code)
	}
}
