package apm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// fan is steady noise as a laptop's fan makes it: a rumble (white noise
// through a one-pole low-pass at 600 Hz) with hiss 10 dB below it, of unit
// power or so.
func fan(n int) []float64 {
	rng := rand.New(rand.NewPCG(9, 9))
	a := math.Exp(-2 * math.Pi * 600 / Rate)
	out := make([]float64, n)
	var rumble float64
	for i := range out {
		rumble = a*rumble + (1-a)*rng.NormFloat64()
		out[i] = 5*rumble + 0.5*rng.NormFloat64()
	}
	return out
}

// noisy is the person in the room speaking with a fan on, snr dB louder
// than it while they speak, from 2 s on: the voice alone, and what the
// microphone hears.
type noisy struct {
	voice, mic []int16
	noise      []float64 // the fan's noise at the microphone
}

func noisyScene(tb testing.TB, snr float64) noisy {
	_, near := voices(tb)
	voice := place(2*Rate+len(near)+Rate, near, 2*Rate)
	var speech float64
	var windows int
	const w = Rate / 50
	for i, on := range activity(voice) {
		if on {
			speech += power(voice, i*w, i*w+w)
			windows++
		}
	}
	noise := fan(len(voice))
	scale := math.Sqrt(speech / float64(windows) / powerF(noise, 0, len(noise)) / math.Pow(10, snr/10))
	mic := make([]int16, len(voice))
	for i := range noise {
		noise[i] *= scale
		mic[i] = int16(max(-32768, min(32767, math.Round(float64(voice[i])+noise[i]))))
	}
	return noisy{voice: voice, mic: mic, noise: noise}
}

// noiseFigures are what the processing did to a noisy scene.
type noiseFigures struct {
	voice float64 // dB: the voice's level, out over in (the gain control raises it)
	noise float64 // dB: the noise's level in the pauses, out over in
	gain  float64 // dB: how much further below the voice the noise comes out: voice less noise
	cpu   float64 // % of a core, for Process
}

// measureNoise runs the scene through a processor with opts (a far end
// fed silence) and judges it from 3 s on, once the suppressor has learnt
// the noise: the pauses for the noise, and, where the person speaks, the
// output fitted with their voice, 20 ms at a time, for what is kept of it.
func measureNoise(tb testing.TB, s noisy, opts Options) noiseFigures {
	tb.Helper()
	far := NewFarEnd()
	p, err := New(far, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	silent := make([]int16, len(s.mic))
	out, spent, _ := run(tb, p, far, scene{far: silent, echo: make([]float64, len(s.mic)), near: s.mic}, 60*time.Millisecond)

	const from, w = 3 * Rate, Rate / 50
	lag, _ := lateness(s.voice[from:len(out)], out[from:], 0, Rate/2, Rate/20)
	var noiseIn, noiseOut, voiceIn, kept float64
	for i, on := range activity(s.voice) {
		at := i * w
		if at < from || at+lag+w > len(out) {
			continue
		}
		if !on {
			noiseIn += powerF(s.noise, at, at+w)
			noiseOut += power(out, at+lag, at+lag+w)
			continue
		}
		var ov, vv float64
		for j := at; j < at+w; j++ {
			ov += float64(out[j+lag]) * float64(s.voice[j])
			vv += float64(s.voice[j]) * float64(s.voice[j])
		}
		if vv > 0 {
			kept += ov * ov / vv
			voiceIn += vv
		}
	}
	f := noiseFigures{voice: dB(kept / voiceIn), noise: dB(noiseOut / noiseIn)}
	f.gain = f.voice - f.noise
	f.cpu = spent.Seconds() / (float64(len(s.mic)) / Rate) * 100
	return f
}

// TestNoiseIsSuppressed: with a fan 10 dB below the voice, the processing
// a call runs brings the noise at least 6 dB further below the voice than
// it was, and keeps the voice: no quieter than 3 dB below what the
// microphone heard. Without the noise suppressor, the gain control and the
// rest take no noise away.
func TestNoiseIsSuppressed(t *testing.T) {
	s := noisyScene(t, 10)
	f := measureNoise(t, s, Defaults)
	t.Logf("voice %+.1f dB, noise %+.1f dB: the noise %.1f dB further below the voice", f.voice, f.noise, f.gain)
	if f.gain < 6 || f.voice < -3 || f.voice > 10 {
		t.Errorf("the voice came out at %+.1f dB and the noise %.1f dB further below it, want -3 to +10 dB and at least 6 dB",
			f.voice, f.gain)
	}
	off := measureNoise(t, s, Options{EchoCancellation: true, GainControl: true, HighPass: true})
	if off.gain > 2 {
		t.Errorf("without the noise suppressor the noise came out %.1f dB further below the voice: the scene has no noise to suppress", off.gain)
	}
}

// BenchmarkNoiseSuppression plays the person in the room with a fan on,
// 10, 20 and 30 dB below the voice, through the processing a call runs. It
// reports the voice's level and the noise's, out over in, and how much
// further below the voice the noise comes out.
func BenchmarkNoiseSuppression(b *testing.B) {
	for _, snr := range []float64{10, 20, 30} {
		b.Run(fmt.Sprintf("fan-%.0fdB", snr), func(b *testing.B) {
			s := noisyScene(b, snr)
			var f noiseFigures
			for b.Loop() {
				f = measureNoise(b, s, Defaults)
			}
			b.ReportMetric(f.gain, "SNR-gain-dB")
			b.ReportMetric(f.voice, "voice-level-dB")
			b.ReportMetric(f.noise, "noise-level-dB")
			b.ReportMetric(f.cpu, "microphone-CPU-%")
		})
	}
}
