package render

import (
	"fmt"
	"time"

	"github.com/pion/rtp"

	"github.com/pigeon-call/pigeon/render/speaker"
)

func (o *Output) playAudio(track Track, ts *trackState) error {
	jb := o.openSpeaker(ts)
	return o.read(track, ts, func(pkt *rtp.Packet, now time.Time) {
		o.recordAudio(ts, pkt.Payload, pkt.Timestamp, now)
		if jb != nil {
			jb.Push(pkt.SequenceNumber, pkt.Payload)
		}
	})
}

// openSpeaker opens the speaker for the first audio track, and returns the
// jitter buffer that feeds it; nil when there is no sound to play.
func (o *Output) openSpeaker(ts *trackState) *jitterBuffer {
	o.mu.Lock()
	tried := o.speakerTried
	o.speakerTried = true
	o.mu.Unlock()
	if tried || o.opts.Speaker == SpeakerNone {
		return nil // one track on the speaker; a second one is only recorded
	}
	jb, err := newJitterBuffer(1)
	if err != nil {
		o.warn(fmt.Errorf("decoding the sound: %w; the call goes on without sound", err))
		return nil
	}
	tap := o.opts.pcmTap
	so := speaker.Options{Device: o.opts.Speaker, Channels: 1}
	if o.opts.FarEnd != nil {
		so.Played = o.opts.FarEnd.Played
	}
	spk, err := speaker.Open(func(pcm []int16) {
		jb.Read(pcm)
		if tap != nil {
			tap(pcm)
		}
	}, so)
	if err != nil {
		o.warn(fmt.Errorf("%w; the call goes on without sound", err))
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		spk.Close()
		return nil
	}
	o.speaker, ts.jb = spk, jb
	return jb
}
