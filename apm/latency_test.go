package apm

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pigeon-call/pigeon/internal/mediatest"
)

// lateness is how many samples out runs behind in, within the band [lo, hi)
// Hz: the peak of their cross-correlation over that band, looked for up to
// maxLag samples either way, and the correlation there (1 for out a copy of
// in, delayed and scaled).
func lateness(in, out []int16, lo, hi float64, maxLag int) (lag int, corr float64) {
	n := 1
	for n < max(len(in), len(out))+maxLag {
		n <<= 1
	}
	a, b := make([]complex128, n), make([]complex128, n)
	for i, v := range in {
		a[i] = complex(float64(v), 0)
	}
	for i, v := range out {
		b[i] = complex(float64(v), 0)
	}
	mediatest.FFT(a, false)
	mediatest.FFT(b, false)
	var ea, eb float64
	for k := range a {
		f := float64(min(k, n-k)) * Rate / float64(n)
		if f < lo || f >= hi {
			a[k] = 0
			continue
		}
		ea += real(a[k])*real(a[k]) + imag(a[k])*imag(a[k])
		eb += real(b[k])*real(b[k]) + imag(b[k])*imag(b[k])
		a[k] = b[k] * complex(real(a[k]), -imag(a[k]))
	}
	if ea == 0 || eb == 0 {
		return 0, 0
	}
	mediatest.FFT(a, true) // a[l] is the sum of out[i+l]*in[i] over the band, times n
	best := math.Inf(-1)
	for l := -maxLag; l <= maxLag; l++ {
		if v := real(a[(l+n)%n]); v > best {
			lag, best = l, v
		}
	}
	return lag, best / math.Sqrt(ea*eb)
}

// bands are the module's three bands at 48 kHz: it splits the sound into
// them, runs its stages on the low one, and puts them back together.
var bands = [3][2]float64{{0, 8000}, {8000, 16000}, {16000, 24000}}

// latencies are how late each part of the processing makes the sound.
type latencies struct {
	total time.Duration    // all of it, as a call runs it
	bands [3]time.Duration // the same, band by band
	corr  float64          // the output's correlation with the input there
	split time.Duration    // the module's split into bands and back
	echo  time.Duration    // the echo canceller, beyond the split
	noise time.Duration    // the noise suppressor
}

// measureLatency plays white noise through the processing as a call runs
// it, then through each stage alone, and measures how late each makes it
// once all have settled (3 s): the far end is fed silence, so the
// canceller lets the noise through; the noise suppressor, which takes it
// for noise, turns it down but does not move it.
func measureLatency(tb testing.TB, noise []int16) latencies {
	tb.Helper()
	const settled = 3 * Rate
	maxLag := Rate / 20
	through := func(opts Options) []int16 {
		far := NewFarEnd()
		p, err := New(far, opts)
		if err != nil {
			tb.Fatal(err)
		}
		defer p.Close()
		s := scene{far: make([]int16, len(noise)), echo: make([]float64, len(noise)), near: noise}
		out, _, _ := run(tb, p, far, s, 60*time.Millisecond)
		return out
	}
	late := func(out []int16, lo, hi float64) (time.Duration, float64) {
		lag, corr := lateness(noise[settled:], out[settled:], lo, hi, maxLag)
		return samplesDuration(lag), corr
	}
	var l latencies
	all := through(Defaults)
	l.total, l.corr = late(all, 0, Rate/2)
	for i, b := range bands {
		l.bands[i], _ = late(all, b[0], b[1])
	}
	l.split, _ = late(through(Options{HighPass: true}), 0, Rate/2)
	echo, _ := late(through(Options{EchoCancellation: true, HighPass: true}), 0, Rate/2)
	l.echo = echo - l.split
	l.noise, _ = late(through(Options{NoiseSuppression: true}), 0, Rate/2)
	return l
}

func whiteNoise(n int) []int16 {
	rng := rand.New(rand.NewPCG(1, 2))
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(max(-32768, min(32767, math.Round(rng.NormFloat64()*3000))))
	}
	return pcm
}

// BenchmarkLatency reports how late the processing makes the sound, from
// white noise cross-correlated with what comes out: all of it as a call
// runs it (the band that comes out latest, and how far the others are from
// it), then each stage alone. The microphone's chunks are whole frames, so
// Process itself holds nothing back.
func BenchmarkLatency(b *testing.B) {
	noise := whiteNoise(6 * Rate)
	var l latencies
	for b.Loop() {
		l = measureLatency(b, noise)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	latest, earliest := l.bands[0], l.bands[0]
	for _, d := range l.bands {
		latest, earliest = max(latest, d), min(earliest, d)
	}
	b.ReportMetric(ms(max(l.total, latest)), "latency-ms")
	b.ReportMetric(ms(latest-earliest), "band-spread-ms")
	b.ReportMetric(l.corr, "correlation")
	b.ReportMetric(ms(l.split), "band-split-ms")
	b.ReportMetric(ms(l.echo), "echo-canceller-ms")
	b.ReportMetric(ms(l.noise), "noise-suppressor-ms")
}

// TestLatenessFindsTheDelay: lateness finds a delay put into a copy of
// white noise, in the whole band and in each of the module's, and a
// correlation of 1 for a copy; a copy made earlier comes out early.
func TestLatenessFindsTheDelay(t *testing.T) {
	in := whiteNoise(Rate)
	for _, d := range []int{0, 1, 46, 478, 1200} {
		out := make([]int16, len(in))
		for i := d; i < len(in); i++ {
			out[i] = in[i-d] / 2
		}
		for _, b := range append([][2]float64{{0, Rate / 2}}, bands[:]...) {
			lag, corr := lateness(in, out, b[0], b[1], Rate/20)
			if lag != d || corr < 0.95 {
				t.Errorf("a copy %d samples late, %v Hz: found %d samples, correlation %.3f", d, b, lag, corr)
			}
		}
	}
	early := append(in[10:len(in):len(in)], make([]int16, 10)...)
	if lag, _ := lateness(in, early, 0, Rate/2, Rate/20); lag != -10 {
		t.Errorf("a copy 10 samples early: found %d samples late", lag)
	}
}
