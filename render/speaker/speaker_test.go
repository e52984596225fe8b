package speaker

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestNullDevicePullsInRealTime(t *testing.T) {
	var frames atomic.Int64
	s, err := Open(func(pcm []int16) {
		frames.Add(int64(len(pcm)))
		for i := range pcm {
			pcm[i] = 0
		}
	}, Options{Device: Null})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the span over which the pace is measured
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after := frames.Load()
	// 300 ms at 48 kHz is 14,400 samples; allow for start-up and a loaded
	// machine, but not for a device that never runs or runs unpaced.
	if after < 4800 || after > 48000 {
		t.Errorf("the null device pulled %d samples in 300 ms, want about 14,400", after)
	}
	time.Sleep(50 * time.Millisecond) // a call that must not come has no event to wait for
	if frames.Load() != after {
		t.Error("the source was called after Close")
	}
	if s.Name() != Null {
		t.Errorf("name %q, want %q", s.Name(), Null)
	}
}

func TestMissingDeviceIsAnError(t *testing.T) {
	// Either there is no sound system here (ErrNoSound) or it has no such
	// device (ErrNoSuchDevice); neither may panic.
	_, err := Open(func([]int16) {}, Options{Device: "no such device, surely"})
	if !errors.Is(err, ErrNoSuchDevice) && !errors.Is(err, ErrNoSound) {
		t.Fatalf("got %v, want ErrNoSuchDevice or ErrNoSound", err)
	}
	t.Log(err)
}

func TestDefaultDeviceOpensOrSaysWhy(t *testing.T) {
	s, err := Open(func(pcm []int16) { clear(pcm) }, Options{})
	if err != nil {
		if !errors.Is(err, ErrNoSound) {
			t.Fatalf("got %v, want ErrNoSound", err)
		}
		t.Logf("no sound here, as expected on a server: %v", err)
		return
	}
	t.Logf("playing on %s", s.Name())
	s.Close()
}

// TestPlayedSaysWhatAndWhen: Played is handed each buffer the source
// filled, as filled, with when it will be heard: the device's latency
// from now.
func TestPlayedSaysWhatAndWhen(t *testing.T) {
	type buffer struct {
		first, n int16
		ahead    time.Duration
	}
	got := make(chan buffer, 100)
	var next int16
	s, err := Open(func(pcm []int16) {
		for i := range pcm {
			pcm[i] = next
			next++
		}
	}, Options{Device: Null, Played: func(pcm []int16, heard time.Time) {
		select {
		case got <- buffer{pcm[0], int16(len(pcm)), time.Until(heard)}:
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Latency() != 30*time.Millisecond {
		t.Errorf("the null device's latency is %v, want its three 10 ms periods", s.Latency())
	}
	var want int16
	for range 10 {
		b := <-got
		if b.first != want {
			t.Fatalf("Played was handed a buffer starting at %d, want %d: not what the source filled, in order", b.first, want)
		}
		if b.ahead <= 0 || b.ahead > s.Latency() {
			t.Errorf("a buffer to be heard %v from now, want within the latency, %v", b.ahead, s.Latency())
		}
		want += b.n
	}
}
