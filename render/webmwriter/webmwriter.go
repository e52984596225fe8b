// Package webmwriter implements a WebM writer for a call's recording: one VP8
// and one Opus track, either of which may be missing, on a shared timeline.
package webmwriter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/at-wat/ebml-go/mkvcore"
	"github.com/at-wat/ebml-go/webm"
)

var (
	// ErrClosed is returned by writes after Close.
	ErrClosed = errors.New("webm writer is closed")
	// ErrLeftOut is returned by a write of a kind of media that the header
	// left out: it showed up too late (video added to a call that began
	// without it). The write is dropped; the file goes on without it.
	ErrLeftOut = errors.New("the recording began without this kind of media, and a WebM file's tracks are fixed at its start")
	// ErrNotSeekable is returned by NewWith for a writer that cannot seek:
	// the duration and the seek index are written last, at the front.
	ErrNotSeekable = errors.New("webm output must be an io.WriteSeeker")
)

// Track numbers in the file.
const (
	videoTrack = 1
	audioTrack = 2
)

const (
	// DefaultTrackWait is how long the header waits, after the first frame,
	// for the other kind of media to show up.
	DefaultTrackWait = 2 * time.Second
	// cuesSize is the room kept at the front of the file for the seek index;
	// ebml-go thins the index out when a long recording needs more.
	cuesSize = 16 << 10
	// opusPreSkip is the decoder delay that libopus encoders declare (RFC 7845).
	opusPreSkip = 312
	// opusChannels is what WebRTC's Opus always declares (RFC 7587); each
	// packet says whether it is mono or stereo.
	opusChannels = 2
)

// Writer writes one WebM file. The tracks it holds are decided when its header
// is written: as soon as both a video keyframe and audio have arrived, or
// TrackWait after the first frame of either, or at Close. Media of a kind that
// shows up later than that is left out.
//
// Its methods may be called from several goroutines.
type Writer struct {
	// TrackWait overrides DefaultTrackWait; set it before the first write.
	TrackWait time.Duration

	mu        sync.Mutex
	out       *output
	first     time.Time // when the first frame was written, by the clock of now
	now       func() time.Time
	width     int // of the first video keyframe; 0 until then
	height    int
	audio     bool // an audio packet has arrived
	pending   []block
	video     webm.BlockWriteCloser // nil until the header is written, or if there is no video
	aud       webm.BlockWriteCloser
	started   bool // the header is written
	closed    bool
	lastVideo int64 // the last timestamp written on each track, in ms, to keep them in order
	lastAudio int64
}

type block struct {
	video    bool
	keyframe bool
	ms       int64
	data     []byte
}

// New creates the file at path and returns a writer into it.
func New(path string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return NewWith(f)
}

// NewWith returns a writer into w, which it closes on Close. w must be an
// io.WriteSeeker.
func NewWith(w io.WriteCloser) (*Writer, error) {
	ws, ok := w.(io.WriteSeeker)
	if !ok {
		return nil, ErrNotSeekable
	}
	return &Writer{out: &output{w: ws, c: w}, now: time.Now, lastVideo: -1, lastAudio: -1}, nil
}

// WriteVideo adds one VP8 frame at time at from the start of the recording.
// Frames before the first keyframe are dropped: nothing could decode them.
func (w *Writer) WriteVideo(frame []byte, at time.Duration) error {
	key := IsVP8KeyFrame(frame)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.width == 0 {
		if !key {
			return nil
		}
		w.width, w.height = vp8Size(frame)
	}
	return w.add(block{video: true, keyframe: key, ms: at.Milliseconds(), data: frame})
}

// WriteAudio adds one Opus packet at time at from the start of the recording.
func (w *Writer) WriteAudio(packet []byte, at time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.audio = true
	return w.add(block{keyframe: true, ms: at.Milliseconds(), data: packet})
}

func (w *Writer) add(b block) error {
	if err := w.out.error(); err != nil {
		return err
	}
	if w.first.IsZero() {
		w.first = w.now()
	}
	if !w.started {
		w.pending = append(w.pending, b)
		wait := w.TrackWait
		if wait == 0 {
			wait = DefaultTrackWait
		}
		if (w.width != 0 && w.audio) || w.now().Sub(w.first) >= wait {
			return w.start()
		}
		return nil
	}
	return w.write(b)
}

// start writes the header with the tracks seen so far, then what was held
// back for it.
func (w *Writer) start() error {
	w.started = true
	var tracks []webm.TrackEntry
	if w.width != 0 {
		tracks = append(tracks, webm.TrackEntry{
			Name: "Video", TrackNumber: videoTrack, TrackUID: videoTrack, CodecID: "V_VP8", TrackType: 1,
			Video: &webm.Video{PixelWidth: uint64(w.width), PixelHeight: uint64(w.height)},
		})
	}
	if w.audio {
		tracks = append(tracks, webm.TrackEntry{
			Name: "Audio", TrackNumber: audioTrack, TrackUID: audioTrack, CodecID: "A_OPUS", TrackType: 2,
			CodecPrivate: opusHead(opusChannels),
			CodecDelay:   uint64(opusPreSkip * time.Second / 48000),
			SeekPreRoll:  uint64(80 * time.Millisecond),
			Audio:        &webm.Audio{SamplingFrequency: 48000, Channels: opusChannels},
		})
	}
	if len(tracks) == 0 {
		return nil
	}
	info := *webm.DefaultSegmentInfo // a copy: the library sets its Duration
	info.MuxingApp, info.WritingApp = "pigeon", "pigeon"
	opts := []mkvcore.BlockWriterOption{
		mkvcore.WithSegmentInfo(&info),
		mkvcore.WithSeekHead(true),
		mkvcore.WithCues(cuesSize),
		// ebml-go panics on an error unless told otherwise; output keeps
		// write errors from reaching it.
		mkvcore.WithOnFatalHandler(func(err error) { w.out.fail(err) }),
		mkvcore.WithOnErrorHandler(func(error) {}), // a frame too old to keep: dropped
		// The tracks are interleaved in time order; a second of audio may
		// wait for a late video frame (one waiting for a retransmission)
		// before that frame is too late to go in.
		mkvcore.WithBlockInterceptor(mkvcore.MustBlockInterceptor(mkvcore.NewMultiTrackBlockSorter(
			mkvcore.WithMaxDelayedPackets(50), mkvcore.WithSortRule(mkvcore.BlockSorterDropOutdated)))),
	}
	if w.width != 0 {
		// A cluster starts at each keyframe, so a player can seek to it.
		opts = append(opts, mkvcore.WithMinMaxClusterDuration(videoTrack, 0, 0x7fff))
	}
	ws, err := webm.NewSimpleBlockWriter(w.out, tracks, opts...)
	if err != nil {
		return w.out.fail(fmt.Errorf("writing the webm header: %w", err))
	}
	for i, t := range tracks {
		if t.TrackNumber == videoTrack {
			w.video = ws[i]
		} else {
			w.aud = ws[i]
		}
	}
	pending := w.pending
	w.pending = nil
	for _, b := range pending {
		if err := w.write(b); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) write(b block) error {
	bw, last := w.aud, &w.lastAudio
	if b.video {
		bw, last = w.video, &w.lastVideo
	}
	if bw == nil {
		return ErrLeftOut
	}
	// A frame out of order, which WebM cannot hold.
	if b.ms < *last {
		return nil
	}
	// Two frames in the same millisecond (a camera's burst) would look like
	// a broken stream to a player.
	if b.ms == *last {
		b.ms++
	}
	*last = b.ms
	if _, err := bw.Write(b.keyframe, b.ms, b.data); err != nil {
		return w.out.fail(err)
	}
	return w.out.error()
}

// Close writes what is pending, then the index and the duration, and closes
// the output. A recording that received nothing is left empty.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	if !w.started {
		w.start()
	}
	video, aud := w.video, w.aud
	w.mu.Unlock()

	// The last track's Close waits until ebml-go has finished the file and
	// closed the output.
	var errs []error
	for _, bw := range []webm.BlockWriteCloser{video, aud} {
		if bw != nil {
			errs = append(errs, bw.Close())
		}
	}
	if video == nil && aud == nil {
		errs = append(errs, w.out.Close())
	}
	errs = append(errs, w.out.error())
	return errors.Join(errs...)
}

// output passes writes to the file and keeps the first error for Close
// rather than hand it to ebml-go, whose writing goroutine stops on an error
// and would leave later writes blocked.
type output struct {
	w io.WriteSeeker
	c io.Closer

	mu  sync.Mutex
	err error
}

func (o *output) Write(p []byte) (int, error) {
	if o.error() != nil {
		return len(p), nil
	}
	if _, err := o.w.Write(p); err != nil {
		o.fail(fmt.Errorf("writing the webm file: %w", err))
	}
	return len(p), nil
}

func (o *output) Seek(offset int64, whence int) (int64, error) {
	if err := o.error(); err != nil {
		return 0, err
	}
	return o.w.Seek(offset, whence)
}

func (o *output) Close() error { return o.c.Close() }

// fail records err if it is the first, and returns the first.
func (o *output) fail(err error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = err
	}
	return o.err
}

func (o *output) error() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// opusHead is the Opus identification header that Matroska keeps as the
// track's codec private data (RFC 7845, section 5.1).
func opusHead(channels int) []byte {
	h := make([]byte, 19)
	copy(h, "OpusHead")
	h[8] = 1 // version
	h[9] = byte(channels)
	binary.LittleEndian.PutUint16(h[10:], opusPreSkip)
	binary.LittleEndian.PutUint32(h[12:], 48000)
	return h
}

// IsVP8KeyFrame reports whether frame is a VP8 keyframe (RFC 6386, section
// 9.1).
func IsVP8KeyFrame(frame []byte) bool {
	return len(frame) >= 10 && frame[0]&0x01 == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a
}

func vp8Size(key []byte) (width, height int) {
	return int(binary.LittleEndian.Uint16(key[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(key[8:]) & 0x3fff)
}
