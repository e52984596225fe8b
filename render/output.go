package render

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
)

// Names of the files a recording writes in its directory.
const (
	VideoFile = "video.ivf"
	AudioFile = "audio.ogg"
)

// Track is a remote track as pion delivers it; *webrtc.TrackRemote is one.
type Track interface {
	Kind() webrtc.RTPCodecType
	Codec() webrtc.RTPCodecParameters
	ReadRTP() (*rtp.Packet, interceptor.Attributes, error)
}

// Options says where remote media goes.
type Options struct {
	// RecordDir, when set, receives the video as VideoFile and the audio as
	// AudioFile.
	RecordDir string
}

// Output receives the remote tracks of one call.
type Output struct {
	opts Options

	mu     sync.Mutex
	stats  []*Stats
	sinks  []io.Closer
	closed bool
}

// Stats counts what arrived on one remote track.
type Stats struct {
	Kind          webrtc.RTPCodecType
	MimeType      string
	Packets       int
	Bytes         int
	Frames        int // complete video frames (the RTP marker bit)
	KeyFrames     int
	Width, Height int // from the last VP8 keyframe
	First, Last   time.Time
}

// New prepares an output; with a RecordDir it creates that directory.
func New(opts Options) (*Output, error) {
	if opts.RecordDir != "" {
		if err := os.MkdirAll(opts.RecordDir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the recording directory: %w", err)
		}
	}
	return &Output{opts: opts}, nil
}

// Play reads track until it ends, sending its packets to the sinks and
// counting them. It returns nil when the track ends normally.
func (o *Output) Play(track Track) error {
	st := &Stats{Kind: track.Kind(), MimeType: track.Codec().MimeType}
	sink, err := o.sinkFor(track)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.stats = append(o.stats, st)
	o.mu.Unlock()

	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := o.take(st, sink, pkt); err != nil {
			return fmt.Errorf("recording %s: %w", st.Kind, err)
		}
	}
}

// take counts pkt and writes it to sink, unless the output is closed.
func (o *Output) take(st *Stats, sink rtpSink, pkt *rtp.Packet) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	st.count(pkt)
	if sink == nil || o.closed {
		return nil
	}
	return sink.WriteRTP(pkt)
}

type rtpSink interface {
	WriteRTP(*rtp.Packet) error
	Close() error
}

// sinkFor opens the recording file for track, or returns nil when nothing
// is recorded.
func (o *Output) sinkFor(track Track) (rtpSink, error) {
	if o.opts.RecordDir == "" {
		return nil, nil
	}
	var (
		sink rtpSink
		err  error
	)
	codec := track.Codec()
	switch {
	case strings.EqualFold(codec.MimeType, webrtc.MimeTypeVP8):
		sink, err = ivfwriter.New(filepath.Join(o.opts.RecordDir, VideoFile), ivfwriter.WithCodec(codec.MimeType))
	case strings.EqualFold(codec.MimeType, webrtc.MimeTypeOpus):
		sink, err = oggwriter.New(filepath.Join(o.opts.RecordDir, AudioFile), codec.ClockRate, max(codec.Channels, 1))
	default:
		return nil, nil // nothing to record it in; still counted
	}
	if err != nil {
		return nil, fmt.Errorf("opening the %s recording: %w", track.Kind(), err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		sink.Close()
		return nil, nil
	}
	o.sinks = append(o.sinks, sink)
	return sink, nil
}

func (s *Stats) count(pkt *rtp.Packet) {
	now := time.Now()
	if s.Packets == 0 {
		s.First = now
	}
	s.Last = now
	s.Packets++
	s.Bytes += len(pkt.Payload)
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

// vp8KeyFrameSize reports whether payload starts a VP8 keyframe, and its
// picture size (RFC 6386, section 9.1).
func vp8KeyFrameSize(payload []byte) (width, height int, ok bool) {
	var p codecs.VP8Packet
	if _, err := p.Unmarshal(payload); err != nil || p.S != 1 || p.PID != 0 {
		return 0, 0, false
	}
	f := p.Payload
	if len(f) < 10 || f[0]&0x01 != 0 || f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint16(f[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(f[8:]) & 0x3fff), true
}

// Stats returns a copy of what has arrived so far, one entry per track.
func (o *Output) Stats() []Stats {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Stats, len(o.stats))
	for i, s := range o.stats {
		out[i] = *s
	}
	return out
}

// Close finishes the recordings. Tracks still playing stop being recorded.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	var errs []error
	for _, s := range o.sinks {
		errs = append(errs, s.Close())
	}
	o.sinks = nil
	return errors.Join(errs...)
}

// String describes what arrived on the track, for a person.
func (s Stats) String() string {
	codec := strings.TrimPrefix(strings.TrimPrefix(s.MimeType, "video/"), "audio/")
	secs := s.Last.Sub(s.First).Seconds()
	if s.Kind == webrtc.RTPCodecTypeVideo {
		return fmt.Sprintf("video %s %dx%d: %d frames (%d keyframes), %s in %.1f s",
			codec, s.Width, s.Height, s.Frames, s.KeyFrames, byteSize(s.Bytes), secs)
	}
	return fmt.Sprintf("audio %s: %d packets, %s in %.1f s", codec, s.Packets, byteSize(s.Bytes), secs)
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
