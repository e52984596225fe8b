package mediatest

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFindLocatesACopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sig := make([]int16, 48000)
	for i := range sig {
		sig[i] = int16(rng.IntN(2000) - 1000)
	}
	ref := append([]int16(nil), sig[12345:12345+4800]...)
	at, corr := Find(sig, ref)
	if at != 12345 || corr < 0.99 {
		t.Errorf("Find = %d, %.3f; want 12345 and a correlation near 1", at, corr)
	}
}

func TestConvolveWithADelayedImpulse(t *testing.T) {
	x := []float64{1, -2, 3, 0.5}
	h := []float64{0, 0, 0.5}
	got := Convolve(x, h)
	want := []float64{0, 0, 0.5, -1, 1.5, 0.25}
	if len(got) != len(want) {
		t.Fatalf("Convolve gave %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("sample %d = %g, want %g", i, got[i], want[i])
		}
	}
}
