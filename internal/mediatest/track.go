package mediatest

import (
	"io"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/codec/opus"
	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// LiveTrack is a remote track whose media is encoded as it is read, as it
// arrives on a call: each frame of its source goes through the encoder
// pigeon sends with and is cut into RTP packets. With a real-time source
// (capture.NewTestVideo, capture.NewTestAudio) it paces itself.
// render.Track is satisfied by it.
type LiveTrack struct {
	kind   webrtc.RTPCodecType
	codec  webrtc.RTPCodecParameters
	enc    codec.ReadCloser
	pz     rtp.Packetizer
	frames int // left to encode
	last   time.Time
	queue  []*rtp.Packet

	// Drop, if set, is asked about each packet (numbered from 0): true loses it.
	Drop func(n int, pkt *rtp.Packet) bool
	sent int

	mu     sync.Mutex
	closed bool
}

// mtu is small, so that frames span several packets as on a real path.
const mtu = 1000

// NewLiveVP8Track encodes n frames of src (width x height) with libvpx.
func NewLiveVP8Track(src video.Reader, width, height, n int) (*LiveTrack, error) {
	params, err := vpx.NewVP8Params()
	if err != nil {
		return nil, err
	}
	params.BitRate = 1_000_000
	enc, err := params.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: width, Height: height}})
	if err != nil {
		return nil, err
	}
	t := &LiveTrack{kind: webrtc.RTPCodecTypeVideo, enc: enc, frames: n,
		pz: rtp.NewPacketizer(mtu, 96, 0x1234, &codecs.VP8Payloader{}, rtp.NewRandomSequencer(), 90000)}
	t.codec.MimeType, t.codec.ClockRate, t.codec.PayloadType = webrtc.MimeTypeVP8, 90000, 96
	return t, nil
}

// NewLiveOpusTrack encodes n 20 ms packets of src (48 kHz mono) with libopus.
func NewLiveOpusTrack(src audio.Reader, n int) (*LiveTrack, error) {
	params, err := opus.NewParams()
	if err != nil {
		return nil, err
	}
	enc, err := params.BuildAudioEncoder(src, prop.Media{Audio: prop.Audio{SampleRate: 48000, ChannelCount: 1}})
	if err != nil {
		return nil, err
	}
	t := &LiveTrack{kind: webrtc.RTPCodecTypeAudio, enc: enc, frames: n,
		pz: rtp.NewPacketizer(mtu, 111, 0x5678, &codecs.OpusPayloader{}, rtp.NewRandomSequencer(), 48000)}
	t.codec.MimeType, t.codec.ClockRate, t.codec.Channels, t.codec.PayloadType = webrtc.MimeTypeOpus, 48000, 2, 111
	return t, nil
}

// Kind is video or audio.
func (t *LiveTrack) Kind() webrtc.RTPCodecType { return t.kind }

// Codec is VP8 or Opus.
func (t *LiveTrack) Codec() webrtc.RTPCodecParameters { return t.codec }

// ReadRTP returns the next packet, encoding the next frame when the last
// one is all sent; io.EOF after the last frame.
func (t *LiveTrack) ReadRTP() (*rtp.Packet, interceptor.Attributes, error) {
	for {
		if len(t.queue) > 0 {
			p := t.queue[0]
			t.queue = t.queue[1:]
			n := t.sent
			t.sent++
			if t.Drop != nil && t.Drop(n, p) {
				continue
			}
			return p, nil, nil
		}
		t.mu.Lock()
		closed := t.closed
		t.mu.Unlock()
		if t.frames == 0 || closed {
			return nil, nil, io.EOF
		}
		frame, release, err := t.enc.Read()
		if err != nil {
			return nil, nil, err
		}
		// Timestamps follow the capture clock, as a sender's do.
		now := time.Now()
		samples := uint32(960)
		if t.kind == webrtc.RTPCodecTypeVideo {
			samples = 3000
			if !t.last.IsZero() {
				samples = uint32(now.Sub(t.last) * 90000 / time.Second)
			}
		}
		t.last = now
		t.queue = t.pz.Packetize(frame, samples)
		release()
		t.frames--
	}
}

// Close ends the track: the next ReadRTP after the current frame returns
// io.EOF. It releases the encoder.
func (t *LiveTrack) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	return t.enc.Close()
}
