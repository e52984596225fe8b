package render

import (
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/pigeon-call/pigeon/render/webmwriter"
)

const (
	// maxLatePackets is how many packets the sample builder holds waiting
	// for a missing one (a retransmission): more than the largest keyframe.
	maxLatePackets = 256
	// maxFrameDelay bounds how long a frame waits for its missing packets
	// before it is given up and a keyframe asked for.
	maxFrameDelay = 200 * time.Millisecond
	// decodeQueue is how many frames may wait for the decoder: a second of
	// video. Past that the decoder is not keeping up, and frames are dropped.
	decodeQueue = 30
	// maxFrameBytes and maxFramePackets bound the frame being put
	// together: a peer that never sets the marker bit would otherwise grow
	// it without end. The bytes are more than a 4K keyframe needs; each
	// packet held costs a receive buffer (1500 bytes) whatever its
	// payload. Past either, the frame is dropped and a keyframe asked for.
	maxFrameBytes   = 1 << 20
	maxFramePackets = 1024
)

// videoPlayer reassembles the frames of one VP8 track, decodes them and
// hands the pictures on. Its read side runs on Play's goroutine, its decoding
// side on one of its own.
type videoPlayer struct {
	o  *Output
	ts *trackState

	// Read side.
	sb       *samplebuilder.SampleBuilder
	fast     []*rtp.Packet // the frame coming in order, for the fast path
	fastSize int           // its payload bytes
	lastSeq  uint16        // the last packet of the last frame out
	haveLast bool
	dropped  bool // a frame was dropped before the decoder: the next one is broken
	recWait  bool // the WebM recording waits for a keyframe after a loss
	frames   chan vp8Frame

	// Decoding side.
	needKey bool // nothing decodes until a keyframe: at the start, after a loss or an error

	ssrc    atomic.Uint32
	pliMu   sync.Mutex
	lastPLI time.Time
}

type vp8Frame struct {
	data   []byte
	broken bool // frames before it were lost: it refers to pictures the decoder lacks
}

func (o *Output) playVideo(track Track, ts *trackState) error {
	v := &videoPlayer{
		o:       o,
		ts:      ts,
		frames:  make(chan vp8Frame, decodeQueue),
		needKey: true,
		sb: samplebuilder.New(maxLatePackets, &codecs.VP8Packet{}, ts.clockRate,
			samplebuilder.WithMaxTimeDelay(maxFrameDelay), samplebuilder.WithRTPHeaders(true)),
	}
	dec, err := o.decoderFor(v)
	if err != nil {
		return fmt.Errorf("starting the VP8 decoder: %w", err)
	}
	decoded := make(chan struct{})
	go func() {
		defer close(decoded)
		v.decode(dec)
	}()
	err = o.read(track, ts, v.push)
	close(v.frames)
	<-decoded
	dec.Close()
	return err
}

// spareDecoder is a VP8 decoder made before its track arrives, and the
// reader it reads from, whose player is set then.
type spareDecoder struct {
	dec interface {
		Read() (image.Image, func(), error)
		Close() error
	}
	in *frameReader
}

// makeSpareDecoder makes the decoder the first video track takes while the
// codes are still being exchanged: made when the track arrives, it held up
// the first picture.
func (o *Output) makeSpareDecoder() {
	in := &frameReader{}
	dec, err := newVP8Decoder(in)
	if err != nil {
		return // playVideo makes one, and says why it cannot
	}
	// Under the lock, so that Close, which looks for it after it marks
	// the output closed, finds it or it is closed here.
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		dec.Close()
		return
	}
	o.spare <- spareDecoder{dec: dec, in: in} // the only one: never blocks
}

// decoderFor returns a VP8 decoder that reads v's frames, whole, one per
// Read: the spare one if it is there.
func (o *Output) decoderFor(v *videoPlayer) (interface {
	Read() (image.Image, func(), error)
	Close() error
}, error) {
	select {
	case s := <-o.spare:
		s.in.v = v // before the decoder's first Read, on v.decode's goroutine
		return s.dec, nil
	default:
	}
	return newVP8Decoder(&frameReader{v})
}

// push adds a packet, and passes on the frames it completes.
//
// The sample builder puts packets back in order and gives up on frames that
// lost some, but it holds a finished frame until a packet of the next one
// arrives (to learn its duration), which would cost a frame interval of
// delay. So a frame whose packets all came in order, right after the last
// frame out, goes out as soon as its last packet is in; the sample builder
// handles the rest, and its copy of a frame already out is dropped.
func (v *videoPlayer) push(pkt *rtp.Packet, now time.Time) {
	v.ssrc.Store(pkt.SSRC)
	v.sb.Push(pkt)
	for s := v.sb.Pop(); s != nil; s = v.sb.Pop() {
		if len(s.RTPHeaders) == 0 || len(s.Data) == 0 {
			continue
		}
		first, last := s.RTPHeaders[0].SequenceNumber, s.RTPHeaders[len(s.RTPHeaders)-1].SequenceNumber
		if v.haveLast && int16(last-v.lastSeq) <= 0 {
			continue // out already, by the fast path
		}
		v.out(s.Data, first, last, s.PacketTimestamp, s.PrevDroppedPackets > 0, now)
	}
	// After the sample builder: a frame it let out just now may be the one
	// that this packet follows.
	if v.inOrder(pkt) && pkt.Marker {
		frame := v.fast
		v.fast, v.fastSize = nil, 0
		v.out(assemble(frame), frame[0].SequenceNumber, pkt.SequenceNumber, pkt.Timestamp, false, now)
	}
}

// inOrder adds pkt to the frame on the fast path, and reports whether it
// still is on it: all its packets so far came in order, from the first
// after the last frame out, and fewer than the bounds.
func (v *videoPlayer) inOrder(pkt *rtp.Packet) bool {
	if len(v.fast) == 0 {
		var head codecs.VP8Packet
		if (!v.haveLast || pkt.SequenceNumber == v.lastSeq+1) && head.IsPartitionHead(pkt.Payload) {
			v.fast, v.fastSize = append(v.fast, pkt), len(pkt.Payload)
			return true
		}
		return false
	}
	prev := v.fast[len(v.fast)-1]
	if pkt.SequenceNumber != prev.SequenceNumber+1 || pkt.Timestamp != prev.Timestamp {
		v.fast, v.fastSize = v.fast[:0], 0
		return false
	}
	v.fast, v.fastSize = append(v.fast, pkt), v.fastSize+len(pkt.Payload)
	if len(v.fast) > maxFramePackets || v.fastSize > maxFrameBytes {
		v.fast, v.fastSize = nil, 0 // what it held is freed
		v.tooLarge()
		return false
	}
	return true
}

// tooLarge gives up on a frame past the bounds: what follows it refers to
// a picture the decoder never gets, so a keyframe is asked for.
func (v *videoPlayer) tooLarge() {
	v.dropped = true
	v.count(func(st *Stats) { st.Skipped++; st.TooLarge++ })
	v.requestKeyFrame()
}

// assemble joins the VP8 payloads of a frame's packets.
func assemble(packets []*rtp.Packet) []byte {
	var frame []byte
	for _, p := range packets {
		var vp8 codecs.VP8Packet
		payload, err := vp8.Unmarshal(p.Payload)
		if err != nil {
			return nil
		}
		frame = append(frame, payload...)
	}
	return frame
}

// out passes one whole frame, made of packets first to last, to the
// recording and to the decoder.
func (v *videoPlayer) out(frame []byte, first, last uint16, rtpTime uint32, dropped bool, now time.Time) {
	if len(frame) == 0 {
		return
	}
	// Packets between the last frame and this one never made it into a
	// frame: whatever they held, this frame may refer to it.
	broken := dropped || (v.haveLast && first != v.lastSeq+1)
	v.lastSeq, v.haveLast = last, true
	key := webmwriter.IsVP8KeyFrame(frame)

	if broken {
		v.recWait = true
	}
	if key {
		v.recWait = false
	}
	if !v.recWait {
		v.o.recordVideo(v.ts, frame, rtpTime, now)
	}

	broken = broken || v.dropped
	select {
	case v.frames <- vp8Frame{data: frame, broken: broken}:
		v.dropped = false
	default:
		v.dropped = true
		v.count(func(st *Stats) { st.Skipped++ })
	}
}

// decode decodes frames until they end, and hands the pictures on.
func (v *videoPlayer) decode(dec interface {
	Read() (image.Image, func(), error)
}) {
	for {
		img, release, err := dec.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			// What follows refers to the picture libvpx could not make.
			v.count(func(st *Stats) { st.DecodeErrors++ })
			v.needKey = true
			v.requestKeyFrame()
			continue
		}
		release()
		ycc, ok := img.(*image.YCbCr)
		if !ok {
			continue
		}
		now := time.Now()
		o := v.o
		o.mu.Lock()
		v.ts.decoded(now)
		v.ts.stats.Width, v.ts.stats.Height = ycc.Rect.Dx(), ycc.Rect.Dy()
		closed := o.closed
		o.mu.Unlock()
		if o.opts.OnVideoFrame != nil {
			o.opts.OnVideoFrame(ycc)
		}
		if o.view != nil && !closed {
			o.peerShown.Store(true)
			o.view.ShowPeer(v.ts.peer, ycc) // it copies the picture, which the decoder reuses
		}
	}
}

// next gives the decoder its next frame, skipping those it cannot decode
// until a keyframe comes.
func (v *videoPlayer) next() ([]byte, error) {
	for f := range v.frames {
		if f.broken {
			v.needKey = true
		}
		if !v.needKey || webmwriter.IsVP8KeyFrame(f.data) {
			v.needKey = false
			return f.data, nil
		}
		v.count(func(st *Stats) { st.Skipped++ })
		v.requestKeyFrame()
	}
	return nil, io.EOF
}

// requestKeyFrame asks the peer for a keyframe, at most once every
// KeyFrameInterval.
func (v *videoPlayer) requestKeyFrame() {
	if v.o.opts.RequestKeyFrame == nil {
		return
	}
	v.pliMu.Lock()
	if time.Since(v.lastPLI) < KeyFrameInterval {
		v.pliMu.Unlock()
		return
	}
	v.lastPLI = time.Now()
	v.pliMu.Unlock()
	v.count(func(st *Stats) { st.KeyFrameRequests++ })
	v.o.opts.RequestKeyFrame(webrtc.SSRC(v.ssrc.Load()))
}

func (v *videoPlayer) count(f func(*Stats)) {
	v.o.mu.Lock()
	f(&v.ts.stats)
	v.o.mu.Unlock()
}

// frameReader is the decoder's frameSource: the frames of a player, which
// a spare decoder learns when its track arrives.
type frameReader struct{ v *videoPlayer }

func (r *frameReader) NextFrame() ([]byte, error) { return r.v.next() }
