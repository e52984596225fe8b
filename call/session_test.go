package call

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/calltest"
)

// peer is one side of a test call and what it saw.
type peer struct {
	*Session
	mu       sync.Mutex
	messages []string
	arrived  chan struct{} // closed and replaced at each message
	hungUp   chan struct{}
	tracks   chan webrtc.RTPCodecType // one per remote track that delivered a packet
	silent   chan time.Time           // when the peer was first reported not responding
	events   chan Event               // what the state machine told, but EventNone
}

// newPeer makes one side of a test call on loopback; configure, if given,
// changes its options before the session is made.
func newPeer(t testing.TB, role Role, media *capture.Media, timeout time.Duration, configure ...func(*Options)) *peer {
	t.Helper()
	p := &peer{hungUp: make(chan struct{}), tracks: make(chan webrtc.RTPCodecType, 4), silent: make(chan time.Time, 1),
		events: make(chan Event, 32), arrived: make(chan struct{})}
	var tracks []webrtc.TrackLocal
	if media != nil {
		for _, tr := range media.Tracks() {
			tracks = append(tracks, tr)
		}
	}
	opts := Options{
		Role:       role,
		Tracks:     tracks,
		Interfaces: []string{"lo"},
		Timeout:    timeout,
		PasteWait:  timeout,
	}
	for _, c := range configure {
		c(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	p.Session = s
	t.Cleanup(func() { s.Close() })
	s.OnMessage(func(text string) {
		p.mu.Lock()
		p.messages = append(p.messages, text)
		close(p.arrived)
		p.arrived = make(chan struct{})
		p.mu.Unlock()
	})
	s.OnHangUp(func() { close(p.hungUp) })
	s.OnStateChange(func(c StateChange) {
		if c.Event != EventNone {
			select {
			case p.events <- c.Event:
			default:
			}
		}
		if c.State == webrtc.PeerConnectionStateDisconnected {
			select {
			case p.silent <- time.Now():
			default:
			}
		}
	})
	s.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			buf := make([]byte, 1500)
			if _, _, err := tr.Read(buf); err == nil {
				p.tracks <- tr.Kind()
			}
			for {
				if _, _, err := tr.Read(buf); err != nil {
					return
				}
			}
		}()
	})
	return p
}

// waitEvents waits for the state machine to tell want, in order, and
// nothing else meanwhile.
func (p *peer) waitEvents(t testing.TB, want ...Event) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-p.events:
			if got != w {
				t.Fatalf("the state machine told %v, want %v", got, w)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the state machine never told %v", w)
		}
	}
}

// waitReceived waits, at most within, until the messages received so far
// satisfy cond, looking again at each message.
func (p *peer) waitReceived(t testing.TB, what string, within time.Duration, cond func([]string) bool) {
	t.Helper()
	timeout := time.After(within)
	for {
		p.mu.Lock()
		got, arrived := slices.Clone(p.messages), p.arrived
		p.mu.Unlock()
		if cond(got) {
			return
		}
		select {
		case <-arrived:
		case <-timeout:
			t.Fatalf("timed out waiting for %s; received %q", what, got)
		}
	}
}

// count is a condition of waitReceived: n messages or more.
func count(n int) func([]string) bool { return func(got []string) bool { return len(got) >= n } }

func (p *peer) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.messages...)
}

// connect runs the offer/answer exchange between caller and callee.
func connect(t *testing.T, caller, callee *peer) {
	t.Helper()
	calltest.Handshake(t, caller, callee)
}

func TestMain(m *testing.M) { calltest.VerifyNoLeaks(m) }

// openTestMedia opens a small test picture and tone.
func openTestMedia(t *testing.T) *capture.Media {
	t.Helper()
	return openMedia(t, capture.Test, capture.Test)
}

// testMedia opens the media opts asks for, closed when the test ends.
func testMedia(t testing.TB, opts capture.Options) *capture.Media {
	t.Helper()
	m, err := capture.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// waitFor waits for a condition that no event tells, looking again every
// 10 ms for 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, what, 10*time.Second, cond)
}

// waitWithin is waitFor for at most within.
func waitWithin(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCallChatMediaAndHangUp(t *testing.T) {
	caller := newPeer(t, Caller, openTestMedia(t), 10*time.Second)
	callee := newPeer(t, Callee, openTestMedia(t), 10*time.Second)
	connect(t, caller, callee)

	if err := caller.Send("hello from the caller"); err != nil {
		t.Fatal(err)
	}
	if err := callee.Send("héllo ✓ from the callee"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "chat both ways", func() bool {
		return len(caller.received()) == 1 && len(callee.received()) == 1
	})
	if got := callee.received()[0]; got != "hello from the caller" {
		t.Errorf("callee got %q", got)
	}
	if got := caller.received()[0]; got != "héllo ✓ from the callee" {
		t.Errorf("caller got %q", got)
	}

	for _, p := range []*peer{caller, callee} {
		kinds := map[webrtc.RTPCodecType]bool{}
		for len(kinds) < 2 {
			select {
			case k := <-p.tracks:
				kinds[k] = true
			case <-time.After(10 * time.Second):
				t.Fatalf("media arrived only for %v", kinds)
			}
		}
	}

	caller.HangUp()
	if err := caller.Wait(); err != nil {
		t.Errorf("caller ended with %v, want nil after hanging up", err)
	}
	select {
	case <-callee.hungUp:
	case <-time.After(time.Second):
		t.Fatal("callee was not told of the hang-up within a second")
	}
	if err := callee.Wait(); err != nil {
		t.Errorf("callee ended with %v, want nil after the peer hung up", err)
	}
}

func TestCallerWithoutMediaStillReceives(t *testing.T) {
	caller := newPeer(t, Caller, nil, 10*time.Second)
	callee := newPeer(t, Callee, openTestMedia(t), 10*time.Second)
	connect(t, caller, callee)

	kinds := map[webrtc.RTPCodecType]bool{}
	for len(kinds) < 2 {
		select {
		case k := <-caller.tracks:
			kinds[k] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("caller without media received only %v", kinds)
		}
	}
	// The goodbye goes on the chat channel: media can flow before it is
	// open, and a hang-up then would be a close without one.
	waitReady(t, "callee", callee)
	callee.HangUp()
	if err := caller.Wait(); err != nil {
		t.Errorf("caller ended with %v, want nil", err)
	}
}

func TestWrongSignal(t *testing.T) {
	caller := newPeer(t, Caller, nil, time.Second)
	callee := newPeer(t, Callee, nil, time.Second)
	ctx := context.Background()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.Accept(offer); !errors.Is(err, ErrWrongSignal) {
		t.Errorf("Accept(offer) = %v, want ErrWrongSignal", err)
	}
	answer := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: offer.SDP}
	if _, err := callee.Answer(ctx, answer); !errors.Is(err, ErrWrongSignal) {
		t.Errorf("Answer(answer) = %v, want ErrWrongSignal", err)
	}
}

func TestPeerThatNeverConnects(t *testing.T) {
	caller := newPeer(t, Caller, nil, 2*time.Second)
	callee := newPeer(t, Callee, nil, 2*time.Second)
	ctx := context.Background()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := callee.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	callee.Close() // gone before the caller ever reaches it
	if err := caller.Accept(answer); err != nil {
		t.Fatal(err)
	}
	if err := caller.Wait(); !errors.Is(err, ErrConnectFailed) {
		t.Fatalf("caller ended with %v, want ErrConnectFailed", err)
	}
}

func TestLostPeer(t *testing.T) {
	caller := newPeer(t, Caller, nil, 2*time.Second)
	callee := newPeer(t, Callee, nil, 30*time.Second)
	connect(t, caller, callee)
	if err := callee.Send("up"); err != nil {
		t.Fatal(err)
	}
	caller.waitReceived(t, "the first message", 10*time.Second, count(1))

	// Stop the callee's network without a word: its connection shuts down
	// with no goodbye and no DTLS close reaching the caller.
	callee.pc.SCTP().Transport().ICETransport().Stop()
	start := time.Now()
	select {
	case at := <-caller.silent:
		if d := at.Sub(start); d > 5*time.Second {
			t.Errorf("the silent peer was reported after %v, want within 5 s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the silent peer was never reported")
	}
	if err := caller.Wait(); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("caller ended with %v, want the connection lost", err)
	}
}

func TestChatIsAcknowledged(t *testing.T) {
	caller := newPeer(t, Caller, nil, 10*time.Second)
	callee := newPeer(t, Callee, nil, 10*time.Second)
	connect(t, caller, callee)
	for i := range 100 {
		if err := caller.Send(fmt.Sprintf("message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	callee.waitReceived(t, "100 messages", 10*time.Second, count(100))
	waitFor(t, "every acknowledgement", func() bool { return len(caller.Undelivered()) == 0 })
	for i, m := range callee.received() {
		if m != fmt.Sprintf("message %d", i) {
			t.Fatalf("message %d is %q: out of order or changed", i, m)
		}
	}
}

func TestUndeliveredAfterThePeerIsGone(t *testing.T) {
	caller := newPeer(t, Caller, nil, 2*time.Second)
	callee := newPeer(t, Callee, nil, 30*time.Second)
	connect(t, caller, callee)
	<-caller.Ready()
	callee.pc.SCTP().Transport().ICETransport().Stop()
	if err := caller.Send("into the void"); err != nil {
		t.Fatal(err)
	}
	caller.Wait()
	if got := caller.Undelivered(); len(got) != 1 || got[0] != "into the void" {
		t.Fatalf("undelivered %q, want the message sent to a gone peer", got)
	}
}

func TestInboxDropsCopies(t *testing.T) {
	var in inbox
	for _, tt := range []struct {
		id   uint64
		want bool
	}{{1, true}, {2, true}, {2, false}, {1, false}, {5, true}, {3, false}, {0, true}, {0, true}} {
		if got := in.first(tt.id); got != tt.want {
			t.Errorf("first(%d) = %v, want %v", tt.id, got, tt.want)
		}
	}
}
