package call

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/internal/pionlog"
)

// otherProgram is a WebRTC program that is not a pigeon, written the way
// pion's examples are: default codecs, chat channels announced in-band,
// plain text on them.
type otherProgram struct {
	pc *webrtc.PeerConnection

	mu       sync.Mutex
	channels []*webrtc.DataChannel // its own and the ones pigeon opened
	messages []string
}

func newOtherProgram(t *testing.T) *otherProgram {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	return newOtherProgramWith(t, m)
}

// newOtherProgramWith makes the program with the codecs of m.
func newOtherProgramWith(t *testing.T, m *webrtc.MediaEngine) *otherProgram {
	t.Helper()
	se := webrtc.SettingEngine{LoggerFactory: &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelDisabled}}
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	o := &otherProgram{pc: pc}
	pc.OnDataChannel(o.take)
	return o
}

// take reads dc's messages as text.
func (o *otherProgram) take(dc *webrtc.DataChannel) {
	o.mu.Lock()
	o.channels = append(o.channels, dc)
	o.mu.Unlock()
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.messages = append(o.messages, string(msg.Data))
	})
}

func (o *otherProgram) received() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.messages)
}

// channel returns the first of its channels that is open.
func (o *otherProgram) channel() *webrtc.DataChannel {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, dc := range o.channels {
		if dc.ReadyState() == webrtc.DataChannelStateOpen {
			return dc
		}
	}
	return nil
}

// complete sets desc and returns it with its candidates.
func (o *otherProgram) complete(t *testing.T, desc webrtc.SessionDescription) webrtc.SessionDescription {
	t.Helper()
	gathered := webrtc.GatheringCompletePromise(o.pc)
	if err := o.pc.SetLocalDescription(desc); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gathered:
	case <-time.After(10 * time.Second):
		t.Fatal("the other program gathered no candidates within 10 s")
	}
	return *o.pc.LocalDescription()
}

// answer answers pigeon's offer, as pion's data-channels example does.
func (o *otherProgram) answer(t *testing.T, offer webrtc.SessionDescription) webrtc.SessionDescription {
	t.Helper()
	if err := o.pc.SetRemoteDescription(offer); err != nil {
		t.Fatal(err)
	}
	answer, err := o.pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return o.complete(t, answer)
}

// calledBy answers caller's offer as the program does, and hands the
// answer to caller, told its peer is no pigeon; it returns the answer.
func (o *otherProgram) calledBy(t *testing.T, caller *peer) webrtc.SessionDescription {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := caller.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer := o.answer(t, offer)
	caller.SetPeer(PeerOther)
	if err := caller.Accept(answer); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return answer
}

// offer makes an offer with a chat channel of its own, labelled label, as
// a browser's page does.
func (o *otherProgram) offer(t *testing.T, label string) webrtc.SessionDescription {
	t.Helper()
	dc, err := o.pc.CreateDataChannel(label, nil)
	if err != nil {
		t.Fatal(err)
	}
	o.take(dc)
	offer, err := o.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return o.complete(t, offer)
}

// chatWithOtherProgram checks the chat both ways between pigeon's p and
// the program o, once connected: plain text each way, and nothing of
// pigeon's own (no name, no acknowledgement, nothing left undelivered).
func chatWithOtherProgram(t *testing.T, p *peer, o *otherProgram) {
	t.Helper()
	select {
	case <-p.Ready():
	case <-time.After(15 * time.Second):
		t.Fatal("pigeon's chat did not open within 15 s")
	}
	if err := p.Send("hello from pigeon"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the program to get pigeon's message", func() bool { return slices.Contains(o.received(), "hello from pigeon") })
	waitFor(t, "the program's channel to open", func() bool { return o.channel() != nil })
	if err := o.channel().SendText("héllo ✓ from the program"); err != nil {
		t.Fatal(err)
	}
	if err := o.channel().Send([]byte("and as bytes")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pigeon to show the program's messages", func() bool {
		return slices.Equal(p.received(), []string{"héllo ✓ from the program", "and as bytes"})
	})
	if got := o.received(); !slices.Equal(got, []string{"hello from pigeon"}) {
		t.Errorf("the program received %q, want pigeon's one message as plain text", got)
	}
	if lost := p.Undelivered(); len(lost) != 0 {
		t.Errorf("pigeon lists %q as undelivered", lost)
	}
}

// TestChatWithAnotherProgramThatAnswers: pigeon calls a program that is not
// a pigeon, and announces the chat to it, as pion's data-channels example
// expects; the program hangs up by closing the connection.
func TestChatWithAnotherProgramThatAnswers(t *testing.T) {
	named := func(o *Options) { o.Name = "alice" }
	caller := newPeer(t, Caller, nil, 10*time.Second, named)
	other := newOtherProgram(t)
	other.calledBy(t, caller)
	chatWithOtherProgram(t, caller, other)
	if label := other.channel().Label(); label != chatLabel {
		t.Errorf("pigeon's chat channel is labelled %q, want %q", label, chatLabel)
	}
	if err := caller.TellMedia(false, true); err != nil {
		t.Errorf("TellMedia: %v", err)
	}
	if err := caller.AddTrack(openTestMedia(t).Video()); !errors.Is(err, ErrPeerNotPigeon) {
		t.Errorf("AddTrack = %v, want ErrPeerNotPigeon", err)
	}
	if _, err := caller.RestartCode(context.Background()); !errors.Is(err, ErrPeerNotPigeon) {
		t.Errorf("RestartCode = %v, want ErrPeerNotPigeon", err)
	}
	time.Sleep(200 * time.Millisecond) // anything pigeon wrongly sent has time to come
	if got := other.received(); !slices.Equal(got, []string{"hello from pigeon"}) {
		t.Errorf("the program received %q: pigeon's own messages reached it", got)
	}

	other.pc.Close()
	select {
	case <-caller.hungUp:
	case <-time.After(10 * time.Second):
		t.Fatal("pigeon did not take the closed connection for a hang-up")
	}
	if err := caller.Wait(); err != nil {
		t.Errorf("the call ended with %v, want a hang-up", err)
	}
}

// TestChatWithAnotherProgramThatCalls: a program that is not a pigeon
// calls with a chat channel of its own, under any label; pigeon takes it,
// and hanging up closes the connection.
func TestChatWithAnotherProgramThatCalls(t *testing.T) {
	for _, label := range []string{"chat", "sendChannel"} {
		t.Run(label, func(t *testing.T) {
			other := newOtherProgram(t)
			callee := newPeer(t, Callee, nil, 10*time.Second)
			callee.SetPeer(PeerOther)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			answer, err := callee.Answer(ctx, other.offer(t, label))
			if err != nil {
				t.Fatal(err)
			}
			if err := other.pc.SetRemoteDescription(answer); err != nil {
				t.Fatal(err)
			}
			chatWithOtherProgram(t, callee, other)
			callee.HangUp()
			if err := callee.Wait(); err != nil {
				t.Errorf("the call ended with %v, want a hang-up", err)
			}
			waitFor(t, "the program to see the connection close", func() bool {
				return other.pc.ConnectionState() == webrtc.PeerConnectionStateClosed || other.channel() == nil
			})
		})
	}
}

// TestPionLogsGoToTheSession: what pion logs in a session goes to
// Options.LoggerFactory: here the error of a program that sends on a
// channel it never announced, as pigeons before the in-band chat did to
// pion's examples.
func TestPionLogsGoToTheSession(t *testing.T) {
	var (
		mu    sync.Mutex
		lines []string
	)
	logs := pionlog.New(func(line string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, line)
	})
	caller := newPeer(t, Caller, nil, 10*time.Second, func(o *Options) { o.LoggerFactory = logs })
	other := newOtherProgram(t)
	negotiated, id := true, uint16(9)
	unannounced, err := other.pc.CreateDataChannel("mine", &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
	if err != nil {
		t.Fatal(err)
	}
	unannounced.OnOpen(func() { unannounced.SendText("hello") })
	other.calledBy(t, caller)
	want := "peer connection error: failed to accept data channel: "
	waitFor(t, "pion's error in the session's log", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) })
	})
}

// TestAnotherProgramRejectsAudio: a program with no audio codec rejects
// the audio pigeon offers, as pion's reflect example does; pigeon applies
// the answer all the same and sends its video.
func TestAnotherProgramRejectsAudio(t *testing.T) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		PayloadType:        96,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	other := newOtherProgramWith(t, m)
	video := make(chan webrtc.RTPCodecType, 4)
	other.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if _, _, err := tr.ReadRTP(); err == nil {
			video <- tr.Kind()
		}
	})
	caller := newPeer(t, Caller, openTestMedia(t), 10*time.Second)
	if answer := other.calledBy(t, caller); !strings.Contains(answer.SDP, "m=audio 0 ") {
		t.Fatalf("the program did not reject the audio:\n%s", answer.SDP)
	}
	select {
	case kind := <-video:
		if kind != webrtc.RTPCodecTypeVideo {
			t.Errorf("the program received %v", kind)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the program received none of pigeon's video")
	}
}

// TestAnotherProgramClosesTheChat: a program that closes the chat channel
// pigeon announced (pion's reflect example closes channels it has no use
// for) has not hung up: the call goes on, and what pigeon sends meanwhile
// is left undelivered.
func TestAnotherProgramClosesTheChat(t *testing.T) {
	caller := newPeer(t, Caller, nil, 10*time.Second)
	other := newOtherProgram(t)
	other.calledBy(t, caller)
	<-caller.Ready()
	waitFor(t, "the program's channel", func() bool { return other.channel() != nil })
	if err := other.channel().Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pigeon's chat to close", func() bool {
		return caller.chat.Load().ReadyState() == webrtc.DataChannelStateClosed
	})
	if err := caller.Send("after the close"); err != nil {
		t.Errorf("Send after the peer closed the chat: %v", err)
	}
	select {
	case <-caller.Done():
		t.Fatalf("the call ended when the program closed the chat: %v", caller.Wait())
	default:
	}
	if lost := caller.Undelivered(); !slices.Equal(lost, []string{"after the close"}) {
		t.Errorf("undelivered %q, want the message sent after the close", lost)
	}
}
