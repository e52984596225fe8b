package render

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// fakeTrack plays back prepared packets, then ends.
type fakeTrack struct {
	kind    webrtc.RTPCodecType
	codec   webrtc.RTPCodecParameters
	packets []*rtp.Packet
	// frameGap is a pause after each packet that ends a frame, so that a
	// decoder keeps up as it does with a real-time stream.
	frameGap time.Duration
	// afterFrame, if set, runs after each packet that ends a frame is read,
	// before the next packet: a benchmark waits there for the picture.
	afterFrame func()
	frameEnded bool
}

func (f *fakeTrack) Kind() webrtc.RTPCodecType        { return f.kind }
func (f *fakeTrack) Codec() webrtc.RTPCodecParameters { return f.codec }
func (f *fakeTrack) ReadRTP() (*rtp.Packet, interceptor.Attributes, error) {
	if f.frameEnded && f.afterFrame != nil {
		f.afterFrame()
	}
	if len(f.packets) == 0 {
		return nil, nil, io.EOF
	}
	p := f.packets[0]
	f.packets = f.packets[1:]
	f.frameEnded = p.Marker
	if p.Marker && f.frameGap > 0 {
		time.Sleep(f.frameGap) // paces the frames, as a sender's frame rate does
	}
	return p, nil, nil
}

func vp8Track(t *testing.T, frames int) *fakeTrack {
	t.Helper()
	src := capture.NewTestVideo(160, 120, 1000)
	defer src.Close()
	encoded, err := mediatest.EncodeVP8(src, 160, 120, frames)
	if err != nil {
		t.Fatal(err)
	}
	// A small MTU splits frames over several packets, as on a real path.
	pz := rtp.NewPacketizer(300, 96, 1, &codecs.VP8Payloader{}, rtp.NewFixedSequencer(1), 90000)
	track := &fakeTrack{kind: webrtc.RTPCodecTypeVideo}
	track.codec.MimeType = webrtc.MimeTypeVP8
	track.codec.ClockRate = 90000
	for _, f := range encoded {
		track.packets = append(track.packets, pz.Packetize(f, 3000)...)
	}
	return track
}

func opusTrack(packets int) *fakeTrack {
	track := &fakeTrack{kind: webrtc.RTPCodecTypeAudio}
	track.codec.MimeType = webrtc.MimeTypeOpus
	track.codec.ClockRate = 48000
	track.codec.Channels = 2
	for i := range packets {
		// TOC 0xfc: CELT fullband 20 ms, one frame; then silence bytes.
		track.packets = append(track.packets, &rtp.Packet{
			Header:  rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(960 * i), Marker: i == 0},
			Payload: []byte{0xfc, 0xff, 0xfe},
		})
	}
	return track
}

func TestRecordVP8DecodesAndCounts(t *testing.T) {
	dir := t.TempDir()
	out, err := New(Options{RecordDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	track := vp8Track(t, 30)
	packets := len(track.packets)
	if err := out.Play(track); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	st := out.Stats()
	if len(st) != 1 {
		t.Fatalf("got stats for %d tracks, want 1", len(st))
	}
	s := st[0]
	if s.Packets != packets || s.Frames != 30 || s.KeyFrames < 1 || s.Width != 160 || s.Height != 120 {
		t.Errorf("stats %+v: want %d packets, 30 frames, a keyframe, 160x120", s, packets)
	}
	if !strings.Contains(s.String(), "160x120: 30 frames") {
		t.Errorf("summary %q does not say what arrived", s)
	}

	ivf, err := mediatest.DecodeIVF(filepath.Join(dir, VideoFile))
	if err != nil {
		t.Fatal(err)
	}
	if ivf.Frames != 30 || ivf.Width != 160 || ivf.Height != 120 {
		t.Errorf("decoded %d frames of %dx%d, want 30 of 160x120", ivf.Frames, ivf.Width, ivf.Height)
	}
}

func TestRecordOpus(t *testing.T) {
	dir := t.TempDir()
	out, err := New(Options{RecordDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Play(opusTrack(50)); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	ogg, err := mediatest.ReadOgg(filepath.Join(dir, AudioFile))
	if err != nil {
		t.Fatal(err)
	}
	if ogg.Pages != 50 || ogg.SampleRate != 48000 || ogg.Channels != 2 || !ogg.Ended {
		t.Errorf("ogg %+v, want 50 pages of 48 kHz stereo, the last marked as the end", ogg)
	}
}

func TestNoRecordingStillCounts(t *testing.T) {
	out, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Play(opusTrack(7)); err != nil {
		t.Fatal(err)
	}
	if st := out.Stats(); len(st) != 1 || st[0].Packets != 7 {
		t.Fatalf("stats %+v, want 7 packets", st)
	}
}

func TestVP8KeyFrameSize(t *testing.T) {
	key := []byte{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01}
	tests := []struct {
		name    string
		payload []byte
		w, h    int
		ok      bool
	}{
		{"640x480 keyframe", key, 640, 480, true},
		{"interframe", []byte{0x10, 0x01, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01}, 0, 0, false},
		{"not the first packet", append([]byte{0x00}, key[1:]...), 0, 0, false},
		{"cut short", key[:6], 0, 0, false},
		{"empty", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, ok := vp8KeyFrameSize(tt.payload)
			if w != tt.w || h != tt.h || ok != tt.ok {
				t.Errorf("got %dx%d %v, want %dx%d %v", w, h, ok, tt.w, tt.h, tt.ok)
			}
		})
	}
}
