package render

import (
	"image"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/codec/vpx"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/capture"
	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// vp8Frames is n frames of the test picture through libvpx, with a keyframe
// every keyEvery frames, cut into packets; frames[i] holds frame i's packets.
func vp8Frames(t testing.TB, n, keyEvery int) [][]*rtp.Packet {
	t.Helper()
	src := capture.NewTestVideo(160, 120, 1000)
	defer src.Close()
	encoded, err := mediatest.EncodeVP8WithKeyFrames(src, 160, 120, n, keyEvery)
	if err != nil {
		t.Fatal(err)
	}
	pz := rtp.NewPacketizer(300, 96, 7, &codecs.VP8Payloader{}, rtp.NewFixedSequencer(65000), 90000)
	var frames [][]*rtp.Packet
	for _, f := range encoded {
		frames = append(frames, pz.Packetize(f, 3000))
	}
	return frames
}

func videoTrackOf(packets []*rtp.Packet) *fakeTrack {
	track := &fakeTrack{kind: webrtc.RTPCodecTypeVideo, packets: packets, frameGap: 2 * time.Millisecond}
	track.codec.MimeType, track.codec.ClockRate = webrtc.MimeTypeVP8, 90000
	return track
}

// keyRequests records the keyframe requests an Output makes.
type keyRequests struct {
	mu    sync.Mutex
	ssrcs []webrtc.SSRC
}

func (k *keyRequests) request(ssrc webrtc.SSRC) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ssrcs = append(k.ssrcs, ssrc)
}

func (k *keyRequests) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.ssrcs)
}

func TestVideoDecoding(t *testing.T) {
	frames := vp8Frames(t, 40, 10) // keyframes at 0, 10, 20, 30
	flat := func(fs [][]*rtp.Packet) []*rtp.Packet {
		var out []*rtp.Packet
		for _, f := range fs {
			out = append(out, f...)
		}
		return out
	}
	tests := []struct {
		name     string
		packets  func() []*rtp.Packet
		decoded  int
		requests bool // keyframes asked for
	}{
		{"in order", func() []*rtp.Packet { return flat(frames) }, 40, false},
		{"packets of a frame reordered", func() []*rtp.Packet {
			p := flat(frames)
			// Frame 5's packets arrive last first.
			f5 := len(flat(frames[:5]))
			n := len(frames[5])
			for i := range n / 2 {
				p[f5+i], p[f5+n-1-i] = p[f5+n-1-i], p[f5+i]
			}
			return p
		}, 40, false},
		{"a packet lost in frame 12", func() []*rtp.Packet {
			// Frames 12 to 19 cannot decode; the keyframe at 20 recovers.
			p := flat(frames[:12])
			p = append(p, frames[12][1:]...)
			return append(p, flat(frames[13:])...)
		}, 40 - 8, true},
		{"frame 15 lost whole", func() []*rtp.Packet {
			return append(flat(frames[:15]), flat(frames[16:])...)
		}, 40 - 5, true},
		{"a broken keyframe", func() []*rtp.Packet {
			// Frame 10's partitions cut short: libvpx refuses it, and what
			// follows it until frame 20.
			p := flat(frames[:10])
			for _, pkt := range frames[10] {
				c := *pkt
				if len(c.Payload) > 40 {
					c.Payload = c.Payload[:40]
				}
				p = append(p, &c)
			}
			return append(p, flat(frames[11:])...)
		}, 40 - 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys keyRequests
			var pictures int
			out, err := New(Options{RequestKeyFrame: keys.request, OnVideoFrame: func(img *image.YCbCr) {
				pictures++
				if img.Rect.Dx() != 160 || img.Rect.Dy() != 120 {
					t.Errorf("decoded a %v picture, want 160x120", img.Rect)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			if err := out.Play(videoTrackOf(tt.packets())); err != nil {
				t.Fatal(err)
			}
			st := out.Stats()[0]
			if st.Decoded != tt.decoded || pictures != tt.decoded {
				t.Errorf("decoded %d pictures (%d handed on), want %d; stats %+v", st.Decoded, pictures, tt.decoded, st)
			}
			if st.FirstDecoded.IsZero() || st.LastDecoded.Before(st.FirstDecoded) {
				t.Errorf("first decoded at %v, last at %v", st.FirstDecoded, st.LastDecoded)
			}
			if got := keys.count() > 0; got != tt.requests || st.KeyFrameRequests != keys.count() {
				t.Errorf("%d keyframe requests (stats say %d), want some: %v", keys.count(), st.KeyFrameRequests, tt.requests)
			}
			for _, ssrc := range keys.ssrcs {
				if ssrc != 7 {
					t.Errorf("asked for a keyframe on SSRC %d, want 7", ssrc)
				}
			}
		})
	}
}

func TestVideoStartingMidStreamWaitsForAKeyFrame(t *testing.T) {
	frames := vp8Frames(t, 25, 20)
	var p []*rtp.Packet
	for _, f := range frames[3:] {
		p = append(p, f...)
	}
	var keys keyRequests
	out, err := New(Options{RequestKeyFrame: keys.request})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := out.Play(videoTrackOf(p)); err != nil {
		t.Fatal(err)
	}
	st := out.Stats()[0]
	if st.Decoded != 5 || st.Skipped != 17 {
		t.Errorf("decoded %d and skipped %d, want 5 from the keyframe at 20 and 17 skipped", st.Decoded, st.Skipped)
	}
	if keys.count() != 1 {
		t.Errorf("%d keyframe requests in a few milliseconds, want 1 (they are spaced %v apart)", keys.count(), KeyFrameInterval)
	}
}

// BenchmarkVP8Decode measures libvpx alone on whole frames, and the whole
// path of a frame from its RTP packets to a decoded picture (reassembly,
// keyframe gating, decoding, counting), one frame at a time.
func BenchmarkVP8Decode(b *testing.B) {
	for _, size := range []struct{ w, h int }{{640, 480}, {1280, 720}} {
		src := capture.NewTestVideo(size.w, size.h, 1000)
		encoded, err := mediatest.EncodeVP8WithKeyFrames(src, size.w, size.h, 60, 60)
		src.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmtSize(size.w, size.h)+"/libvpx", func(b *testing.B) {
			frames := make(chan []byte, 1)
			dec, err := vpx.NewDecoder(chanFrames(frames), prop.Media{})
			if err != nil {
				b.Fatal(err)
			}
			defer dec.Close()
			i := 0
			for b.Loop() {
				if i%len(encoded) == 0 {
					dec.Close() // start again at the keyframe
					dec, _ = vpx.NewDecoder(chanFrames(frames), prop.Media{})
				}
				frames <- encoded[i%len(encoded)]
				if _, _, err := dec.Read(); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
		b.Run(fmtSize(size.w, size.h)+"/pipeline", func(b *testing.B) {
			pz := rtp.NewPacketizer(1200, 96, 7, &codecs.VP8Payloader{}, rtp.NewRandomSequencer(), 90000)
			var packets []*rtp.Packet
			for i := 0; i < b.N; i++ {
				packets = append(packets, pz.Packetize(encoded[i%len(encoded)], 3000)...)
			}
			decoded := make(chan struct{}, 1)
			out, err := New(Options{OnVideoFrame: func(*image.YCbCr) { decoded <- struct{}{} }})
			if err != nil {
				b.Fatal(err)
			}
			defer out.Close()
			track := videoTrackOf(packets)
			track.frameGap = 0
			track.afterFrame = func() { <-decoded }
			b.ResetTimer()
			if err := out.Play(track); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			if st := out.Stats()[0]; st.Decoded != b.N {
				b.Fatalf("decoded %d of %d", st.Decoded, b.N)
			}
		})
	}
}

// chanFrames hands the decoder one whole frame per Read.
type chanFrames chan []byte

func (c chanFrames) Read(p []byte) (int, error) { return copy(p, <-c), nil }

func fmtSize(w, h int) string {
	return itoa(w) + "x" + itoa(h)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestVideoFrameWithoutAnEnd feeds what a hostile peer can: 5000 packets
// of one frame that never sets the marker bit, then real frames. The
// frame being put together is dropped each time it passes the bounds, a
// keyframe is asked for, and the frames after it decode.
func TestVideoFrameWithoutAnEnd(t *testing.T) {
	frames := vp8Frames(t, 5, 10)
	const flood = 5000
	first := frames[0][0]
	var packets []*rtp.Packet
	for i := range flood {
		packets = append(packets, &rtp.Packet{
			Header: rtp.Header{
				Version: 2, PayloadType: first.PayloadType, SSRC: first.SSRC,
				SequenceNumber: first.SequenceNumber - flood + uint16(i), Timestamp: first.Timestamp - 3000,
			},
			// Each one a partition's start (S bit), 1000 bytes of nothing.
			Payload: append([]byte{0x10}, make([]byte, 1000)...),
		})
	}
	for _, f := range frames {
		packets = append(packets, f...)
	}
	var keys keyRequests
	out, err := New(Options{RequestKeyFrame: keys.request})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := out.Play(videoTrackOf(packets)); err != nil {
		t.Fatal(err)
	}
	st := out.Stats()[0]
	if want := flood / (maxFramePackets + 1); st.TooLarge != want {
		t.Errorf("%d frames dropped as too large, want %d (one each %d packets)", st.TooLarge, want, maxFramePackets+1)
	}
	if keys.count() == 0 || st.KeyFrameRequests == 0 {
		t.Error("no keyframe was asked for")
	}
	if st.Decoded != len(frames) {
		t.Errorf("decoded %d of the %d real frames after the flood", st.Decoded, len(frames))
	}
	if !strings.Contains(st.String(), "dropped as too large") {
		t.Errorf("the summary %q does not say so", st)
	}
}
