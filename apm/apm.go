package apm

/*
#cgo pkg-config: webrtc-audio-processing speexdsp
#cgo CXXFLAGS: -std=c++11
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"
)

// The format both ends run in.
const (
	Rate  = 48000      // samples a second
	Frame = Rate / 100 // samples in the module's 10 ms frame
)

// delayMargin is taken off the delay the canceller is told: an echo that
// came sooner than it was told could not be cancelled, one that comes later
// is followed by its extended filter. The sound system's figures are right
// to a millisecond on PulseAudio once a stream runs; the margin is for the
// jitter of its callbacks.
const delayMargin = 10 * time.Millisecond

// noiseFrame is the noise suppressor's frame, and so its delay: a short
// one keeps the whole processing within the module's 10 ms frame, after
// the echo canceller and the band split, for little less noise taken off
// than longer frames (docs/PERFORMANCE.md).
const noiseFrame = Rate / 500

// noiseDB is the most the noise suppressor takes off noise, in dB: more
// than Speex's default, which leaves a fan's noise louder and the voice no
// better (docs/PERFORMANCE.md).
const noiseDB = -25

// ErrModule means WebRTC's audio processing module refused a setting or a
// frame; the error says which and its code.
var ErrModule = errors.New("audio processing failed")

// Options says which stages run. Defaults is what a call uses.
type Options struct {
	EchoCancellation bool // the far end's echo
	NoiseSuppression bool // steady noise: fans, hum, hiss (SpeexDSP's suppressor)
	GainControl      bool // adaptive digital gain, toward a steady level
	HighPass         bool // what is below 80 Hz: hum, rumble, a knock on the desk
}

// Defaults are the stages a call runs: all of them.
var Defaults = Options{EchoCancellation: true, NoiseSuppression: true, GainControl: true, HighPass: true}

// Stats is what the echo canceller says of itself.
type Stats struct {
	Echo          bool          // the last frame held echo
	ERLE          float64       // its estimate of the echo return loss enhancement, dB
	ERL           float64       // its estimate of the echo return loss, dB
	Delay         time.Duration // the delay its estimator reports (its own measure), median
	DelaySpread   time.Duration // their standard deviation
	FramesNear    int64         // microphone frames processed
	FramesFar     int64         // far-end frames fed
	FramesSilence int64         // of those, frames of silence fed while nothing was played
}

// String says it in a line, for a person.
func (s Stats) String() string {
	return fmt.Sprintf("delay %v (spread %v), echo return loss %.0f dB, enhancement %.0f dB; %d frames, %d of the far end",
		s.Delay, s.DelaySpread, s.ERL, s.ERLE, s.FramesNear, s.FramesFar)
}

// Processor cleans one microphone's sound. Process is called from one
// goroutine at a time; Stats and Close from any.
type Processor struct {
	mu     sync.Mutex
	c      *C.pigeon_apm
	far    *FarEnd
	echo   bool
	frame  *C.int16_t // one frame, in C's memory: cgo passes no Go slice it keeps
	farPos int64      // the next far-end sample to feed
	synced bool       // farPos follows the far end's count
	held   []int16    // the start of a frame, waiting for the rest
	out    []int16    // processed samples not yet handed back
	stats  Stats

	delays  [100]time.Duration // the delays measured over the last second, by frame
	delayAt int                // frames measured in all
}

// New returns a processor that runs the stages opts asks for, cancelling
// the echo of far (none when far is nil).
func New(far *FarEnd, opts Options) (*Processor, error) {
	cfg := C.pigeon_apm_config{
		echo: cbool(opts.EchoCancellation && far != nil),
		// High suppression: the echo comes back further down than with
		// moderate, for a voice a little quieter while both speak
		// (docs/PERFORMANCE.md).
		echo_level:  2,
		noise:       cbool(opts.NoiseSuppression),
		noise_db:    noiseDB,
		noise_frame: noiseFrame,
		gain:        cbool(opts.GainControl),
		gain_target: 3, // dB below full scale, WebRTC's default
		gain_max:    9, // dB, WebRTC's default
		high_pass:   cbool(opts.HighPass),
	}
	var code C.int
	c := C.pigeon_apm_new(Rate, &cfg, &code)
	if c == nil {
		return nil, fmt.Errorf("%w: setting it up (code %d)", ErrModule, int(code))
	}
	return &Processor{
		c:     c,
		far:   far,
		echo:  cfg.echo != 0,
		frame: (*C.int16_t)(C.malloc(C.size_t(Frame * 2))),
	}, nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// Process cleans pcm, what the microphone recorded from captured on
// (16-bit mono at Rate), in place. When len(pcm) is a whole number of
// frames it holds nothing back. Otherwise the rest of a frame waits for the
// next call, and what comes out runs later, by less than a frame: silence
// is let out once each time a longer rest had to wait.
func (p *Processor) Process(pcm []int16, captured time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil {
		return fmt.Errorf("%w: the processor is closed", ErrModule)
	}
	in := pcm
	start := captured.Add(-samplesDuration(len(p.held)))
	if len(p.held) > 0 {
		in = append(p.held, pcm...)
	}
	var err error
	n := 0
	for ; n+Frame <= len(in); n += Frame {
		frame := in[n : n+Frame]
		if e := p.processFrame(frame, start.Add(samplesDuration(n))); e != nil && err == nil {
			err = e
		}
	}
	rest := in[n:]
	if len(p.held) == 0 && len(rest) == 0 && len(p.out) == 0 {
		return err // the common case: pcm was processed where it lies
	}
	// Frames that straddle calls: what comes out runs as late as the
	// longest start of a frame that waited, less than a frame.
	p.out = append(p.out, in[:n]...)
	p.held = append(p.held[:0], rest...)
	if short := len(pcm) - len(p.out); short > 0 {
		p.out = append(make([]int16, short), p.out...)
	}
	copy(pcm, p.out)
	p.out = p.out[:copy(p.out, p.out[len(pcm):])]
	return err
}

// processFrame feeds the module what the speaker has been handed since the
// last frame, then cleans the frame, recorded from captured on, telling the
// module how much later than the frame the newest far end it has is heard.
func (p *Processor) processFrame(frame []int16, captured time.Time) error {
	var delay time.Duration
	if p.echo {
		newest, err := p.feedFar(captured)
		if err != nil {
			return err
		}
		delay = p.steady(newest.Sub(captured.Add(samplesDuration(Frame))))
	}
	buf := unsafe.Slice((*int16)(unsafe.Pointer(p.frame)), Frame)
	copy(buf, frame)
	code := C.pigeon_apm_near(p.c, p.frame, C.int(delay.Milliseconds()))
	p.stats.FramesNear++
	copy(frame, buf)
	if code != 0 && code != -13 { // kBadStreamParameterWarning: a delay out of its range, used all the same
		return fmt.Errorf("%w: processing the microphone's sound (code %d)", ErrModule, int(code))
	}
	return nil
}

// feedFar feeds the module, in whole frames, what the speaker has been
// handed and it has not yet been fed, and returns when the room hears the
// newest of it. The far end goes to the canceller as soon as the speaker
// has it, before the room can hear it: an echo never comes sooner than the
// far end that caused it, however wrong the latencies the sound system
// reports, and the delay the module is told, from them, is for it to
// correct. Before anything is played, and when the speaker has stopped,
// silence keeps the canceller's far end in step with the microphone.
func (p *Processor) feedFar(captured time.Time) (time.Time, error) {
	buf := unsafe.Slice((*int16)(unsafe.Pointer(p.frame)), Frame)
	end, endAt, ok := p.far.played()
	if !ok || endAt.Before(captured) && p.farPos+Frame > end {
		clear(buf)
		p.stats.FramesSilence++
		return captured, p.feed()
	}
	// Out of step by more than the far end keeps (the first frame, or a
	// microphone that stalled): start again with the newest frame.
	if d := end - p.farPos; !p.synced || d > farRing/2 || d < 0 {
		p.farPos, p.synced = max(end-Frame, 0), true
	}
	for p.farPos+Frame <= end {
		p.far.read(buf, p.farPos)
		p.farPos += Frame
		if err := p.feed(); err != nil {
			return time.Time{}, err
		}
	}
	return endAt.Add(-samplesDuration(int(end - p.farPos))), nil
}

// steady returns the delay to tell the canceller, given the one measured
// now: the least of the last second's, less delayMargin. A callback the
// system ran late makes one measure too long or too short; told too long,
// the canceller would look for the echo before it comes, and each change
// it is told moves its buffers.
func (p *Processor) steady(measured time.Duration) time.Duration {
	p.delays[p.delayAt%len(p.delays)] = measured
	p.delayAt++
	least := measured
	for _, d := range p.delays[:min(p.delayAt, len(p.delays))] {
		least = min(least, d)
	}
	return max(least-delayMargin, 0).Truncate(time.Millisecond)
}

func (p *Processor) feed() error {
	p.stats.FramesFar++
	if code := C.pigeon_apm_far(p.c, p.frame); code != 0 {
		return fmt.Errorf("%w: analysing the far end (code %d)", ErrModule, int(code))
	}
	return nil
}

// Stats says what the echo canceller makes of the call so far.
func (p *Processor) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	if p.c == nil || !p.echo {
		return s
	}
	var cs C.pigeon_apm_stats
	C.pigeon_apm_stats_get(p.c, &cs)
	s.Echo = cs.has_echo != 0
	s.ERLE, s.ERL = float64(cs.erle), float64(cs.erl)
	s.Delay = time.Duration(cs.delay_median) * time.Millisecond
	s.DelaySpread = time.Duration(cs.delay_std) * time.Millisecond
	return s
}

// Close releases the module. Process fails after it.
func (p *Processor) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c != nil {
		C.pigeon_apm_free(p.c)
		C.free(unsafe.Pointer(p.frame))
		p.c, p.frame = nil, nil
	}
	return nil
}
