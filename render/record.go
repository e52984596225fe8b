package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"

	"github.com/pigeon-call/pigeon/internal/private"
	"github.com/pigeon-call/pigeon/render/webmwriter"
)

type rtpSink interface {
	WriteRTP(*rtp.Packet) error
	Close() error
}

// recorderFor opens the RecordDir file for track, or returns nil when that
// kind of recording is off.
func (o *Output) recorderFor(track Track, peer string) (rtpSink, error) {
	if o.opts.RecordDir == "" {
		return nil, nil
	}
	o.mu.Lock()
	if o.recPeer == nil {
		o.recPeer = &peer
	}
	first := *o.recPeer == peer
	o.mu.Unlock()
	var (
		sink rtpSink
		err  error
	)
	codec := track.Codec()
	var name string
	video := strings.EqualFold(codec.MimeType, webrtc.MimeTypeVP8)
	switch {
	case video:
		name = VideoFile
	case strings.EqualFold(codec.MimeType, webrtc.MimeTypeOpus):
		name = AudioFile
	default:
		return nil, nil // nothing to record it in; still counted
	}
	if !first {
		ext := filepath.Ext(name)
		name = strings.TrimSuffix(name, ext) + "-" + fileSafe(peer) + ext
	}
	// The recording holds the call: only this user may read it, and it is
	// written through no link someone else left in the directory.
	f, err := private.Create(filepath.Join(o.opts.RecordDir, name))
	if err != nil {
		return nil, fmt.Errorf("opening the %s recording: %w", track.Kind(), err)
	}
	if video {
		sink, err = ivfwriter.NewWith(f, ivfwriter.WithCodec(codec.MimeType))
	} else {
		sink, err = newOggSink(f, codec.ClockRate, max(codec.Channels, 1))
	}
	if err != nil {
		f.Close()
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

// recordVideo adds a whole VP8 frame to the WebM recording.
func (o *Output) recordVideo(ts *trackState, frame []byte, rtpTime uint32, arrival time.Time) {
	o.record(ts, rtpTime, arrival, func(w *webmwriter.Writer, at time.Duration) error { return w.WriteVideo(frame, at) })
}

// recordAudio adds an Opus packet to the WebM recording.
func (o *Output) recordAudio(ts *trackState, packet []byte, rtpTime uint32, arrival time.Time) {
	o.record(ts, rtpTime, arrival, func(w *webmwriter.Writer, at time.Duration) error { return w.WriteAudio(packet, at) })
}

func (o *Output) record(ts *trackState, rtpTime uint32, arrival time.Time, write func(*webmwriter.Writer, time.Duration) error) {
	o.mu.Lock()
	w := o.webm
	if w == nil || o.closed {
		o.mu.Unlock()
		return
	}
	if o.webmPeer == nil {
		o.webmPeer = &ts.peer
	}
	if *o.webmPeer != ts.peer {
		// One peer's video and sound per file.
		warn := !o.othersSaid
		o.othersSaid = true
		o.mu.Unlock()
		if warn {
			o.warn(fmt.Errorf("%s records the first peer only: record to a directory to keep every peer's", o.opts.RecordFile))
		}
		return
	}
	if o.recStart.IsZero() {
		o.recStart = arrival
	}
	at := ts.clock.at(rtpTime, ts.clockRate, arrival, o.recStart)
	o.mu.Unlock()
	err := write(w, at)
	if errors.Is(err, webmwriter.ErrLeftOut) {
		// Video added to a call recorded without it: the sound goes on
		// being recorded, and the person learns why the picture is not.
		o.mu.Lock()
		warn := !o.leftOutSaid
		o.leftOutSaid = true
		o.mu.Unlock()
		if warn {
			o.warn(fmt.Errorf("the %s is not recorded in %s: %w; record to a directory to keep it", ts.stats.Kind, o.opts.RecordFile, err))
		}
		return
	}
	if err != nil && !errors.Is(err, webmwriter.ErrClosed) {
		// Stop at the first error, and say so once.
		o.mu.Lock()
		stopped := o.webm != nil
		o.webm = nil
		o.mu.Unlock()
		if stopped {
			o.warn(fmt.Errorf("recording to %s stopped: %w", o.opts.RecordFile, err))
		}
	}
}

// oggSink records one Opus track in an Ogg file. pion's single-track writer
// on an io.Writer leaves the last page unmarked; the multi-track one, told
// it may rewrite the file, marks it as the end of the stream when it closes.
type oggSink struct {
	w     *oggwriter.Writer
	track *oggwriter.Track // made for the first packet's SSRC
}

func newOggSink(f *os.File, rate uint32, channels uint16) (*oggSink, error) {
	w, err := oggwriter.NewWriter(f, oggwriter.WithSeekableOutput(f),
		oggwriter.WithSampleRate(rate), oggwriter.WithChannelCount(channels))
	if err != nil {
		return nil, err
	}
	return &oggSink{w: w}, nil
}

func (s *oggSink) WriteRTP(p *rtp.Packet) error {
	if s.track == nil {
		t, err := s.w.NewTrack(p.SSRC)
		if err != nil {
			return err
		}
		s.track = t
	}
	return s.track.WriteRTP(p)
}

// Close finishes the file and closes it.
func (s *oggSink) Close() error { return s.w.Close() }

// fileSafe keeps of a peer's ID what a file name may hold.
func fileSafe(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, id)
}
