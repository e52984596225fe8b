package capture

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// fakeBinding is what pion hands a track it binds: the negotiated codec, an
// SSRC and a writer, which drops the packets of the first frames as pion
// does before the connection is up.
type fakeBinding struct {
	id     string
	params webrtc.RTPCodecParameters
	drop   int // frames to drop

	mu      sync.Mutex
	frames  int      // frames written, dropped or not
	packets [][]byte // the payloads of the packets not dropped
	got     chan struct{}
	closed  chan struct{}
}

func newFakeBinding(id string, params webrtc.RTPCodecParameters, drop int) *fakeBinding {
	return &fakeBinding{id: id, params: params, drop: drop, got: make(chan struct{}, 1000), closed: make(chan struct{})}
}

func (b *fakeBinding) CodecParameters() []webrtc.RTPCodecParameters {
	return []webrtc.RTPCodecParameters{b.params}
}
func (b *fakeBinding) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter { return nil }
func (b *fakeBinding) SSRC() webrtc.SSRC                                      { return 1234 }
func (b *fakeBinding) SSRCRetransmission() webrtc.SSRC                        { return 0 }
func (b *fakeBinding) SSRCForwardErrorCorrection() webrtc.SSRC                { return 0 }
func (b *fakeBinding) WriteStream() webrtc.TrackLocalWriter                   { return b }
func (b *fakeBinding) ID() string                                             { return b.id }
func (b *fakeBinding) RTCPReader() interceptor.RTCPReader                     { return b }

func (b *fakeBinding) Read([]byte, interceptor.Attributes) (int, interceptor.Attributes, error) {
	<-b.closed
	return 0, nil, io.EOF
}

func (b *fakeBinding) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	dropped := b.frames < b.drop
	if h.Marker {
		b.frames++
	}
	if dropped {
		return 0, nil
	}
	b.packets = append(b.packets, append([]byte(nil), payload...))
	b.got <- struct{}{}
	return h.MarshalSize() + len(payload), nil
}

func (b *fakeBinding) Write(p []byte) (int, error) { return len(p), nil }

// waitPackets waits for n packets that were not dropped.
func (b *fakeBinding) waitPackets(t *testing.T, n int) [][]byte {
	t.Helper()
	for range n {
		select {
		case <-b.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("only some of %d packets came", n)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.packets...)
}

var (
	vp8Negotiated  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, PayloadType: 96}
	opusNegotiated = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111}
)

// unwrap returns the mediadevices track a prepared track sends.
func unwrap(t mediadevices.Track) mediadevices.Track {
	if p, ok := t.(*preparedTrack); ok {
		return p.Track
	}
	return t
}

// startsVP8KeyFrame reports whether the RTP payload starts a VP8 keyframe.
func startsVP8KeyFrame(t *testing.T, payload []byte) bool {
	t.Helper()
	var p codecs.VP8Packet
	frame, err := p.Unmarshal(payload)
	if err != nil || p.S != 1 || len(frame) == 0 {
		t.Fatalf("the first packet is no start of a VP8 frame (%v)", err)
	}
	return isVP8KeyFrame(frame)
}

// TestTracksComeWithTheirEncoders: the encoders are made when the media
// opens, not when pion binds the tracks, and the first picture pion lets
// through after dropping some (the connection was not up) is a keyframe.
func TestTracksComeWithTheirEncoders(t *testing.T) {
	m, err := Open(Options{Video: Test, Audio: Test, Width: 160, Height: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	video, ok := m.Video().(*preparedTrack)
	if !ok {
		t.Fatalf("the video track is a %T, not a prepared one", m.Video())
	}
	audio, ok := m.Audio.(*preparedTrack)
	if !ok {
		t.Fatalf("the audio track is a %T, not a prepared one", m.Audio)
	}
	for _, p := range []*preparedTrack{video, audio} {
		<-p.ready
		if p.EncoderController() == nil {
			t.Errorf("the %s track has no encoder before it is bound", p.Kind())
		}
	}

	b := newFakeBinding("video", vp8Negotiated, 3)
	defer close(b.closed)
	params, err := video.Bind(b)
	if err != nil || params.PayloadType != 96 {
		t.Fatalf("Bind = %v, %v", params, err)
	}
	if first := b.waitPackets(t, 1)[0]; !startsVP8KeyFrame(t, first) {
		t.Error("the first picture after 3 dropped ones is not a keyframe: the peer cannot decode it")
	}
	if err := video.Unbind(b); err != nil {
		t.Fatal(err)
	}

	// Turned off and on again: it sends with the same encoder.
	enc := video.enc
	again := newFakeBinding("video again", vp8Negotiated, 0)
	defer close(again.closed)
	if _, err := video.Bind(again); err != nil {
		t.Fatal(err)
	}
	again.waitPackets(t, 2)
	if video.enc != enc {
		t.Error("binding again made another encoder")
	}
	if err := video.Unbind(again); err != nil {
		t.Fatal(err)
	}

	sound := newFakeBinding("audio", opusNegotiated, 0)
	defer close(sound.closed)
	if _, err := audio.Bind(sound); err != nil {
		t.Fatal(err)
	}
	if got := sound.waitPackets(t, 3); len(got[0]) == 0 {
		t.Error("the audio track sends empty packets")
	}
	if err := audio.Unbind(sound); err != nil {
		t.Fatal(err)
	}
}

// frameStarts lists, for each frame whose first packet is among payloads,
// whether it is a keyframe.
func frameStarts(payloads [][]byte) []bool {
	var keys []bool
	for _, payload := range payloads {
		var p codecs.VP8Packet
		frame, err := p.Unmarshal(payload)
		if err == nil && p.S == 1 && p.PID == 0 {
			keys = append(keys, isVP8KeyFrame(frame))
		}
	}
	return keys
}

// TestALateBindingStartsWithAKeyFrame binds the video a second time while
// a first binding sends, as when a peer joins a call: the newcomer's
// connection drops the first pictures (it is not up yet), its first
// picture is then followed at once by a keyframe, and meanwhile the first
// peer's pictures are not all made keyframes.
func TestALateBindingStartsWithAKeyFrame(t *testing.T) {
	m, err := Open(Options{Video: Test, Audio: None, Width: 160, Height: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	video := m.Video().(*preparedTrack)
	first := newFakeBinding("first", vp8Negotiated, 0)
	defer close(first.closed)
	if _, err := video.Bind(first); err != nil {
		t.Fatal(err)
	}
	first.waitPackets(t, 10)
	first.mu.Lock()
	before := len(first.packets)
	first.mu.Unlock()

	late := newFakeBinding("late", vp8Negotiated, 10)
	defer close(late.closed)
	if _, err := video.Bind(late); err != nil {
		t.Fatal(err)
	}
	// Its first frames are dropped; then it takes two or more.
	deadline := time.Now().Add(10 * time.Second)
	for {
		late.mu.Lock()
		keys := frameStarts(late.packets)
		late.mu.Unlock()
		if len(keys) >= 3 {
			if !keys[0] && !keys[1] {
				t.Errorf("the late binding's first frames are %v: no keyframe right after the first it took", keys)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the late binding took no frames")
		}
		time.Sleep(10 * time.Millisecond)
	}
	first.mu.Lock()
	keys := frameStarts(first.packets[before:])
	first.mu.Unlock()
	n := 0
	for _, k := range keys {
		if k {
			n++
		}
	}
	if len(keys) < 10 || n > 3 {
		t.Errorf("while the late binding connected, %d of the first binding's %d frames were keyframes", n, len(keys))
	}

	// Unbinding one leaves the other going.
	if err := video.Unbind(first); err != nil {
		t.Fatal(err)
	}
	drain(late.got)
	late.waitPackets(t, 5)
	if err := video.Unbind(late); err != nil {
		t.Fatal(err)
	}
}
