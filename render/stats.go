package render

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"github.com/pigeon-call/pigeon/render/webmwriter"
)

// Stats counts what arrived on one remote track, and what became of it.
type Stats struct {
	// Peer is the ID of the peer the track comes from (Output.PlayPeer);
	// "" in a call with one peer.
	Peer          string
	Kind          webrtc.RTPCodecType
	MimeType      string
	Packets       int
	Bytes         int
	Frames        int // complete video frames (the RTP marker bit)
	KeyFrames     int
	Width, Height int // from the last VP8 keyframe
	First, Last   time.Time
	BitRate       float64 // bits a second arriving, over about the last second

	// Video, after decoding.
	Decoded          int       // pictures decoded
	FirstDecoded     time.Time // when the first picture was decoded
	LastDecoded      time.Time
	FPS              float64 // pictures decoded a second, over about the last second
	DecodeErrors     int     // frames libvpx refused
	Skipped          int     // frames not decoded: broken by a loss, or waiting for a keyframe after one
	KeyFrameRequests int     // keyframes asked for with RequestKeyFrame
	TooLarge         int     // frames dropped unfinished past a frame's bounds (1 MiB, 1024 packets): a peer that never ends one

	// Audio, as played (20 ms packets); zero when there is no speaker.
	Played    int // decoded as they came
	Concealed int // lost or too late, covered by Opus FEC or PLC
	Late      int // came after their turn to play: dropped
}

// AverageFPS is the decoded frame rate over the whole track.
func (s Stats) AverageFPS() float64 {
	d := s.LastDecoded.Sub(s.FirstDecoded).Seconds()
	if s.Decoded < 2 || d <= 0 {
		return 0
	}
	return float64(s.Decoded-1) / d
}

// String describes what arrived on the track, for a person.
func (s Stats) String() string {
	codec := strings.TrimPrefix(strings.TrimPrefix(s.MimeType, "video/"), "audio/")
	secs := s.Last.Sub(s.First).Seconds()
	if s.Kind == webrtc.RTPCodecTypeVideo {
		decoded := ""
		if s.Decoded > 0 {
			decoded = fmt.Sprintf(", %d decoded (%.1f fps)", s.Decoded, s.AverageFPS())
		}
		if s.TooLarge > 0 {
			decoded += fmt.Sprintf(", %d dropped as too large", s.TooLarge)
		}
		return fmt.Sprintf("video %s %dx%d: %d frames (%d keyframes)%s, %s in %.1f s",
			codec, s.Width, s.Height, s.Frames, s.KeyFrames, decoded, byteSize(s.Bytes), secs)
	}
	played := ""
	if s.Played > 0 {
		played = fmt.Sprintf(", %d played (%d concealed)", s.Played, s.Concealed)
	}
	return fmt.Sprintf("audio %s: %d packets%s, %s in %.1f s", codec, s.Packets, played, byteSize(s.Bytes), secs)
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// rateWindow measures a rate over windows of about a second.
type rateWindow struct {
	start time.Time
	sum   float64
	rate  float64
	last  time.Time
}

func (r *rateWindow) add(now time.Time, v float64) {
	if r.start.IsZero() {
		r.start = now
	}
	r.sum += v
	r.last = now
	if d := now.Sub(r.start); d >= time.Second {
		r.rate = r.sum / d.Seconds()
		r.start, r.sum = now, 0
	}
}

// at is the rate at now: over the last whole window, or over the first
// part of one before a window is whole; nothing for two seconds means zero.
func (r *rateWindow) at(now time.Time) float64 {
	if r.last.IsZero() || now.Sub(r.last) > 2*time.Second {
		return 0
	}
	if d := now.Sub(r.start); r.rate == 0 && d >= 200*time.Millisecond {
		return r.sum / d.Seconds()
	}
	return r.rate
}

// trackState is one track's counts and recording state; the Output's mutex
// guards it.
type trackState struct {
	stats     Stats
	clockRate uint32
	rec       rtpSink    // IVF or Ogg recording, or nil
	clock     mediaClock // the track on the WebM's timeline
	jb        *jitterBuffer
	bits, fps rateWindow
	peer      string // the ID of the peer it comes from, as Stats.Peer
}

func (ts *trackState) count(pkt *rtp.Packet, now time.Time) {
	s := &ts.stats
	if s.Packets == 0 {
		s.First = now
	}
	s.Last = now
	s.Packets++
	s.Bytes += len(pkt.Payload)
	ts.bits.add(now, float64(8*len(pkt.Payload)))
	if s.Kind != webrtc.RTPCodecTypeVideo {
		return
	}
	if pkt.Marker {
		s.Frames++
	}
	if w, h, ok := vp8KeyFrameSize(pkt.Payload); ok {
		s.KeyFrames++
		s.Width, s.Height = w, h
	}
}

func (ts *trackState) decoded(now time.Time) {
	s := &ts.stats
	if s.Decoded == 0 {
		s.FirstDecoded = now
	}
	s.Decoded++
	s.LastDecoded = now
	ts.fps.add(now, 1)
}

func (ts *trackState) snapshot(now time.Time) Stats {
	s := ts.stats
	s.BitRate = ts.bits.at(now)
	s.FPS = ts.fps.at(now)
	if ts.jb != nil {
		js := ts.jb.Stats()
		s.Played, s.Concealed, s.Late = js.Played, js.Concealed, js.Late
	}
	return s
}

// mediaClock places a track's RTP timestamps on the recording's timeline:
// the track starts when its first packet arrived, counted from the first
// packet of any track, and goes on by its own timestamps. Audio and video
// then line up as they arrived, which on a call is as they were captured
// give or take the network's jitter.
type mediaClock struct {
	started bool
	offset  time.Duration // of the track's first packet on the timeline
	last    uint32
	ticks   int64 // since the first packet, unwrapped
}

func (c *mediaClock) at(ts uint32, clockRate uint32, arrival, start time.Time) time.Duration {
	if !c.started {
		c.started, c.offset, c.last = true, arrival.Sub(start), ts
	}
	c.ticks += int64(int32(ts - c.last))
	c.last = ts
	return max(c.offset+time.Duration(c.ticks)*time.Second/time.Duration(clockRate), 0)
}

// vp8KeyFrameSize reports whether payload starts a VP8 keyframe, and its
// picture size (RFC 6386, section 9.1).
func vp8KeyFrameSize(payload []byte) (width, height int, ok bool) {
	var p codecs.VP8Packet
	if _, err := p.Unmarshal(payload); err != nil || p.S != 1 || p.PID != 0 || !webmwriter.IsVP8KeyFrame(p.Payload) {
		return 0, 0, false
	}
	f := p.Payload
	return int(binary.LittleEndian.Uint16(f[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(f[8:]) & 0x3fff), true
}
