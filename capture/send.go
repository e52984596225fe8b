package capture

import (
	"errors"
	"io"
	"strings"
	"sync"
	"time"

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
// It also sees which packets pion sends: until the connection is up, pion
// drops what the track writes. Every picture encoded while writes are
// dropped is made a keyframe, so the first picture that arrives is one the
// peer can decode; it does not wait for a PLI and the next keyframe.
type preparedTrack struct {
	mediadevices.Track
	codec *codec.RTPCodec // what the prepared encoder makes

	ready chan struct{} // closed once prepare has run
	mu    sync.Mutex
	enc   mediadevices.EncodedReadCloser // nil if it could not be made, or has ended
	busy  bool                           // a binding sends with enc
	ended bool                           // Close was called
	stops map[string]chan struct{}       // per binding: closed to stop it
	done  map[string]chan struct{}       // per binding: closed once it stopped
}

// unbindWait bounds how long Unbind waits for the binding to stop: a
// source that makes no more pictures would otherwise hold it, and pion's
// Close with it.
const unbindWait = time.Second

// rtpMTU is the largest RTP packet the track writes, as mediadevices'
// tracks write them.
const rtpMTU = 1200

// prepare returns t with its encoder of c being made now, in the
// background: Bind waits for it if it comes first.
func prepare(t mediadevices.Track, c *codec.RTPCodec) *preparedTrack {
	p := &preparedTrack{
		Track: t,
		codec: c,
		ready: make(chan struct{}),
		stops: map[string]chan struct{}{},
		done:  map[string]chan struct{}{},
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
	}()
	return p
}

// Bind starts sending with the prepared encoder, if it suits the codec pion
// negotiated; otherwise the track binds as mediadevices' tracks do.
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
	if !found || p.enc == nil || p.busy || p.ended {
		p.mu.Unlock()
		return p.Track.Bind(ctx)
	}
	enc := p.enc
	p.busy = true
	stop, done := make(chan struct{}), make(chan struct{})
	p.stops[ctx.ID()], p.done[ctx.ID()] = stop, done
	p.mu.Unlock()

	packetizer := rtp.NewPacketizer(rtpMTU, uint8(params.PayloadType), uint32(ctx.SSRC()), p.codec.Payloader,
		rtp.NewRandomSequencer(), params.ClockRate)
	keys, _ := enc.Controller().(codec.KeyFrameController)
	go p.send(enc, packetizer, ctx.WriteStream(), keys, stop, done)
	if keys != nil {
		go readRTCP(ctx.RTCPReader(), keys, stop)
	}
	return params, nil
}

// send encodes and writes until stop is closed or the encoder ends.
func (p *preparedTrack) send(enc mediadevices.EncodedReadCloser, packetizer rtp.Packetizer, w webrtc.TrackLocalWriter,
	keys codec.KeyFrameController, stop, done chan struct{}) {
	ended := false
	defer func() {
		p.mu.Lock()
		p.busy = false
		if ended || p.ended {
			enc.Close()
			if p.enc == enc {
				p.enc = nil
			}
		}
		p.mu.Unlock()
		close(done)
	}()
	for {
		select {
		case <-stop:
			return
		default:
		}
		buf, release, err := enc.Read()
		if err != nil {
			ended = true
			return
		}
		packets := packetizer.Packetize(buf.Data, buf.Samples)
		release()
		sent := false
		for _, pkt := range packets {
			n, err := w.WriteRTP(&pkt.Header, pkt.Payload)
			if err != nil {
				return // the sender has stopped
			}
			sent = sent || n > 0
		}
		if !sent && len(packets) > 0 && keys != nil {
			// Dropped: the connection is not up yet.
			keys.ForceKeyFrame()
		}
	}
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

// Unbind stops the binding; the encoder stays for the next one (a video
// turned off and on again).
func (p *preparedTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	p.mu.Lock()
	stop, ok := p.stops[ctx.ID()]
	done := p.done[ctx.ID()]
	delete(p.stops, ctx.ID())
	delete(p.done, ctx.ID())
	p.mu.Unlock()
	if !ok {
		return p.Track.Unbind(ctx)
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(unbindWait):
	}
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

// Close closes the prepared encoder, once no binding uses it, and the track.
func (p *preparedTrack) Close() error {
	p.mu.Lock()
	p.ended = true
	if p.enc != nil && !p.busy {
		p.enc.Close()
		p.enc = nil
	}
	p.mu.Unlock()
	return p.Track.Close()
}
