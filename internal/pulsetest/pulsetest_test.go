package pulsetest

import (
	"context"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
)

// tone is d of a 440 Hz sine at half scale.
func tone(d time.Duration) []int16 {
	pcm := make([]int16, int(d.Seconds()*Rate))
	for i := range pcm {
		pcm[i] = int16(16000 * math.Sin(2*math.Pi*440*float64(i)/Rate))
	}
	return pcm
}

// contains reports whether got holds want, sample for sample, somewhere.
func contains(got, want []int16) bool {
	for i := 0; i+len(want) <= len(got); i++ {
		if got[i] == want[0] && slices.Equal(got[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// TestServerPlaysRecordsAndStops: what is played on a null sink is heard on
// its monitor, what is written to a pipe source is recorded from it, both
// unchanged, and stopping the server leaves no process or goroutine behind.
func TestServerPlaysRecordsAndStops(t *testing.T) {
	before := runtime.NumGoroutine()
	s := Start(t, Config{Sinks: []string{"room"}, Pipes: []string{"mic"}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	want := tone(500 * time.Millisecond)
	monitor, err := s.Record("room.monitor")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Play(ctx, "room", want); err != nil {
		t.Fatal(err)
	}
	heard, err := monitor.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if !contains(heard, want[Rate/10:Rate/5]) {
		t.Errorf("the monitor of the sink recorded %d samples without the tone played on it", len(heard))
	}

	mic, err := s.Record("mic")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, "mic", want); err != nil {
		t.Fatal(err, s.Log())
	}
	recorded, err := mic.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if !contains(recorded, want[Rate/10:Rate/5]) {
		t.Errorf("the pipe source recorded %d samples without the tone written to it", len(recorded))
	}

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Exited():
	default:
		t.Fatal("Stop returned with pulseaudio running")
	}
	// The goroutine that read the server's log ends with it.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the server stopped, %d before", n, before)
	}
}

// TestBadConfigIsRefused: what pulseaudio would quietly do otherwise (rename
// a sink whose name is taken, keep its own default source) is refused.
func TestBadConfigIsRefused(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Sinks: []string{"room", "room"}},
		{Sinks: []string{"room"}, Pipes: []string{"room"}},
		{Sinks: []string{"a room"}},
		{Sinks: []string{"room"}, Source: "nowhere"},
		{Sinks: []string{"room"}, Source: "nowhere.monitor"},
	} {
		if s, err := start(t.TempDir(), cfg); err == nil {
			s.Stop()
			t.Errorf("a server started with %+v", cfg)
		}
	}
}

// TestStopEndsRecordings: a recording the test left running ends with the
// server, its process and goroutine with it.
func TestStopEndsRecordings(t *testing.T) {
	before := runtime.NumGoroutine()
	s := Start(t, Config{Sinks: []string{"room"}})
	r, err := s.Record("room.monitor")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.done:
	default:
		t.Fatal("the recording's parec runs on after the server stopped")
	}
	if r.cmd.ProcessState == nil {
		t.Error("parec was not waited for")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the server stopped, %d before", n, before)
	}
}
