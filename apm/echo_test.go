package apm

import (
	"math"
	"testing"
	"time"
)

// figures are what a scene through a processor measures.
type figures struct {
	erle       float64       // dB: the echo at the microphone over what is left of it, far end alone, after convergence
	erleDouble float64       // dB: the same while the person speaks too (what is left: the output less its best fit of the person)
	nearLevel  float64       // dB: the person's level, out over in, speaking alone
	nearCorr   float64       // the output's correlation with the person, speaking alone
	nearDouble float64       // dB: the person's level, out over in, while the far end speaks too
	delay      time.Duration // how late the output is on the microphone's sound: the processing's delay
	cpuNear    float64       // % of a core, for Process (the microphone's side, the far end's analysis included)
	cpuFar     float64       // % of a core, for Played (the speaker's side)
	stats      Stats
}

// The scene: the far end speaks from 0 s, the person from nearAt; after
// converge the canceller is judged.
const (
	nearAt   = 10 * Rate
	converge = 3 * Rate
	sceneLen = 24 * Rate
)

func callScene(tb testing.TB, r room) scene {
	far, near := voices(tb)
	s := scene{far: place(sceneLen, far, 0), near: place(sceneLen, near, nearAt)}
	for i := range s.near {
		s.near[i] /= 2 // about as loud at the microphone as the echo
	}
	s.echo = r.echo(s.far)
	return s
}

// measure runs the scene through a new processor with opts, its speaker
// handed the far end playAhead before the room hears it.
func measure(tb testing.TB, s scene, opts Options, playAhead time.Duration) figures {
	tb.Helper()
	far := NewFarEnd()
	p, err := New(far, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	out, near, played := run(tb, p, far, s, playAhead)

	const w = Rate / 50
	farAct, nearAct := activity(s.far), activity(s.near)
	mic := s.mic()
	// Windows of each kind: far end alone once converged, both, the person
	// alone.
	var farAlone, both, nearAlone []int
	for i := range min(len(farAct), len(nearAct)) {
		switch from := i * w; {
		case farAct[i] && !nearAct[i] && from >= converge && from < nearAt:
			farAlone = append(farAlone, from)
		case farAct[i] && nearAct[i]:
			both = append(both, from)
		case nearAct[i] && !farAct[i]:
			nearAlone = append(nearAlone, from)
		}
	}
	f := figures{stats: p.Stats()}

	// The processing's delay: where the output matches the person best.
	lag, best := 0, -1.0
	for l := 0; l < Rate/40; l++ {
		if c := windowsCorrelation(out, s.near, nearAlone, w, l); c > best {
			lag, best = l, c
		}
	}
	f.delay = samplesDuration(lag)
	f.nearCorr = best

	var echoIn, echoOut float64
	for _, from := range farAlone {
		echoIn += powerF(s.echo, from, from+w)
		echoOut += power(out, from, from+w)
	}
	f.erle = dB(echoIn / echoOut)

	var nearIn, nearOut float64
	for _, from := range nearAlone {
		nearIn += power(mic, from, from+w)
		nearOut += power(out, from+lag, from+lag+w)
	}
	f.nearLevel = dB(nearOut / nearIn)

	// While both speak, each window of the output is fitted with the person
	// (the suppressor's gain changes from window to window); what is left
	// is the echo and whatever the processing did to the voice.
	var echoDT, leftDT, nearDT, keptDT float64
	for _, from := range both {
		var on, nn float64
		for j := from; j < from+w; j++ {
			o, n := float64(out[j+lag]), float64(s.near[j])
			on += o * n
			nn += n * n
		}
		g := 0.0
		if nn > 0 {
			g = on / nn
		}
		var left float64
		for j := from; j < from+w; j++ {
			e := float64(out[j+lag]) - g*float64(s.near[j])
			left += e * e
		}
		echoDT += powerF(s.echo, from, from+w)
		leftDT += left / w
		nearDT += nn / w
		keptDT += g * g * nn / w
	}
	f.erleDouble = dB(echoDT / leftDT)
	f.nearDouble = dB(keptDT / nearDT)

	audio := float64(len(s.far)) / Rate
	f.cpuNear = near.Seconds() / audio * 100
	f.cpuFar = played.Seconds() / audio * 100
	return f
}

// windowsCorrelation is the correlation of a and b, b lag samples earlier,
// over the windows of w samples that start at starts.
func windowsCorrelation(a, b []int16, starts []int, w, lag int) float64 {
	var ab, aa, bb float64
	for _, from := range starts {
		for j := from; j < from+w && j+lag < len(a) && j < len(b); j++ {
			x, y := float64(a[j+lag]), float64(b[j])
			ab += x * y
			aa += x * x
			bb += y * y
		}
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// TestEchoIsCancelled: speech played in a room with 30 ms of delay and
// 250 ms of reverberation comes back from the microphone at least 25 dB
// quieter once the canceller has converged (3 s), while the person in the
// room, speaking alone, keeps their voice: the output follows it, no
// quieter than 3 dB below what the microphone heard (the gain control may
// raise it, by its 9 dB at most). Without the canceller, the echo is there.
func TestEchoIsCancelled(t *testing.T) {
	s := callScene(t, laptop)
	f := measure(t, s, Defaults, 60*time.Millisecond)
	t.Logf("echo %.1f dB down after convergence, %.1f dB while both speak; the person alone: %+.1f dB, correlation %.2f; "+
		"while both speak: %+.1f dB; the processing's delay %v; the canceller's own view: %+v", f.erle, f.erleDouble,
		f.nearLevel, f.nearCorr, f.nearDouble, f.delay, f.stats)
	if f.erle < 25 {
		t.Errorf("the echo came back %.1f dB down, want at least 25 dB", f.erle)
	}
	if f.nearCorr < 0.85 || f.nearLevel < -3 || f.nearLevel > 10 {
		t.Errorf("the person speaking alone came out at %+.1f dB with correlation %.2f, want -3 to +10 dB and at least 0.85",
			f.nearLevel, f.nearCorr)
	}
	if f.stats.FramesFar == 0 || f.stats.FramesSilence != 0 {
		t.Errorf("the canceller was fed %d far-end frames, %d of them silence, want all of what was played",
			f.stats.FramesFar, f.stats.FramesSilence)
	}

	off := measure(t, s, Options{NoiseSuppression: true, GainControl: true, HighPass: true}, 60*time.Millisecond)
	if off.erle > 6 {
		t.Errorf("without the canceller the echo came back %.1f dB down: the scene has no echo to cancel", off.erle)
	}
}

// TestDelayFollowsTheSpeaker: however much sound the speaker keeps in its
// buffers (a desktop's 20 ms, a Bluetooth headset's 400 ms), the far end
// reaches the canceller before its echo, with the delay between them, and
// the canceller takes as much of the echo away.
func TestDelayFollowsTheSpeaker(t *testing.T) {
	s := callScene(t, laptop)
	for _, ahead := range []time.Duration{20 * time.Millisecond, 60 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		f := measure(t, s, Options{EchoCancellation: true}, ahead)
		t.Logf("speaker %v ahead: echo %.1f dB down; the canceller's own view: %v", ahead, f.erle, f.stats)
		if f.erle < 25 {
			t.Errorf("speaker %v ahead: the echo came back %.1f dB down, want at least 25 dB", ahead, f.erle)
		}
	}
}
