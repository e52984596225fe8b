package apm

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
	"github.com/pigeon-call/pigeon/internal/testenv"
)

// What the tests and benchmarks of this package hear: speech from
// espeak-ng, through a simulated room.

// speech is text spoken by espeak-ng's voice, as 16-bit mono at Rate.
func speech(tb testing.TB, voice, text string) []int16 {
	tb.Helper()
	testenv.RequireTools(tb, "espeak-ng", "ffmpeg")
	pcm, err := mediatest.Say(voice, text)
	if err != nil {
		tb.Fatal(err)
	}
	return pcm
}

var (
	voicesOnce sync.Once
	farVoice   []int16 // the peer, played by the speakers
	nearVoice  []int16 // the person in the room
)

// voices are the far end's speech and the near end's, made once a test
// process.
func voices(tb testing.TB) (far, near []int16) {
	tb.Helper()
	voicesOnce.Do(func() {
		farVoice = speech(tb, "en-us", "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "+
			"It is easy to tell the depth of a well. These days a chicken leg is a rare dish. "+
			"Rice is often served in round bowls. The juice of lemons makes fine punch.")
		nearVoice = speech(tb, "en-gb+f3", "A king ruled the state in the early days. The ship was torn apart on the sharp reef. "+
			"Sickness kept him home the third week. The wide road shimmered in the hot sun.")
	})
	if farVoice == nil {
		tb.Skip("no speech")
	}
	return farVoice, nearVoice
}

// room is the acoustic path from the speakers to the microphone: a direct
// path delay late, then reverberation that decays by 60 dB in rt60, with
// gain the loudness of the echo against what was played.
type room struct {
	delay time.Duration
	rt60  time.Duration
	gain  float64
}

// laptop is a small room heard from a laptop's speakers: the sound reaches
// the microphone 30 ms after it left the sound card (the card's own delay
// and the air), about 6 dB quieter, with 250 ms of reverberation.
var laptop = room{delay: 30 * time.Millisecond, rt60: 250 * time.Millisecond, gain: 0.5}

// response is the room's impulse response at Rate.
func (r room) response() []float64 {
	rng := rand.New(rand.NewPCG(7, 11))
	d := int(r.delay.Seconds() * Rate)
	n := d + int(r.rt60.Seconds()*Rate)
	h := make([]float64, n)
	h[d] = 1
	tau := r.rt60.Seconds() / math.Log(1000) // 60 dB down at rt60
	var energy float64
	for i := d + 1; i < n; i++ {
		t := float64(i-d) / Rate
		h[i] = 0.3 * rng.NormFloat64() * math.Exp(-t/tau) * math.Sqrt(1.0/Rate*100)
		energy += h[i] * h[i]
	}
	energy += 1
	scale := r.gain / math.Sqrt(energy)
	for i := range h {
		h[i] *= scale
	}
	return h
}

// echo is what the microphone hears of far played in the room.
func (r room) echo(far []int16) []float64 {
	x := make([]float64, len(far))
	for i, v := range far {
		x[i] = float64(v)
	}
	return mediatest.Convolve(x, r.response())[:len(far)]
}

// scene is a stretch of a call: what the speakers play and what the
// microphone records, sample for sample at Rate from the same instant.
type scene struct {
	far  []int16   // played
	echo []float64 // the microphone's echo of far
	near []int16   // the person in the room, as the microphone hears them
}

// mic is what the microphone records: the echo and the person.
func (s scene) mic() []int16 {
	out := make([]int16, len(s.far))
	for i := range out {
		v := s.echo[i]
		if i < len(s.near) {
			v += float64(s.near[i])
		}
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

// place returns n samples of silence with src copied in from at on.
func place(n int, src []int16, at int) []int16 {
	out := make([]int16, n)
	if at < n {
		copy(out[at:], src)
	}
	return out
}

// run plays s through a processor as pigeon's speaker and microphone would:
// the speaker hands the far end over in 10 ms buffers playAhead before the
// room hears them, the microphone hands over 20 ms chunks, and the
// processor is told when each was recorded. It returns the cleaned
// microphone, and the time spent in Process and in Played.
func run(tb testing.TB, p *Processor, far *FarEnd, s scene, playAhead time.Duration) (out []int16, near, played time.Duration) {
	tb.Helper()
	const chunk = 2 * Frame
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(n int) time.Time { return t0.Add(samplesDuration(n)) }
	mic := s.mic()
	out = make([]int16, 0, len(mic))
	playedTo := 0
	for n := 0; n+chunk <= len(mic); n += chunk {
		// By the time this chunk is handed over, the speaker has been
		// handed what is heard until playAhead after that.
		handed := at(n + chunk)
		for playedTo < len(s.far) && at(playedTo).Before(handed.Add(playAhead)) {
			end := min(playedTo+Frame, len(s.far))
			start := time.Now()
			far.Played(s.far[playedTo:end], at(playedTo))
			played += time.Since(start)
			playedTo = end
		}
		c := append([]int16(nil), mic[n:n+chunk]...)
		start := time.Now()
		if err := p.Process(c, at(n)); err != nil {
			tb.Fatal(err)
		}
		near += time.Since(start)
		out = append(out, c...)
	}
	return out, near, played
}

// power is the mean square of pcm[from:to].
func power(pcm []int16, from, to int) float64 {
	from, to = max(from, 0), min(to, len(pcm))
	if to <= from {
		return 0
	}
	var sum float64
	for _, v := range pcm[from:to] {
		sum += float64(v) * float64(v)
	}
	return sum / float64(to-from)
}

func powerF(x []float64, from, to int) float64 {
	from, to = max(from, 0), min(to, len(x))
	if to <= from {
		return 0
	}
	var sum float64
	for _, v := range x[from:to] {
		sum += v * v
	}
	return sum / float64(to-from)
}

func dB(ratio float64) float64 { return 10 * math.Log10(ratio) }

// activity marks the 20 ms windows of pcm where it speaks: within 30 dB of
// its loudest window.
func activity(pcm []int16) []bool {
	const w = Rate / 50
	var loud float64
	var ps []float64
	for i := 0; i+w <= len(pcm); i += w {
		p := power(pcm, i, i+w)
		ps = append(ps, p)
		loud = max(loud, p)
	}
	act := make([]bool, len(ps))
	for i, p := range ps {
		act[i] = p > loud/1000
	}
	return act
}

// correlation is the normalised correlation of a and b over [from, to),
// with b shifted by lag samples.
func correlation(a, b []int16, from, to, lag int) float64 {
	var ab, aa, bb float64
	for i := max(from, 0); i < min(to, len(a)); i++ {
		j := i - lag
		if j < 0 || j >= len(b) {
			continue
		}
		x, y := float64(a[i]), float64(b[j])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}
