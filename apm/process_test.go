package apm

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func noise(n int) []int16 {
	rng := rand.New(rand.NewPCG(3, 4))
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(rng.IntN(16000) - 8000)
	}
	return pcm
}

// processAll runs pcm through a processor with nothing to do, in chunks of
// the sizes given in turn, and returns what came out.
func processAll(t *testing.T, pcm []int16, sizes ...int) []int16 {
	t.Helper()
	p, err := New(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var out []int16
	at := time.Now()
	for i, n := 0, 0; n < len(pcm); i++ {
		size := min(sizes[i%len(sizes)], len(pcm)-n)
		chunk := slices.Clone(pcm[n : n+size])
		if err := p.Process(chunk, at.Add(samplesDuration(n))); err != nil {
			t.Fatal(err)
		}
		out = append(out, chunk...)
		n += size
	}
	return out
}

// TestProcessHoldsNothingBack: chunks of whole frames come out where they
// went in, sample for sample when no stage changes them; other sizes come
// out whole too, later by less than a frame once the longest start of a
// frame has had to wait.
func TestProcessHoldsNothingBack(t *testing.T) {
	in := noise(2 * Rate)
	if out := processAll(t, in, 2*Frame); !slices.Equal(out, in) {
		t.Error("20 ms chunks through a processor with no stage changed")
	}
	if out := processAll(t, in, Frame, 3*Frame); !slices.Equal(out, in) {
		t.Error("10 and 30 ms chunks through a processor with no stage changed")
	}
	out := processAll(t, in, 700, 333)
	if len(out) != len(in) {
		t.Fatalf("%d samples in, %d out", len(in), len(out))
	}
	late := -1
	for d := range Frame {
		if slices.Equal(out[Rate:], in[Rate-d:len(in)-d]) {
			late = d
			break
		}
	}
	if late < 0 {
		t.Error("chunks of 700 and 333 samples came out as something else than the input, later by less than a frame")
	}
	t.Logf("chunks of 700 and 333 samples came out %d samples late", late)
}

// TestFarEndKeepsWhatWasPlayed: the far end says how much was played and
// when the room hears its end, and gives back what was played, with
// silence for what it does not keep.
func TestFarEndKeepsWhatWasPlayed(t *testing.T) {
	f := NewFarEnd()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, _, ok := f.played(); ok {
		t.Fatal("a far end nothing was played into has a count")
	}
	pcm := noise(3 * farRing)
	for n := 0; n < len(pcm); n += Frame {
		f.Played(pcm[n:n+Frame], t0.Add(samplesDuration(n)))
	}
	end, endAt, ok := f.played()
	if !ok || end != int64(len(pcm)) || !endAt.Equal(t0.Add(samplesDuration(len(pcm)))) {
		t.Errorf("played %d samples, to be heard by %v, %v; want %d by %v", end, endAt.Sub(t0), ok, len(pcm), samplesDuration(len(pcm)))
	}
	frame := make([]int16, Frame)
	from := int64(len(pcm) - farRing + 100)
	f.read(frame, from)
	if !slices.Equal(frame, pcm[from:from+Frame]) {
		t.Error("the oldest samples kept came back changed")
	}
	f.read(frame, int64(len(pcm)-farRing-Frame/2))
	if !slices.Equal(frame[Frame/2:], pcm[len(pcm)-farRing:len(pcm)-farRing+Frame/2]) || slices.ContainsFunc(frame[:Frame/2], func(v int16) bool { return v != 0 }) {
		t.Error("samples older than the far end keeps came back as something else than silence")
	}
	f.read(frame, int64(len(pcm)-Frame/2))
	if !slices.Equal(frame[:Frame/2], pcm[len(pcm)-Frame/2:]) || slices.ContainsFunc(frame[Frame/2:], func(v int16) bool { return v != 0 }) {
		t.Error("samples not yet played came back as something else than silence")
	}
}
