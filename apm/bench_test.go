package apm

import (
	"testing"
	"time"
)

// BenchmarkEchoCancellation plays a call through simulated rooms: the far
// end's speech from the speakers, its echo through the room's impulse
// response (a delay, then reverberation decaying exponentially), and a
// person in the room who starts speaking 10 s in, over the far end's last
// 6 s (double talk), then alone. It reports how far down the echo comes
// back once converged (3 s) and while both speak, what is left of the
// person's voice alone and in double talk, the processing's delay, and the
// CPU of each side, as a share of one core per second of sound.
func BenchmarkEchoCancellation(b *testing.B) {
	for _, r := range []struct {
		name string
		room room
	}{
		{"laptop", laptop},
		{"hall", room{delay: 80 * time.Millisecond, rt60: 600 * time.Millisecond, gain: 0.7}},
	} {
		b.Run(r.name, func(b *testing.B) {
			s := callScene(b, r.room)
			var f figures
			for b.Loop() {
				f = measure(b, s, Defaults, 60*time.Millisecond)
			}
			b.ReportMetric(f.erle, "ERLE-dB")
			b.ReportMetric(f.erleDouble, "double-talk-ERLE-dB")
			b.ReportMetric(f.nearLevel, "near-level-dB")
			b.ReportMetric(f.nearCorr, "near-correlation")
			b.ReportMetric(f.nearDouble, "double-talk-near-level-dB")
			b.ReportMetric(float64(f.delay)/1e6, "delay-ms")
			b.ReportMetric(f.cpuNear, "microphone-CPU-%")
			b.ReportMetric(f.cpuFar, "speaker-CPU-%")
		})
	}
}

// BenchmarkProcess is the cost of cleaning one 20 ms chunk of the
// microphone, the far end's two frames fed with it.
func BenchmarkProcess(b *testing.B) {
	far := NewFarEnd()
	p, err := New(far, Defaults)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	in := noise(Rate)
	chunk := make([]int16, 2*Frame)
	t0 := time.Now()
	for i := 0; b.Loop(); i++ {
		at := t0.Add(samplesDuration(i * 2 * Frame))
		from := i * 2 * Frame % (len(in) - 2*Frame)
		far.Played(in[from:from+2*Frame], at.Add(100*time.Millisecond))
		copy(chunk, in[from:])
		if err := p.Process(chunk, at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(20*time.Millisecond)*100, "CPU-%")
}
