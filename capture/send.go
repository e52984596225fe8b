package capture

import (
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// A mediadevices track makes its encoder when pion binds it, inside
// SetRemoteDescription or SetLocalDescription: it waits there for a
// picture (or a chunk of sound) to learn the format, then builds the
// encoder, tens of milliseconds between the answer being read and the first
// packet of the connection. A preparedTrack makes its encoder as soon as
// the track exists, before the code is printed, and binds by only starting
// to send.
//
// One encoder serves every binding: a track added to several
// PeerConnections (a call with several peers) encodes each picture once,
// and one goroutine, the pump, hands the frame to each binding, which
// packetizes it with its own payload type, SSRC and sequence numbers. A
// keyframe asked for by any peer is made once, for all of them.
//
// It also sees which packets pion sends: until a connection is up, pion
// drops what the track writes to it. While no binding takes what is
// written, every picture is made a keyframe, so the first picture that
// arrives is one the peer can decode; it does not wait for a PLI and the
// next keyframe. A binding that comes up while others already take the
// pictures gets the next picture as a keyframe (one for all), rather than
// every picture being a keyframe for the others while it connects.
type preparedTrack struct {
	mediadevices.Track
	codec *codec.RTPCodec // what the prepared encoder makes

	ready chan struct{} // closed once prepare has run
	mu    sync.Mutex
	enc   mediadevices.EncodedReadCloser // nil if it could not be made, or has ended
	// bitRate is what the encoder is to aim at, set before or after it is
	// made; 0 leaves the encoder's own.
	bitRate  int
	pumping  bool                // the pump reads enc
	ended    bool                // Close was called
	bindings map[string]*binding // by TrackLocalContext.ID: those that send with enc
}

// binding is one PeerConnection's sending of a preparedTrack.
type binding struct {
	pz   rtp.Packetizer
	w    webrtc.TrackLocalWriter
	stop chan struct{} // closed on Unbind: ends readRTCP

	mu      sync.Mutex // held while a frame is written, so that Unbind waits for it
	gone    bool       // unbound, or the sender stopped: nothing more is written
	started bool       // a keyframe went through: the peer can decode what follows
}

// rtpMTU is the largest RTP packet the track writes, as mediadevices'
// tracks write them.
const rtpMTU = 1200

// prepare returns t with its encoder of c being made now, in the
// background: Bind waits for it if it comes first.
func prepare(t mediadevices.Track, c *codec.RTPCodec) *preparedTrack {
	p := &preparedTrack{
		Track:    t,
		codec:    c,
		ready:    make(chan struct{}),
		bindings: map[string]*binding{},
	}
	go func() {
		defer close(p.ready)
		enc, err := t.NewEncodedReader(c.MimeType)
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil {
			return // Bind makes one as mediadevices does, and says why it cannot
		}
		if p.ended {
			enc.Close()
			return
		}
		p.enc = enc
		if p.bitRate > 0 {
			if c, ok := enc.Controller().(codec.BitRateController); ok {
				c.SetBitRate(p.bitRate)
			}
		}
	}()
	return p
}

// Bind starts sending with the prepared encoder, if it suits the codec pion
// negotiated; otherwise the track binds as mediadevices' tracks do. Each
// binding (one per PeerConnection the track is added to) gets the frames
// of the one encoder.
func (p *preparedTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var params webrtc.RTPCodecParameters
	found := false
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, p.codec.MimeType) {
			params, found = c, true
			break
		}
	}
	if found {
		<-p.ready
	}
	p.mu.Lock()
	_, bound := p.bindings[ctx.ID()]
	if !found || p.enc == nil || p.ended || bound {
		p.mu.Unlock()
		return p.Track.Bind(ctx)
	}
	b := &binding{
		pz: rtp.NewPacketizer(rtpMTU, uint8(params.PayloadType), uint32(ctx.SSRC()), p.codec.Payloader,
			rtp.NewRandomSequencer(), params.ClockRate),
		w:    ctx.WriteStream(),
		stop: make(chan struct{}),
	}
	p.bindings[ctx.ID()] = b
	enc := p.enc
	if !p.pumping {
		p.pumping = true
		go p.pump(enc)
	}
	p.mu.Unlock()

	if keys, ok := enc.Controller().(codec.KeyFrameController); ok {
		go readRTCP(ctx.RTCPReader(), keys, b.stop)
	}
	return params, nil
}

// pump encodes and hands each frame to every binding, until no binding is
// left or the encoder ends.
func (p *preparedTrack) pump(enc mediadevices.EncodedReadCloser) {
	keys, _ := enc.Controller().(codec.KeyFrameController)
	var targets []*binding
	for {
		buf, release, err := enc.Read()
		p.mu.Lock()
		if err != nil || len(p.bindings) == 0 || p.ended {
			p.pumping = false
			if err != nil || p.ended {
				// Ended: bindings made after this one bind as
				// mediadevices' tracks do.
				enc.Close()
				if p.enc == enc {
					p.enc = nil
				}
			}
			p.mu.Unlock()
			if err == nil {
				release()
			}
			return
		}
		targets = targets[:0]
		for _, b := range p.bindings {
			targets = append(targets, b)
		}
		p.mu.Unlock()

		key := keys != nil && isVP8KeyFrame(buf.Data)
		taken, behind := false, false
		for _, b := range targets {
			took, live := b.send(buf.Data, buf.Samples, key)
			taken = taken || took
			behind = behind || (live && took && !b.isStarted())
		}
		release()
		if keys != nil && (!taken || behind) {
			// No connection took it (none is up yet), or one took a
			// picture it cannot decode: the next one is a keyframe.
			keys.ForceKeyFrame()
		}
	}
}

// send packetizes frame, samples long, and writes it. It reports whether
// pion took it (false while the connection is not up), and whether the
// binding still sends.
func (b *binding) send(frame []byte, samples uint32, key bool) (took, live bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone {
		return false, false
	}
	for _, pkt := range b.pz.Packetize(frame, samples) {
		n, err := b.w.WriteRTP(&pkt.Header, pkt.Payload)
		if err != nil {
			b.gone = true // the sender has stopped
			return false, false
		}
		took = took || n > 0
	}
	if took && key {
		b.started = true
	}
	return took, true
}

func (b *binding) isStarted() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.started
}

// readRTCP forces a keyframe for each picture loss the peer reports.
func readRTCP(r interceptor.RTCPReader, keys codec.KeyFrameController, stop chan struct{}) {
	buf := make([]byte, 1500)
	for {
		select {
		case <-stop:
			return
		default:
		}
		n, _, err := r.Read(buf, interceptor.Attributes{})
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return
			}
			continue
		}
		packets, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, pkt := range packets {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				keys.ForceKeyFrame()
			}
		}
	}
}

// Unbind stops one binding; the others go on, and the encoder stays for
// the next one (a video turned off and on again). Once it returns, nothing
// more is written to the binding.
func (p *preparedTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	p.mu.Lock()
	b, ok := p.bindings[ctx.ID()]
	delete(p.bindings, ctx.ID())
	p.mu.Unlock()
	if !ok {
		return p.Track.Unbind(ctx)
	}
	close(b.stop)
	b.mu.Lock() // after the frame being written to it, if one is
	b.gone = true
	b.mu.Unlock()
	return nil
}

// EncoderController returns the controller of the encoder that sends, the
// prepared one once it is made.
func (p *preparedTrack) EncoderController() codec.EncoderController {
	p.mu.Lock()
	enc := p.enc
	p.mu.Unlock()
	if enc != nil {
		return enc.Controller()
	}
	return p.Track.EncoderController()
}

// setBitRate makes the encoder aim at bitsPerSecond, now if it is made,
// or as soon as it is.
func (p *preparedTrack) setBitRate(bitsPerSecond int) error {
	p.mu.Lock()
	p.bitRate = bitsPerSecond
	enc := p.enc
	p.mu.Unlock()
	var c codec.EncoderController
	if enc != nil {
		c = enc.Controller()
	} else {
		c = p.Track.EncoderController()
	}
	if c, ok := c.(codec.BitRateController); ok {
		return c.SetBitRate(bitsPerSecond)
	}
	return nil
}

// Close closes the prepared encoder, once no binding uses it, and the track.
func (p *preparedTrack) Close() error {
	p.mu.Lock()
	p.ended = true
	if p.enc != nil && !p.pumping {
		p.enc.Close()
		p.enc = nil
	}
	p.mu.Unlock()
	return p.Track.Close()
}
