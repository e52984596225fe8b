package render

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtp"

	"github.com/pigeon-call/pigeon/render/speaker"
)

func (o *Output) playAudio(track Track, ts *trackState) error {
	jb := o.openSpeaker(ts)
	if jb != nil {
		defer jb.End() // the mix plays what it holds, then lets it go
	}
	return o.read(track, ts, func(pkt *rtp.Packet, now time.Time) {
		o.recordAudio(ts, pkt.Payload, pkt.Timestamp, now)
		if jb != nil {
			jb.Push(pkt.SequenceNumber, pkt.Payload)
		}
	})
}

// openSpeaker returns the jitter buffer that plays ts's sound on the
// speaker, mixed with the other audio tracks' (the peers of a group call);
// the first audio track opens the speaker. It returns nil when there is no
// sound to play.
func (o *Output) openSpeaker(ts *trackState) *jitterBuffer {
	if o.opts.Speaker == SpeakerNone {
		return nil
	}
	o.speakerOnce.Do(o.startSpeaker)
	o.mu.Lock()
	playing := o.speaker != nil && !o.closed
	o.mu.Unlock()
	if !playing {
		return nil
	}
	jb, err := newJitterBuffer(1)
	if err != nil {
		o.warn(fmt.Errorf("decoding the sound: %w; the call goes on without this sound", err))
		return nil
	}
	o.mix.add(jb)
	o.mu.Lock()
	ts.jb = jb
	o.mu.Unlock()
	return jb
}

// startSpeaker opens the speaker, which plays the mix of the audio tracks
// and hands it to the echo canceller's far end.
func (o *Output) startSpeaker() {
	tap := o.opts.pcmTap
	so := speaker.Options{Device: o.opts.Speaker, Channels: 1}
	if o.opts.FarEnd != nil {
		so.Played = o.opts.FarEnd.Played
	}
	spk, err := speaker.Open(func(pcm []int16) {
		o.mix.read(pcm)
		if tap != nil {
			tap(pcm)
		}
	}, so)
	if err != nil {
		o.warn(fmt.Errorf("%w; the call goes on without sound", err))
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		spk.Close()
		return
	}
	o.speaker = spk
}

// mixer adds up the sound of the tracks that play, for the one speaker.
// read runs on the audio thread; add and remove on the tracks' goroutines.
type mixer struct {
	mu     sync.Mutex
	inputs []*jitterBuffer
	buf    []int16
}

func (m *mixer) add(jb *jitterBuffer) {
	m.mu.Lock()
	m.inputs = append(m.inputs, jb)
	m.mu.Unlock()
}

// read fills pcm with the sum of the inputs' next samples, clipped; one
// input's samples as they are. An input that ended and has played all it
// held is let go.
func (m *mixer) read(pcm []int16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.inputs) == 0 {
		clear(pcm)
		return
	}
	m.inputs[0].Read(pcm)
	if len(m.inputs) > 1 {
		if cap(m.buf) < len(pcm) {
			m.buf = make([]int16, len(pcm))
		}
		buf := m.buf[:len(pcm)]
		for _, in := range m.inputs[1:] {
			in.Read(buf)
			for i, v := range buf {
				pcm[i] = int16(min(max(int32(pcm[i])+int32(v), math.MinInt16), math.MaxInt16))
			}
		}
	}
	m.inputs = slices.DeleteFunc(m.inputs, (*jitterBuffer).Drained)
}
