package capture

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/wave"

	"github.com/pigeon-call/pigeon/internal/pulsetest"
	"github.com/pigeon-call/pigeon/internal/sound"
)

// inFreshProcess runs the test named name again in a process of its own,
// with env added, and reports whether this is that process. The system's
// microphones are registered once a process, from the first sound system
// that answers: a test of one sound system runs where no other test has
// asked first.
func inFreshProcess(t *testing.T, env ...string) bool {
	t.Helper()
	if os.Getenv("PIGEON_TEST_FRESH_PROCESS") == "1" {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=2m")
	cmd.Env = append(append(os.Environ(), "PIGEON_TEST_FRESH_PROCESS=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("in a fresh process: %v\n%s", err, out)
	}
	t.Logf("in a fresh process:\n%s", out)
	return false
}

// TestMicrophonesOnPulseAudio: on a PulseAudio server, pigeon devices lists
// its sources as microphones pigeon can use, the default first, and the
// default microphone, opened as pigeon call opens it, records what the
// source hears: sample for sample when raw, and a voice kept whole through
// its processing.
func TestMicrophonesOnPulseAudio(t *testing.T) {
	if os.Getenv("PIGEON_TEST_FRESH_PROCESS") == "" {
		s := pulsetest.Start(t, pulsetest.Config{Sinks: []string{"room"}, Pipes: []string{"mic"}})
		inFreshProcess(t, append(s.Env(), "PIGEON_TEST_PIPE="+s.Pipe("mic"))...)
		return
	}

	var mics []Device
	for _, d := range Devices() {
		if d.Kind == Mic {
			mics = append(mics, d)
		}
	}
	if len(mics) != 2 {
		t.Fatalf("microphones %+v, want the pipe source and the sink's monitor", mics)
	}
	for _, d := range mics {
		if !d.Ready {
			t.Errorf("%s (%s) is unusable: %s", d.ID, d.Name, d.Why)
		}
	}
	if !strings.Contains(mics[0].Name, "FIFO") {
		t.Errorf("the first microphone listed is %q, want the default source, the pipe", mics[0].Name)
	}

	m, err := Open(Options{Audio: Mic, RawMicrophone: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.AudioLabel, "FIFO") {
		t.Errorf("opened %q, want the default source", m.AudioLabel)
	}
	r := unwrap(m.Audio).(*mediadevices.AudioTrack).NewReader(false)

	// A second of noise, which no stretch of silence or of another
	// signal matches by chance.
	rng := rand.New(rand.NewPCG(1, 2))
	said := make([]int16, pulsetest.Rate)
	for i := range said {
		said[i] = int16(rng.IntN(20000) - 10000)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	written := make(chan error, 1)
	go func() { written <- pulsetest.WritePipe(ctx, os.Getenv("PIGEON_TEST_PIPE"), said) }()

	var heard []int16
	for len(heard) < len(said)*3/2 {
		chunk, release, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		a, ok := chunk.(*wave.Int16Interleaved)
		if !ok || a.Size.Channels != 1 || a.Size.SamplingRate != 48000 {
			t.Fatalf("a chunk of %T %+v, want 16-bit mono at 48 kHz", chunk, chunk.ChunkInfo())
		}
		heard = append(heard, a.Data...)
		release()
		if len(heard) >= len(said) && contains(heard, said) {
			break
		}
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if !contains(heard, said) {
		t.Fatalf("the microphone recorded %d samples without the second of noise written to the source", len(heard))
	}

	closeEndsReads(t, m, r)

	m, err = Open(Options{Audio: Mic})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !strings.Contains(m.AudioLabel, "echo cancellation") {
		t.Errorf("the microphone is %q, which does not say its sound is processed", m.AudioLabel)
	}
	r = unwrap(m.Audio).(*mediadevices.AudioTrack).NewReader(false)
	voice := syllables(3 * time.Second)
	go func() { written <- pulsetest.WritePipe(ctx, os.Getenv("PIGEON_TEST_PIPE"), voice) }()
	heard = heard[:0]
	for len(heard) < len(voice) {
		chunk, release, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		a, ok := chunk.(*wave.Int16Interleaved)
		if !ok || a.Size.Channels != 1 || a.Size.SamplingRate != 48000 {
			t.Fatalf("a processed chunk of %T %+v, want 16-bit mono at 48 kHz", chunk, chunk.ChunkInfo())
		}
		heard = append(heard, a.Data...)
		release()
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	// What was heard starts with the voice, late by the processing's own
	// delay and whatever the stream started with; the gain control and the
	// noise suppressor reshape it a little (their effect on speech is
	// measured in package apm).
	best, lag := 0.0, 0
	for l := 0; l < 24000; l++ {
		if c := correlate(heard[48000+l:len(voice)], voice[48000:len(voice)-l]); c > best {
			best, lag = c, l
		}
	}
	level := 10 * math.Log10(meanSquare(heard[48000+lag:len(voice)])/meanSquare(voice[48000:len(voice)-lag]))
	t.Logf("processed: correlation %.2f %d samples late, %+.1f dB", best, lag, level)
	if best < 0.6 || level < -10 || level > 10 {
		t.Errorf("the processed microphone gave a voice with correlation %.2f at %+.1f dB, want at least 0.6 at -10 to +10 dB",
			best, level)
	}
}

// syllables is d of a voice-like sound: a 140 Hz buzz with its harmonics,
// its pitch wandering, in syllables four a second, with pauses: what noise
// suppression keeps.
func syllables(d time.Duration) []int16 {
	n := int(d.Seconds() * 48000)
	pcm := make([]int16, n)
	phase := 0.0
	for i := range pcm {
		t := float64(i) / 48000
		f0 := 140 + 30*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / 48000
		env := math.Max(0, math.Sin(2*math.Pi*4*t)) * (0.6 + 0.4*math.Sin(2*math.Pi*0.3*t))
		if int(t*2)%3 == 2 {
			env = 0 // a pause
		}
		var v float64
		for h := 1; h <= 12; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		pcm[i] = int16(5000 * env * v)
	}
	return pcm
}

func correlate(a, b []int16) float64 {
	var ab, aa, bb float64
	for i := range min(len(a), len(b)) {
		x, y := float64(a[i]), float64(b[i])
		ab, aa, bb = ab+x*y, aa+x*x, bb+y*y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

func meanSquare(pcm []int16) float64 {
	var sum float64
	for _, v := range pcm {
		sum += float64(v) * float64(v)
	}
	return sum / float64(max(len(pcm), 1))
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

// TestMicrophoneThatCannotRecordIsRefused: a microphone whose only format
// has no channels (ALSA's "null" device on a machine without a sound card,
// as miniaudio's null device), found through mediadevices' manager as
// pigeon devices and pigeon call find it, is listed as unusable with the
// reason, and opening it says there is no microphone.
func TestMicrophoneThatCannotRecordIsRefused(t *testing.T) {
	if !inFreshProcess(t) {
		return
	}
	registerMicrophonesOn([]malgo.Backend{sound.Null})
	registerMicrophones = func() {} // this machine's own stay out
	var mics []Device
	for _, d := range Devices() {
		if d.Kind == Mic {
			mics = append(mics, d)
		}
	}
	if len(mics) != 1 || mics[0].Ready || !strings.Contains(mics[0].Why, "no channel") {
		t.Errorf("microphones %+v, want the null device, unusable for its lack of channels", mics)
	}
	if _, err := Open(Options{Audio: Mic}); !errors.Is(err, ErrNoMicrophone) {
		t.Errorf("opening it: %v, want ErrNoMicrophone", err)
	}
}
